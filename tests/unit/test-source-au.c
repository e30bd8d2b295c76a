/* test-source-au.c: the Smartraveller extractor over fixture exports (tests/fixtures/au), grown
 * to a realistic size with filler destinations: the four labels in any case and spacing, labels
 * that are no level, titles with HTML entities, a destination for two countries, countries listed
 * twice, names only the address gives, dates and addresses, wrong types, documents that are not
 * the export (Akamai's 403 page above all), and the scraped samples when
 * ../shared/travel-advisory-samples is there. */
#include <jansson.h>

#include "extract-test.h"

/* AU_MIN_DESTINATIONS in source-au.c: fewer records and the export is refused. */
#define MIN_DESTINATIONS 100
#define N_FILLER 110

#define WEB "https://www.smartraveller.gov.au/destinations/"
#define L1 "Exercise normal safety precautions"
#define L2 "Exercise a high degree of caution"
#define L3 "Reconsider your need to travel"
#define L4 "Do not travel"

/* Every country export.json names, with a record or without: no filler may take them. */
static const char *const used[] = {
        "AF", "NO", "ID", "KZ", "YE", "BA", "CI", "IL", "PS", "TH", "LA", "CA", "FJ", "JP",
        "AQ", "TO", "GT", "CL", "PE", "MX", "HN", "BR", "UY", NULL,
};

/* A country whose ISO name reads back as itself, not named by the document or in used[]. */
static bool filler_usable(const Country *c, const char *data) {
        if (strv_contains((char **) used, c->alpha2) || strpbrk(c->name, "\"\\"))
                return false;
        return country_by_name(c->name) == c && !strcasestr(data, c->name);
}

/* A filler destination at level 1. */
static int filler_append(Buffer *b, const Country *c, size_t i) {
        return buffer_printf(b,
                             "{\"title\": \"%s\", "
                             "\"field_overall_advice_level\": \"" L1 "\", "
                             "\"field_url\": \"" WEB "filler/%s\", "
                             "\"changed\": \"Mon, 2025-06-02 09:00\"},\n",
                             c->name, c->alpha2);
}

static const ExtractTest au = {
        .extract = source_au_extract,
        .url = "https://www.smartraveller.gov.au/destinations-export",
        .fixtures = "au",
        .filler = &(const Filler){ .after = "[", .n = N_FILLER, .label = L1,
                                   .usable = filler_usable, .append = filler_append },
};

static void test_export(void **state _unused_) {
        static const Expected want[] = {
                { "AF", 4, 0, L4, "2025-11-14", WEB "asia/afghanistan" },
                /* an ISO time with an offset; epoch seconds; no date in "yesterday" */
                { "NO", 1, 0, L1, "2025-11-14T03:22:00Z", WEB "europe/norway" },
                { "ID", 2, 0, "Exercise a HIGH degree of caution", "2024-11-14T03:02:00Z",
                  WEB "asia/indonesia" },
                { "KZ", 3, 0, L3, NULL, WEB "asia/kazakhstan" },
                { "YE", 4, 0, "DO NOT TRAVEL", NULL, WEB "middle-east/yemen" },
                /* HTML entities in titles; an impossible date */
                { "BA", 2, 0, L2, NULL, WEB "europe/bosnia-and-herzegovina" },
                { "CI", 2, 0, L2, "2025-06-02", WEB "africa/cote-divoire-ivory-coast" },
                /* one destination for two countries; Palestine's own item wins for PS */
                { "IL", 3, 0, L3, "2025-07-22",
                  WEB "middle-east/israel-and-occupied-palestinian-territories" },
                { "PS", 2, 0, L2, "2025-07-22", WEB "middle-east/palestinian-territories" },
                /* listed twice: the strongest */
                { "TH", 2, 0, L2, "2025-09-03", WEB "asia/thailand" },
                /* an unknown title, a known address */
                { "LA", 2, 0, L2, "2025-06-02", WEB "asia/laos" },
                /* a relative address, one that is no address, none */
                { "CA", 1, 0, L1, "2025-06-02", WEB "americas/canada" },
                { "FJ", 1, 0, L1, "2025-06-02", NULL },
                { "JP", 1, 0, L1, "2025-06-02", NULL },
        };
        /* no level ("No travel advice", an unknown label, wrong types), no country */
        static const char *const absent[] = {
                "AQ", "TO", "GT", "CL", "PE", "MX", "HN", "BR", "UY",
        };
        const FixtureCase c = FIXTURE_CASE("export.json", want);
        _cleanup_advisory_list_ AdvisoryList l = {};

        check_padded_fixture(&au, &c, &l);
        check_absent("export.json", &l, absent, ELEMENTSOF(absent));
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
                doc = pad(&au, data, N_FILLER, NULL);
                assert_true(extract(&au, doc, strlen(doc), &l, &err) > 0);
                const Advisory *a = advisory_list_find(&l, "NP");
                if (cases[i].level == 0 ? a != NULL : !a || a->level != cases[i].level)
                        fail_msg("\"%s\": level %d, want %d", cases[i].label, a ? a->level : 0,
                                 cases[i].level);
        }
}

static void test_threshold(void **state _unused_) {
        const size_t readable = 14; /* in export.json */
        check_threshold(&au, "export.json", readable, MIN_DESTINATIONS);
}

static void test_hostile(void **state _unused_) {
        static const HostileCase cases[] = {
                /* what Akamai answers some networks */
                { "blocked.html", FAILURE_BLOCKED, "Akamai" },
                { "challenge.html", FAILURE_BLOCKED, "Imperva" },
                { "forbidden.html", FAILURE_INVALID_DOCUMENT, "HTML" },
                { "empty.json", FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-object.json", FAILURE_INVALID_DOCUMENT, "want an array" },
                { "object.json", FAILURE_INVALID_DOCUMENT, "want an array" },
                { "empty-array.json", FAILURE_EXTRACTION_EMPTY, "none of the 0" },
                { "truncated.json", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "not-objects.json", FAILURE_EXTRACTION_EMPTY, "none of the 4" },
                { "unknown-labels.json", FAILURE_EXTRACTION_EMPTY, "none of the 3" },
                { "export.json", FAILURE_INVALID_DOCUMENT, "only 14 of 27" },
                { "duplicate-keys.json", FAILURE_INVALID_DOCUMENT, "duplicate", true },
        };

        check_hostile(&au, cases, ELEMENTSOF(cases));
}

/* Unknown labels in a full-size export: nothing maps, so the export fails. */
static void test_nothing_maps(void **state _unused_) {
        _cleanup_free_ char *data = NULL, *doc = NULL;
        size_t size;

        data = read_fixture("au", "export.json", &size);
        doc = pad(&au, data, N_FILLER, NULL);
        /* every label of the fillers, and of the fixture, becomes one Smartraveller never used */
        for (char *q = doc; (q = strstr(q, "\"field_overall_advice_level\": \""));) {
                q += strlen("\"field_overall_advice_level\": \"");
                if (*q != '"')
                        *q = '#';
        }
        check_refused(&au, "nothing maps", doc, strlen(doc), FAILURE_EXTRACTION_EMPTY,
                      "none of the");
}

static void test_truncated_everywhere(void **state _unused_) {
        check_truncations(&au, "export.json", 1000);
}

/* A megabyte title, label and address: no country, no level, no crash; the rest stands. */
static void test_huge(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *big = repeat('e', (1 << 20) - 1), *data = NULL, *doc = NULL;
        ExtractError err = {};

        data = strprintf("[{\"title\": \"%s\", \"field_overall_advice_level\": \"" L4 "\"},\n"
                         "{\"title\": \"Nepal\", \"field_overall_advice_level\": \"%s\"},\n"
                         "{\"title\": \"Chad\", \"field_overall_advice_level\": \"" L4 "\", "
                         "\"field_url\": \"https://%s\", \"changed\": \"%s\"}]",
                         big, big, big, big);
        assert_non_null(data);
        doc = pad(&au, data, N_FILLER, NULL);
        assert_int_equal(extract(&au, doc, strlen(doc), &l, &err), N_FILLER + 1);
        const Expected want = { "TD", 4, 0, L4, NULL, NULL };
        check_wanted("huge", &l, &want, 1);
        assert_null(advisory_list_find(&l, "NP"));
}

/* The samples are scraped (DERIVED), not the export: rebuilt as export items, each
 * destination must come out at the level the scraper saw, under the code it chose. Returns the
 * extracted level of KZ. */
static int check_kevle1(const char *name) {
        char path[SAMPLE_PATH_MAX];
        _cleanup_free_ char *export = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        json_t *doc, *items = json_array(), *v;
        ExtractError err = {};
        size_t i;
        int kz;

        assert_true(sample_find(path, name));
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
        if (extract(&au, export, strlen(export), &l, &err) < 0)
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
        char summary[SAMPLE_PATH_MAX];

        if (!sample_find(summary, "australia/marcolussetti_australia_summary_DERIVED.json"))
                skip();

        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *export = NULL;
        json_t *doc, *items = json_array(), *v;
        ExtractError err = {};
        size_t i, per_level[5] = {};

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
        if (extract(&au, export, strlen(export), &l, &err) < 0)
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
