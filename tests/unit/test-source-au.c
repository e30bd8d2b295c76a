/* test-source-au.c: the Smartraveller extractor over fixture exports (tests/fixtures/au), grown
 * to a realistic size with filler destinations: the four labels in any case and spacing, labels
 * that are no level, titles with HTML entities, a destination for two countries, countries listed
 * twice, names only the address gives, dates and addresses, wrong types, documents that are not
 * the export (Akamai's 403 page above all), and the scraped samples when
 * ../shared/travel-advisory-samples is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "country.h"
#include "source.h"
#include "util.h"

/* AU_MIN_DESTINATIONS in source-au.c: fewer records and the export is refused. */
#define MIN_DESTINATIONS 100
#define N_FILLER 110

#define WEB "https://www.smartraveller.gov.au/destinations/"
#define L1 "Exercise normal safety precautions"
#define L2 "Exercise a high degree of caution"
#define L3 "Reconsider your need to travel"
#define L4 "Do not travel"

typedef struct Expected {
        const char *country;
        int level;
        const char *label;
        const char *updated; /* NULL: none */
        const char *url;     /* NULL: none */
} Expected;

/* Every country export.json names, with a record or without: no filler may take them. */
static const char *const used[] = {
        "AF", "NO", "ID", "KZ", "YE", "BA", "CI", "IL", "PS", "TH", "LA", "CA", "FJ", "JP",
        "AQ", "TO", "GT", "CL", "PE", "MX", "HN", "BR", "UY", NULL,
};

static char *read_fixture(const char *name, size_t *ret_size) {
        const char *dir = getenv("ADVISORYD_TESTDATA");
        _cleanup_free_ char *path = strprintf("%s/au/%s", dir ? dir : "tests/fixtures", name);
        char *data = NULL;
        int r;

        assert_non_null(path);
        r = read_full_file(path, 16 * 1024 * 1024, &data, ret_size);
        if (r < 0)
                fail_msg("cannot read %s: %s", path, strerror(-r));
        return data;
}

static int extract(const char *data, size_t size, AdvisoryList *out, ExtractError *err) {
        ExtractInput in = { .data = data, .size = size,
                            .url = "https://www.smartraveller.gov.au/destinations-export" };
        return source_au_extract(&in, out, err);
}

/* A country whose ISO name reads back as itself, not named by the document or in used[]. */
static bool filler_usable(const Country *c, const char *data) {
        if (strv_contains((char **) used, c->alpha2) || strpbrk(c->name, "\"\\"))
                return false;
        return country_by_name(c->name) == c && !strcasestr(data, c->name);
}

/* Inserts n filler destinations at level 1 right after the opening '['. */
static char *pad(const char *data, size_t n, const char **fillers) {
        const char *at = strchr(data, '[');
        size_t n_all, k = 0;
        const Country *all = country_all(&n_all);
        Buffer b = {};

        assert_non_null(at);
        at++;
        assert_int_equal(buffer_append(&b, data, at - data), 0);
        for (size_t i = 0; i < n_all && k < n; i++) {
                const Country *c = &all[i];
                if (!filler_usable(c, data))
                        continue;
                assert_int_equal(buffer_printf(&b,
                                               "{\"title\": \"%s\", "
                                               "\"field_overall_advice_level\": \"" L1 "\", "
                                               "\"field_url\": \"" WEB "filler/%s\", "
                                               "\"changed\": \"Mon, 2025-06-02 09:00\"},\n",
                                               c->name, c->alpha2),
                                 0);
                if (fillers)
                        fillers[k] = c->alpha2;
                k++;
        }
        assert_int_equal(k, n);
        if (fillers)
                fillers[k] = NULL;
        assert_int_equal(buffer_puts(&b, at), 0);
        return buffer_steal(&b);
}

static void check_wanted(const char *what, const AdvisoryList *l, const Expected *want, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const Expected *e = &want[i];
                const Advisory *a = advisory_list_find(l, e->country);

                if (!a)
                        fail_msg("%s: no record for %s", what, e->country);
                if (a->level != e->level || a->regional_level != 0)
                        fail_msg("%s: %s level %d/%d, want %d/none", what, a->country, a->level,
                                 a->regional_level, e->level);
                if (!streq(a->label, e->label))
                        fail_msg("%s: %s label \"%s\", want \"%s\"", what, a->country, a->label,
                                 e->label);
                if (!streq_ptr(a->updated, e->updated))
                        fail_msg("%s: %s updated %s, want %s", what, a->country, strna(a->updated),
                                 strna(e->updated));
                if (!streq_ptr(a->url, e->url))
                        fail_msg("%s: %s url %s, want %s", what, a->country, strna(a->url),
                                 strna(e->url));
        }
}

static void test_export(void **state _unused_) {
        static const Expected want[] = {
                { "AF", 4, L4, "2025-11-14", WEB "asia/afghanistan" },
                /* an ISO time with an offset; epoch seconds; no date in "yesterday" */
                { "NO", 1, L1, "2025-11-14T03:22:00Z", WEB "europe/norway" },
                { "ID", 2, "Exercise a HIGH degree of caution", "2024-11-14T03:02:00Z",
                  WEB "asia/indonesia" },
                { "KZ", 3, L3, NULL, WEB "asia/kazakhstan" },
                { "YE", 4, "DO NOT TRAVEL", NULL, WEB "middle-east/yemen" },
                /* HTML entities in titles; an impossible date */
                { "BA", 2, L2, NULL, WEB "europe/bosnia-and-herzegovina" },
                { "CI", 2, L2, "2025-06-02", WEB "africa/cote-divoire-ivory-coast" },
                /* one destination for two countries; Palestine's own item wins for PS */
                { "IL", 3, L3, "2025-07-22",
                  WEB "middle-east/israel-and-occupied-palestinian-territories" },
                { "PS", 2, L2, "2025-07-22", WEB "middle-east/palestinian-territories" },
                /* listed twice: the strongest */
                { "TH", 2, L2, "2025-09-03", WEB "asia/thailand" },
                /* an unknown title, a known address */
                { "LA", 2, L2, "2025-06-02", WEB "asia/laos" },
                /* a relative address, one that is no address, none */
                { "CA", 1, L1, "2025-06-02", WEB "americas/canada" },
                { "FJ", 1, L1, "2025-06-02", NULL },
                { "JP", 1, L1, "2025-06-02", NULL },
        };
        /* no level ("No travel advice", an unknown label, wrong types), no country */
        static const char *const absent[] = {
                "AQ", "TO", "GT", "CL", "PE", "MX", "HN", "BR", "UY",
        };
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL, *doc = NULL;
        const char *fillers[N_FILLER + 1];
        ExtractError err = {};
        size_t size;
        int r;

        data = read_fixture("export.json", &size);
        doc = pad(data, N_FILLER, fillers);
        r = extract(doc, strlen(doc), &l, &err);
        if (r < 0)
                fail_msg("export.json: %s: %s", failure_class_to_string(err.failure), err.message);
        assert_int_equal(r, (int) l.n);
        assert_int_equal(l.n, ELEMENTSOF(want) + N_FILLER);
        check_wanted("export.json", &l, want, ELEMENTSOF(want));
        for (const char *const *c = fillers; *c; c++) {
                const Advisory *a = advisory_list_find(&l, *c);
                if (!a || a->level != 1 || !streq(a->label, L1))
                        fail_msg("filler %s: missing or wrong", *c);
        }
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                if (advisory_list_find(&l, absent[i]))
                        fail_msg("export.json: a record for %s", absent[i]);
}

/* The level comes from the four labels only, whatever their case and spacing. */
static void test_labels(void **state _unused_) {
        static const struct {
                const char *label;
                int level; /* 0: no record */
        } cases[] = {
                { "Exercise normal safety precautions", 1 },
                { "exercise normal safety precautions", 1 },
                { "Exercise a high degree of caution", 2 },
                { "\tExercise a high\n degree of caution  ", 2 },
                { "Reconsider your need to travel", 3 },
                { "RECONSIDER YOUR NEED TO TRAVEL", 3 },
                { "Do not travel", 4 },
                { "Do  not  travel", 4 },
                { "Do not travel.", 0 },
                { "Do not", 0 },
                { "No travel advice", 0 },
                { "Level 4", 0 },
                { "", 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                _cleanup_free_ char *data = NULL, *doc = NULL;
                ExtractError err = {};
                json_t *item = json_pack("[{s:s, s:s}]", "title", "Nepal",
                                         "field_overall_advice_level", cases[i].label);

                data = json_dumps(item, 0);
                json_decref(item);
                assert_non_null(data);
                doc = pad(data, N_FILLER, NULL);
                assert_true(extract(doc, strlen(doc), &l, &err) > 0);
                const Advisory *a = advisory_list_find(&l, "NP");
                if (cases[i].level == 0 ? a != NULL : !a || a->level != cases[i].level)
                        fail_msg("\"%s\": level %d, want %d", cases[i].label, a ? a->level : 0,
                                 cases[i].level);
        }
}

static void test_threshold(void **state _unused_) {
        const size_t readable = 14; /* in export.json */
        _cleanup_free_ char *data = NULL, *below = NULL, *enough = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;

        data = read_fixture("export.json", &size);
        below = pad(data, MIN_DESTINATIONS - readable - 1, NULL);
        assert_int_equal(extract(below, strlen(below), &l, &err), -EBADMSG);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
        assert_non_null(strstr(err.message, "fewer than"));
        assert_int_equal(l.n, 0);
        enough = pad(data, MIN_DESTINATIONS - readable, NULL);
        assert_int_equal(extract(enough, strlen(enough), &l, &err), MIN_DESTINATIONS);
}

typedef struct HostileCase {
        const char *file;
        bool padded;
        FailureClass failure;
        const char *reason;
} HostileCase;

static void check_refused(const char *what, const char *data, size_t size, FailureClass failure,
                          const char *reason) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        int r;

        assert_int_equal(advisory_list_add(&l, "NO", 2, LEVEL_NONE, "before", NULL, NULL), 0);
        r = extract(data, size, &l, &err);
        if (r >= 0)
                fail_msg("%s: %d records, want a failure", what, r);
        assert_int_equal(r, -EBADMSG);
        if (err.failure != failure)
                fail_msg("%s: failure %s (%s), want %s", what, failure_class_to_string(err.failure),
                         err.message, failure_class_to_string(failure));
        if (reason && !strstr(err.message, reason))
                fail_msg("%s: reason \"%s\" lacks \"%s\"", what, err.message, reason);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.items[0].label, "before");
}

static void test_hostile(void **state _unused_) {
        static const HostileCase cases[] = {
                /* what Akamai answers some networks */
                { "blocked.html", false, FAILURE_BLOCKED, "Akamai" },
                { "challenge.html", false, FAILURE_BLOCKED, "Imperva" },
                { "forbidden.html", false, FAILURE_INVALID_DOCUMENT, "HTML" },
                { "empty.json", false, FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-object.json", false, FAILURE_INVALID_DOCUMENT, "want an array" },
                { "object.json", false, FAILURE_INVALID_DOCUMENT, "want an array" },
                { "empty-array.json", false, FAILURE_EXTRACTION_EMPTY, "none of the 0" },
                { "truncated.json", false, FAILURE_INVALID_DOCUMENT, "truncated" },
                { "not-objects.json", false, FAILURE_EXTRACTION_EMPTY, "none of the 4" },
                { "unknown-labels.json", false, FAILURE_EXTRACTION_EMPTY, "none of the 3" },
                { "export.json", false, FAILURE_INVALID_DOCUMENT, "only 14 of 27" },
                { "duplicate-keys.json", true, FAILURE_INVALID_DOCUMENT, "duplicate" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *data = NULL, *padded = NULL;
                size_t size;

                data = read_fixture(cases[i].file, &size);
                if (cases[i].padded) {
                        padded = pad(data, N_FILLER, NULL);
                        check_refused(cases[i].file, padded, strlen(padded), cases[i].failure,
                                      cases[i].reason);
                } else
                        check_refused(cases[i].file, data, size, cases[i].failure,
                                      cases[i].reason);
        }
}

/* Unknown labels in a full-size export: nothing maps, so the export fails. */
static void test_nothing_maps(void **state _unused_) {
        _cleanup_free_ char *data = NULL, *doc = NULL;
        size_t size;

        data = read_fixture("export.json", &size);
        doc = pad(data, N_FILLER, NULL);
        /* every label of the fillers, and of the fixture, becomes one Smartraveller never used */
        for (char *q = doc; (q = strstr(q, "\"field_overall_advice_level\": \""));) {
                q += strlen("\"field_overall_advice_level\": \"");
                if (*q != '"')
                        *q = '#';
        }
        check_refused("nothing maps", doc, strlen(doc), FAILURE_EXTRACTION_EMPTY, "none of the");
}

static void test_truncated_everywhere(void **state _unused_) {
        _cleanup_free_ char *data = NULL, *doc = NULL;
        size_t size, end;

        data = read_fixture("export.json", &size);
        doc = pad(data, N_FILLER, NULL);
        for (end = strlen(doc); end > 0 && strchr(" \n\t\r", doc[end - 1]); end--)
                ;
        for (size_t cut = 0; cut < end; cut += end / 1000 + 1) {
                char what[32], saved = doc[cut];

                snprintf(what, sizeof(what), "cut at %zu", cut);
                doc[cut] = '\0';
                check_refused(what, doc, cut, FAILURE_INVALID_DOCUMENT, NULL);
                doc[cut] = saved;
        }
}

/* A megabyte title, label and address: no country, no level, no crash; the rest stands. */
static void test_huge(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *big = malloc(1 << 20), *data = NULL, *doc = NULL;
        ExtractError err = {};

        assert_non_null(big);
        memset(big, 'e', (1 << 20) - 1);
        big[(1 << 20) - 1] = '\0';
        data = strprintf("[{\"title\": \"%s\", \"field_overall_advice_level\": \"" L4 "\"},\n"
                         "{\"title\": \"Nepal\", \"field_overall_advice_level\": \"%s\"},\n"
                         "{\"title\": \"Chad\", \"field_overall_advice_level\": \"" L4 "\", "
                         "\"field_url\": \"https://%s\", \"changed\": \"%s\"}]",
                         big, big, big, big);
        assert_non_null(data);
        doc = pad(data, N_FILLER, NULL);
        assert_int_equal(extract(doc, strlen(doc), &l, &err), N_FILLER + 1);
        const Expected want = { "TD", 4, L4, NULL, NULL };
        check_wanted("huge", &l, &want, 1);
        assert_null(advisory_list_find(&l, "NP"));
}

static char *sample_path(const char *name) {
        const char *dir = getenv("ADVISORYD_SAMPLES");
        char *p = strprintf("%s/%s", dir ? dir : "../shared/travel-advisory-samples", name);
        assert_non_null(p);
        return p;
}

/* The samples are scraped (DERIVED), not the export: rebuilt as export items, each
 * destination must come out at the level the scraper saw, under the code it chose. Returns the
 * extracted level of KZ. */
static int check_kevle1(const char *name) {
        _cleanup_free_ char *path = sample_path(name), *export = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        json_t *doc, *items = json_array(), *v;
        ExtractError err = {};
        size_t i;
        int kz;

        doc = json_load_file(path, 0, NULL);
        assert_non_null(doc);
        json_array_foreach(json_object_get(doc, "advisories"), i, v)
                json_array_append_new(
                        items,
                        json_pack("{s:O, s:O, s:O}", "title",
                                  json_object_get(json_object_get(v, "country"), "name"),
                                  "field_overall_advice_level", json_object_get(v, "advisory"),
                                  "field_url", json_object_get(v, "page_url")));
        export = json_dumps(items, 0);
        assert_non_null(export);
        if (extract(export, strlen(export), &l, &err) < 0)
                fail_msg("%s: %s", name, err.message);
        json_array_foreach(json_object_get(doc, "advisories"), i, v) {
                const char *code = json_string_value(
                        json_object_get(json_object_get(v, "country"), "alpha_2"));
                const Advisory *a = advisory_list_find(&l, code);
                if (!a || a->level != json_integer_value(json_object_get(v, "level")))
                        fail_msg("%s: %s level %d", name, code, a ? a->level : 0);
        }
        assert_int_equal(l.n, json_array_size(items));
        kz = advisory_list_find(&l, "KZ")->level;
        json_decref(items);
        json_decref(doc);
        return kz;
}

static void test_samples(void **state _unused_) {
        _cleanup_free_ char *summary =
                sample_path("australia/marcolussetti_australia_summary_DERIVED.json");
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *export = NULL;
        json_t *doc, *items = json_array(), *v;
        ExtractError err = {};
        size_t i, per_level[5] = {};

        if (access(summary, R_OK) < 0)
                skip();
        /* Smartraveller's own destination names and labels (scraped from its table) */
        doc = json_load_file(summary, 0, NULL);
        assert_non_null(doc);
        json_array_foreach(doc, i, v)
                json_array_append_new(items, json_pack("{s:O, s:O, s:O}", "title",
                                                       json_object_get(v, "destination"),
                                                       "field_overall_advice_level",
                                                       json_object_get(v, "risk_level"),
                                                       "field_url", json_object_get(v, "url")));
        export = json_dumps(items, 0);
        assert_non_null(export);
        if (extract(export, strlen(export), &l, &err) < 0)
                fail_msg("%s: %s", summary, err.message);
        for (i = 0; i < l.n; i++)
                per_level[l.items[i].level]++;
        /* 178 destinations with a level, one of them for Israel and Palestine */
        assert_int_equal(l.n, 179);
        assert_int_equal(per_level[1], 69);
        assert_int_equal(per_level[2], 78);
        assert_int_equal(per_level[3], 9);
        assert_int_equal(per_level[4], 23);
        json_decref(items);
        json_decref(doc);

        /* a real change: Kazakhstan from 2 to 1 on 2024-10-17 */
        assert_int_equal(check_kevle1("australia/kevle1_advisories_BEFORE_KZ-change_DERIVED.json"),
                         2);
        assert_int_equal(check_kevle1("australia/kevle1_advisories_AFTER_KZ-change_DERIVED.json"),
                         1);
        check_kevle1("australia/kevle1_advisories_2025-02-20_DERIVED.json");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_export),
                cmocka_unit_test(test_labels),
                cmocka_unit_test(test_threshold),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_nothing_maps),
                cmocka_unit_test(test_truncated_everywhere),
                cmocka_unit_test(test_huge),
                cmocka_unit_test(test_samples),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
