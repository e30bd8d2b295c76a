/* test-source-uk.c: the FCDO extractor (GOV.UK Content API) over fixture documents
 * (tests/fixtures/uk) and generated ones: every combination of alert_status values, current and
 * former slugs, combined pages, documents that are not a country's advice (which must fail with
 * the right class and add nothing), the index the poller reads, and the real sample when
 * ../shared/travel-advisory-samples is there. */
#include <ctype.h>
#include <jansson.h>

#include "extract-test.h"
#include "source-uk.h"

#define WEB "https://www.gov.uk/foreign-travel-advice/"
#define ALL "FCDO advises against all travel to "
#define ESS "FCDO advises against all but essential travel to "
#define ALL_PARTS "FCDO advises against all travel to parts of "
#define ESS_PARTS "FCDO advises against all but essential travel to parts of "
#define NONE "No FCDO advice against travel"

static const ExtractTest uk = {
        .extract = source_uk_extract,
        .url = "https://www.gov.uk/api/content",
        .fixtures = "uk",
};

static int extract_string(const char *data, AdvisoryList *out, ExtractError *err) {
        return extract(&uk, data, strlen(data), out, err);
}

static void test_fixtures(void **state _unused_) {
        static const Expected kz[] = {
                { "KZ", 1, 0, NONE, "2022-01-05T18:30:00Z", WEB "kazakhstan" },
        };
        /* whole country at 3, parts at 4: both sentences, in that order */
        static const Expected ua[] = {
                { "UA", 3, 4, ESS "Ukraine. " ALL_PARTS "Ukraine.", "2026-05-02T08:15:42Z",
                  WEB "ukraine" },
        };
        static const Expected ke[] = {
                { "KE", 1, 4, ALL_PARTS "Kenya.", "2026-04-30T11:02:07Z", WEB "kenya" },
        };
        static const Expected ml[] = {
                { "ML", 4, 0, ALL "Mali.", "2026-02-14T16:40:00Z", WEB "mali" },
        };
        /* a former slug */
        static const Expected cz[] = {
                { "CZ", 1, 0, NONE, "2019-07-01T08:00:00Z", WEB "czech-republic" },
        };
        /* one page for three territories: the page's advice for each */
        static const Expected ck[] = {
                { "CK", 1, 3, ESS_PARTS "Cook Islands, Tokelau and Niue.", "2026-01-20T10:00:00Z",
                  WEB "cook-islands-tokelau-and-niue" },
                { "NU", 1, 3, ESS_PARTS "Cook Islands, Tokelau and Niue.", "2026-01-20T10:00:00Z",
                  WEB "cook-islands-tokelau-and-niue" },
                { "TK", 1, 3, ESS_PARTS "Cook Islands, Tokelau and Niue.", "2026-01-20T10:00:00Z",
                  WEB "cook-islands-tokelau-and-niue" },
        };
        /* a slug we do not know, but details.country.name is a country */
        static const Expected np[] = {
                { "NP", 1, 0, NONE, "2026-03-19T14:04:20Z", WEB "atlantis" },
        };
        /* no details.country at all: base_path names it */
        static const Expected td[] = {
                { "TD", 1, 4, ALL_PARTS "Chad.", "2026-06-01T12:00:00Z", WEB "chad" },
        };
        const FixtureCase cases[] = {
                FIXTURE_CASE("kazakhstan.json", kz),
                FIXTURE_CASE("ukraine.json", ua),
                FIXTURE_CASE("kenya.json", ke),
                FIXTURE_CASE("mali.json", ml),
                FIXTURE_CASE("czech-republic.json", cz),
                FIXTURE_CASE("cook-islands.json", ck),
                FIXTURE_CASE("unknown-slug-known-name.json", np),
                FIXTURE_CASE("no-country-object.json", td),
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                check_fixture(&uk, &cases[i]);
}

/* A country document; NULL fields are left out. statuses is NULL-terminated. */
static char *make_document(const char *slug, const char *name, const char *base_path,
                           const char *const *statuses, const char *updated) {
        json_t *doc = json_object(), *details = json_object(), *country = json_object();
        json_t *alert = json_array();
        char *s;

        assert_non_null(doc);
        for (const char *const *p = statuses; p && *p; p++)
                json_array_append_new(alert, json_string(*p));
        if (slug)
                json_object_set_new(country, "slug", json_string(slug));
        if (name)
                json_object_set_new(country, "name", json_string(name));
        json_object_set_new(details, "alert_status", alert);
        json_object_set_new(details, "country", country);
        json_object_set_new(doc, "schema_name", json_string("travel_advice"));
        json_object_set_new(doc, "details", details);
        if (base_path)
                json_object_set_new(doc, "base_path", json_string(base_path));
        if (updated)
                json_object_set_new(doc, "public_updated_at", json_string(updated));
        s = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        assert_non_null(s);
        return s;
}

#define S_ALL "avoid_all_travel_to_whole_country"
#define S_ESS "avoid_all_but_essential_travel_to_whole_country"
#define P_ALL "avoid_all_travel_to_parts"
#define P_ESS "avoid_all_but_essential_travel_to_parts"

/* Every subset of the four values, in both orders: whole-country values give level, parts values
 * regional_level (only when higher), the label is the strongest wording. */
static void test_alert_status_combinations(void **state _unused_) {
        static const struct {
                const char *statuses[5];
                int level, regional;
                const char *label;
        } cases[] = {
                { {}, 1, 0, NONE },
                { { P_ESS }, 1, 3, ESS_PARTS "Peru." },
                { { P_ALL }, 1, 4, ALL_PARTS "Peru." },
                { { P_ESS, P_ALL }, 1, 4, ALL_PARTS "Peru." },
                { { S_ESS }, 3, 0, ESS "Peru." },
                { { S_ESS, P_ESS }, 3, 0, ESS "Peru." },
                { { S_ESS, P_ALL }, 3, 4, ESS "Peru. " ALL_PARTS "Peru." },
                { { S_ESS, P_ESS, P_ALL }, 3, 4, ESS "Peru. " ALL_PARTS "Peru." },
                { { S_ALL }, 4, 0, ALL "Peru." },
                { { S_ALL, P_ESS }, 4, 0, ALL "Peru." },
                { { S_ALL, P_ALL }, 4, 0, ALL "Peru." },
                { { S_ALL, P_ESS, P_ALL }, 4, 0, ALL "Peru." },
                { { S_ALL, S_ESS }, 4, 0, ALL "Peru." },
                { { S_ALL, S_ESS, P_ESS }, 4, 0, ALL "Peru." },
                { { S_ALL, S_ESS, P_ALL }, 4, 0, ALL "Peru." },
                { { S_ALL, S_ESS, P_ESS, P_ALL }, 4, 0, ALL "Peru." },
                /* the same value twice */
                { { P_ALL, P_ALL }, 1, 4, ALL_PARTS "Peru." },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (int reverse = 0; reverse < 2; reverse++) {
                        _cleanup_advisory_list_ AdvisoryList l = {};
                        _cleanup_free_ char *doc = NULL;
                        const char *statuses[5] = {};
                        size_t n = 0;
                        ExtractError err = {};

                        while (n < 4 && cases[i].statuses[n])
                                n++;
                        for (size_t j = 0; j < n; j++)
                                statuses[j] = cases[i].statuses[reverse ? n - 1 - j : j];
                        doc = make_document("peru", "Peru", "/foreign-travel-advice/peru",
                                            statuses, "2026-06-01T12:00:00Z");
                        if (extract_string(doc, &l, &err) != 1)
                                fail_msg("case %zu: %s", i, err.message);
                        const Expected want = { "PE", cases[i].level, cases[i].regional,
                                                cases[i].label, "2026-06-01T12:00:00Z",
                                                WEB "peru" };
                        check_records(doc, &l, &want, 1);
                }
}

/* Slugs old and new, names, and which of them wins. */
static void test_countries(void **state _unused_) {
        static const struct {
                const char *slug, *name, *base_path;
                const char *countries; /* as "BL MF"; NULL: extraction must fail */
        } cases[] = {
                { "czechia", "Czechia", NULL, "CZ" },
                { "czech-republic", "Czech Republic", NULL, "CZ" },
                { "eswatini", "Eswatini", NULL, "SZ" },
                { "swaziland", "Swaziland", NULL, "SZ" },
                { "north-macedonia", "North Macedonia", NULL, "MK" },
                { "macedonia", "Macedonia", NULL, "MK" },
                { "myanmar", "Myanmar (Burma)", NULL, "MM" },
                { "burma", "Burma", NULL, "MM" },
                { "palestine", "Palestine", NULL, "PS" },
                { "the-occupied-palestinian-territories", "The Occupied Palestinian Territories",
                  NULL, "PS" },
                { "cote-d-ivoire", "Côte d'Ivoire", NULL, "CI" },
                { "ivory-coast", "Ivory Coast", NULL, "CI" },
                { "democratic-republic-of-the-congo", "Democratic Republic of the Congo", NULL,
                  "CD" },
                { "congo", "Congo", NULL, "CG" },
                { "south-korea", "South Korea", NULL, "KR" },
                { "north-korea", "North Korea", NULL, "KP" },
                { "russia", "Russia", NULL, "RU" },
                { "usa", "USA", NULL, "US" },
                { "st-maarten", "St Maarten", NULL, "SX" },
                { "st-martin-and-st-barthelemy", "St Martin and St Barthélemy", NULL, "BL MF" },
                { "kosovo", "Kosovo", NULL, "XK" },
                { "the-gambia", "The Gambia", NULL, "GM" },
                { "niger", "Niger", NULL, "NE" },
                { "nigeria", "Nigeria", NULL, "NG" },
                { "dominica", "Dominica", NULL, "DM" },
                { "dominican-republic", "Dominican Republic", NULL, "DO" },
                { "antarctica-british-antarctic-territory",
                  "Antarctica/British Antarctic Territory", NULL, "AQ" },
                /* the slug table wins over the name */
                { "congo", "Democratic Republic of the Congo", NULL, "CG" },
                /* an unknown slug: the base_path, then the name */
                { "atlantis", NULL, "/foreign-travel-advice/chad", "TD" },
                { "atlantis", "Nepal", "/foreign-travel-advice/atlantis", "NP" },
                { NULL, NULL, "/foreign-travel-advice/laos", "LA" },
                { "Nepal", NULL, NULL, NULL }, /* slugs are lower case */
                { "atlantis", "Atlantis", "/foreign-travel-advice/atlantis", NULL },
                { NULL, NULL, "/government/publications/atlantis", NULL },
                { NULL, NULL, NULL, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                _cleanup_free_ char *doc = NULL, *got = NULL;
                ExtractError err = {};
                Buffer b = {};
                int r;

                doc = make_document(cases[i].slug, cases[i].name, cases[i].base_path, NULL, NULL);
                r = extract_string(doc, &l, &err);
                if (!cases[i].countries) {
                        if (r >= 0 || l.n != 0)
                                fail_msg("%s: %d records, want a failure", doc, r);
                        continue;
                }
                if (r < 0)
                        fail_msg("%s: %s", doc, err.message);
                for (size_t j = 0; j < l.n; j++)
                        assert_int_equal(buffer_printf(&b, "%s%s", j ? " " : "",
                                                       l.items[j].country),
                                         0);
                got = buffer_steal(&b);
                if (!streq(strempty(got), cases[i].countries))
                        fail_msg("%s: got %s, want %s", doc, strempty(got), cases[i].countries);
        }
}

/* The slug table: sorted, codes that exist, and no slug that reads as another country's name. */
static void test_slug_table(void **state _unused_) {
        size_t n;
        const UkSlug *slugs = source_uk_slugs(&n);

        assert_true(n >= 225);
        for (size_t i = 0; i < n; i++) {
                char codes[UK_SLUG_COUNTRIES_MAX][3], name[128];
                size_t k = source_uk_slug_countries(slugs[i].slug, codes);

                if (i > 0 && strcmp(slugs[i - 1].slug, slugs[i].slug) >= 0)
                        fail_msg("slug table not sorted at %s", slugs[i].slug);
                if (k == 0 || strlen(slugs[i].countries) != k * 3 - 1)
                        fail_msg("%s: malformed countries \"%s\"", slugs[i].slug,
                                 slugs[i].countries);
                for (size_t j = 0; j < k; j++)
                        if (!country_by_alpha2(codes[j]) || !isupper((unsigned char) codes[j][0]) ||
                            !isupper((unsigned char) codes[j][1]))
                                fail_msg("%s: unknown country %s", slugs[i].slug, codes[j]);
                snprintf(name, sizeof(name), "%s", slugs[i].slug);
                for (char *p = name; *p; p++)
                        *p = *p == '-' ? ' ' : *p;
                const Country *c = country_by_name(name);
                if (k == 1 && c && !streq(c->alpha2, codes[0]))
                        fail_msg("%s: table says %s, the name says %s", slugs[i].slug, codes[0],
                                 c->alpha2);
        }
        char codes[UK_SLUG_COUNTRIES_MAX][3];
        assert_int_equal(source_uk_slug_countries("atlantis", codes), 0);
        assert_int_equal(source_uk_slug_countries("", codes), 0);
        assert_int_equal(source_uk_slug_countries(NULL, codes), 0);
}

static void test_hostile(void **state _unused_) {
        static const HostileCase cases[] = {
                { "empty.json", FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-object.json", FAILURE_INVALID_DOCUMENT, "no details.alert_status" },
                { "empty-array.json", FAILURE_INVALID_DOCUMENT, "array" },
                { "truncated.json", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "trailing-garbage.json", FAILURE_INVALID_DOCUMENT, "not valid JSON" },
                { "duplicate-keys.json", FAILURE_INVALID_DOCUMENT, "duplicate" },
                { "nul-in-string.json", FAILURE_INVALID_DOCUMENT, "not valid JSON" },
                { "error-page.html", FAILURE_INVALID_DOCUMENT, "HTML" },
                { "challenge.html", FAILURE_BLOCKED, "Cloudflare" },
                { "unknown-status.json", FAILURE_INVALID_DOCUMENT, "avoid_travel_to_the_coast" },
                { "status-not-array.json", FAILURE_INVALID_DOCUMENT, "is string, want an array" },
                { "status-wrong-type.json", FAILURE_INVALID_DOCUMENT, "boolean" },
                { "status-number.json", FAILURE_INVALID_DOCUMENT, "integer" },
                { "no-alert-status.json", FAILURE_INVALID_DOCUMENT, "no details.alert_status" },
                { "withdrawn.json", FAILURE_INVALID_DOCUMENT, "withdrawn" },
                { "other-schema.json", FAILURE_INVALID_DOCUMENT, "guide" },
                { "index-small.json", FAILURE_INVALID_DOCUMENT, "travel_advice_index" },
                { "unknown-country.json", FAILURE_EXTRACTION_EMPTY, "Atlantis" },
        };

        check_hostile(&uk, cases, ELEMENTSOF(cases));
        check_refused(&uk, "NULL", NULL, 0, FAILURE_INVALID_DOCUMENT, "empty");
        check_refused(&uk, "spaces", " \n\t ", 4, FAILURE_INVALID_DOCUMENT, "empty");
        check_refused(&uk, "a string", "\"alert_status\"", 14, FAILURE_INVALID_DOCUMENT,
                      "not valid JSON");
        check_refused(&uk, "null", "null", 4, FAILURE_INVALID_DOCUMENT, "not valid JSON");
}

/* Every cut of a valid document is refused. */
static void test_truncated_everywhere(void **state _unused_) {
        check_truncations(&uk, "ukraine.json", SIZE_MAX);
}

/* Megabyte strings where short ones belong, and absurd nesting. */
static void test_huge(void **state _unused_) {
        _cleanup_free_ char *name = repeat('A', 1 << 20), *slug = repeat('a', 1 << 20);
        _cleanup_free_ char *path = strprintf("/foreign-travel-advice/%s", slug);
        _cleanup_free_ char *value = repeat('x', 1 << 20);
        const char *s4[] = { S_ALL, NULL }, *bad[] = { value, NULL };

        {
                /* a huge name: the label is cut, the record stands */
                _cleanup_advisory_list_ AdvisoryList l = {};
                _cleanup_free_ char *doc = make_document("peru", name, NULL, s4, NULL);
                ExtractError err = {};

                assert_int_equal(extract_string(doc, &l, &err), 1);
                assert_string_equal(l.items[0].country, "PE");
                assert_int_equal(l.items[0].level, 4);
                assert_true(strlen(l.items[0].label) <= ADVISORY_LABEL_MAX);
                assert_non_null(startswith(l.items[0].label, ALL "AAAA"));
                assert_string_equal(l.items[0].url, WEB "peru");
        }
        {
                /* a huge slug and base_path are no slug at all: the name decides, no URL */
                _cleanup_advisory_list_ AdvisoryList l = {};
                _cleanup_free_ char *doc = make_document(slug, "Peru", path, NULL, NULL);
                ExtractError err = {};

                assert_int_equal(extract_string(doc, &l, &err), 1);
                assert_string_equal(l.items[0].country, "PE");
                assert_null(l.items[0].url);
        }
        {
                /* a huge unknown status: refused, with a short one-line reason */
                _cleanup_free_ char *doc = make_document("peru", "Peru", NULL, bad, NULL);
                check_refused(&uk, "huge status", doc, strlen(doc), FAILURE_INVALID_DOCUMENT,
                              "xxxx");
        }
        {
                _cleanup_free_ char *deep = repeat('[', 100000);
                check_refused(&uk, "deep nesting", deep, strlen(deep), FAILURE_INVALID_DOCUMENT,
                              NULL);
        }
}

static void test_updated(void **state _unused_) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "2026-03-19T14:04:20+00:00", "2026-03-19T14:04:20Z" },
                { "2026-03-19T15:04:20+01:00", "2026-03-19T14:04:20Z" },
                { "2026-03-19T14:04:20.123Z", "2026-03-19T14:04:20Z" },
                { "yesterday", NULL },
                { "", NULL },
                { NULL, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                _cleanup_free_ char *doc = make_document("nepal", "Nepal", NULL, NULL,
                                                         cases[i].in);
                ExtractError err = {};

                assert_int_equal(extract_string(doc, &l, &err), 1);
                if (!streq_ptr(l.items[0].updated, cases[i].out))
                        fail_msg("%s: updated %s, want %s", strna(cases[i].in),
                                 strna(l.items[0].updated), strna(cases[i].out));
        }
}

/* Records are added to what the caller has. */
static void test_appends(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL;
        ExtractError err = {};
        size_t size;

        assert_int_equal(advisory_list_add(&l, "NO", 2, LEVEL_NONE, "before", NULL, NULL), 0);
        data = read_fixture("uk", "cook-islands.json", &size);
        assert_int_equal(extract(&uk, data, size, &l, &err), 3);
        assert_int_equal(l.n, 4);
        assert_string_equal(l.items[0].country, "NO");
        assert_string_equal(l.items[0].label, "before");
        assert_string_equal(l.items[1].country, "CK");
        assert_string_equal(l.items[3].country, "TK");
}

/* An index with a child per slug of the table, among children that are not country pages. */
static char *make_index(size_t n_valid, bool junk) {
        size_t n_slugs;
        const UkSlug *slugs = source_uk_slugs(&n_slugs);
        json_t *doc = json_object(), *children = json_array(), *links = json_object();
        char *s;

        assert_true(n_valid <= n_slugs);
        for (size_t i = 0; i < n_valid; i++) {
                _cleanup_free_ char *path = strprintf("/foreign-travel-advice/%s", slugs[i].slug);
                json_array_append_new(children,
                                      json_pack("{s:s, s:s, s:s}", "base_path", path,
                                                "public_updated_at", "2026-06-01T12:00:00Z",
                                                "document_type", "travel_advice"));
        }
        if (junk) {
                json_array_append_new(children, json_integer(42));
                json_array_append_new(children, json_pack("{s:s}", "title", "No base_path"));
                json_array_append_new(children, json_pack("{s:s}", "base_path",
                                                          "/government/publications/atlas"));
                json_array_append_new(children,
                                      json_pack("{s:s}", "base_path", "/foreign-travel-advice/"));
                json_array_append_new(children, json_pack("{s:s}", "base_path",
                                                          "/foreign-travel-advice/nepal/parts"));
                json_array_append_new(children, json_pack("{s:i}", "base_path", 7));
                /* listed twice: the first one counts */
                json_array_insert_new(children, 0,
                                      json_pack("{s:s, s:s}", "base_path",
                                                "/foreign-travel-advice/nepal",
                                                "public_updated_at", "2026-07-01T08:00:00Z"));
                /* no date: the poller must fetch it */
                json_array_append_new(children, json_pack("{s:s}", "base_path",
                                                          "/foreign-travel-advice/zz-new-page"));
        }
        json_object_set_new(links, "children", children);
        json_object_set_new(doc, "schema_name", json_string("travel_advice_index"));
        json_object_set_new(doc, "links", links);
        s = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        assert_non_null(s);
        return s;
}

static void test_index(void **state _unused_) {
        size_t n_slugs, n = 0;
        const UkSlug *slugs = source_uk_slugs(&n_slugs);
        _cleanup_free_ char *doc = make_index(n_slugs, true);
        UkIndexEntry *e = NULL;
        ExtractError err = {};

        assert_int_equal(source_uk_index_parse(doc, strlen(doc), &e, &n, &err), 0);
        assert_int_equal(n, n_slugs + 1);
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && strcmp(e[i - 1].slug, e[i].slug) >= 0)
                        fail_msg("index not sorted at %s", e[i].slug);
                _cleanup_free_ char *path = strprintf("/foreign-travel-advice/%s", e[i].slug);
                assert_string_equal(e[i].base_path, path);
                if (streq(e[i].slug, "nepal"))
                        assert_string_equal(e[i].public_updated_at, "2026-07-01T08:00:00Z");
                else if (streq(e[i].slug, "zz-new-page"))
                        assert_null(e[i].public_updated_at);
                else
                        assert_string_equal(e[i].public_updated_at, "2026-06-01T12:00:00Z");
        }
        assert_string_equal(e[0].slug, slugs[0].slug);
        e = source_uk_index_free(e, n);
        assert_null(e);
}

static void check_index_refused(const char *what, const char *data, size_t size,
                                FailureClass failure, const char *reason) {
        UkIndexEntry *e = (UkIndexEntry *) 0x1;
        size_t n = 4242;
        ExtractError err = {};

        if (source_uk_index_parse(data, size, &e, &n, &err) >= 0)
                fail_msg("%s: parsed, want a failure", what);
        assert_ptr_equal(e, (UkIndexEntry *) 0x1);
        assert_int_equal(n, 4242);
        if (err.failure != failure)
                fail_msg("%s: failure %s (%s), want %s", what, failure_class_to_string(err.failure),
                         err.message, failure_class_to_string(failure));
        if (reason && !strstr(err.message, reason))
                fail_msg("%s: reason \"%s\" lacks \"%s\"", what, err.message, reason);
}

static void test_index_hostile(void **state _unused_) {
        static const HostileCase cases[] = {
                { "index-small.json", FAILURE_INVALID_DOCUMENT, "3 countries, fewer than 100" },
                { "kazakhstan.json", FAILURE_INVALID_DOCUMENT, "want \"travel_advice_index\"" },
                { "empty.json", FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-object.json", FAILURE_INVALID_DOCUMENT, "no links.children" },
                { "empty-array.json", FAILURE_INVALID_DOCUMENT, "array" },
                { "truncated.json", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "error-page.html", FAILURE_INVALID_DOCUMENT, "HTML" },
                { "challenge.html", FAILURE_BLOCKED, "Cloudflare" },
        };
        const char *children = "{\"links\": {\"children\": {\"nepal\": {}}}}";

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *data = NULL;
                size_t size;

                data = read_fixture("uk", cases[i].file, &size);
                check_index_refused(cases[i].file, data, size, cases[i].failure,
                                    cases[i].reason);
        }
        check_index_refused("children not an array", children, strlen(children),
                            FAILURE_INVALID_DOCUMENT, "want an array");

        /* the threshold: 99 countries are refused, 100 are an index */
        _cleanup_free_ char *small = make_index(UK_INDEX_MIN_COUNTRIES - 1, false);
        check_index_refused("99 countries", small, strlen(small), FAILURE_INVALID_DOCUMENT,
                            "fewer than");
        _cleanup_free_ char *enough = make_index(UK_INDEX_MIN_COUNTRIES, false);
        UkIndexEntry *e = NULL;
        size_t n = 0;
        ExtractError err = {};
        assert_int_equal(source_uk_index_parse(enough, strlen(enough), &e, &n, &err), 0);
        assert_int_equal(n, UK_INDEX_MIN_COUNTRIES);
        source_uk_index_free(e, n);
}

/* The real FCDO document for Nepal (alert_status []), when the samples are there. */
static void test_sample_nepal(void **state _unused_) {
        char path[SAMPLE_PATH_MAX];

        if (!sample_find(path, "uk/JGNWW_uk-nepal_content-api.json"))
                skip();

        _cleanup_free_ char *data = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        static const Expected np[] = {
                { "NP", 1, 0, NONE, "2026-03-19T14:04:20Z", WEB "nepal" },
        };
        ExtractError err = {};
        size_t size;

        assert_int_equal(read_full_file(path, 16 * 1024 * 1024, &data, &size), 0);
        if (extract(&uk, data, size, &l, &err) < 0)
                fail_msg("%s: %s", path, err.message);
        check_records(path, &l, np, ELEMENTSOF(np));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_alert_status_combinations),
                cmocka_unit_test(test_countries),
                cmocka_unit_test(test_slug_table),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_truncated_everywhere),
                cmocka_unit_test(test_huge),
                cmocka_unit_test(test_updated),
                cmocka_unit_test(test_appends),
                cmocka_unit_test(test_index),
                cmocka_unit_test(test_index_hostile),
                cmocka_unit_test(test_sample_nepal),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
