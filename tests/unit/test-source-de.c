/* test-source-de.c: the Auswärtiges Amt extractor over fixture documents (tests/fixtures/de),
 * grown to a realistic size with filler countries: the four flags and their combinations,
 * lastModified in seconds and milliseconds, entries that are not countries, wrong types, countries
 * listed twice (in any order), a detail document, documents that are not the index ("{}" above
 * all: the service's answer when it fails), and the real index when
 * ../shared/travel-advisory-samples is there. */
#include "extract-test.h"

/* DE_MIN_COUNTRIES in source-de.c: fewer countries and the index is refused. */
#define MIN_COUNTRIES 100
#define N_FILLER 110

#define WEB "https://www.auswaertiges-amt.de/de/-/"
#define API "https://www.auswaertiges-amt.de/opendata/travelwarning"
#define W "Reisewarnung"
#define WS "Reisewarnung (Lage)"
#define P "Teilreisewarnung"
#define PS "Teilreisewarnung (Lage)"
#define NONE "Keine Reisewarnung"

/* Whether a string of the document starts with the code (any case): "DEU" rules out DE. */
static bool mentions_code(const char *data, const char *code) {
        char k[8];

        snprintf(k, sizeof(k), "\"%s", code);
        return strcasestr(data, k);
}

/* A filler country without any flag, for a code the document does not mention. */
static bool filler_usable(const Country *c, const char *data) {
        return !mentions_code(data, c->alpha2);
}

static int filler_append(Buffer *b, const Country *c, size_t i) {
        return buffer_printf(b,
                             "\"9%06zu\": {\"countryCode\": \"%s\", "
                             "\"countryName\": \"Füllland\", "
                             "\"warning\": false, \"partialWarning\": false, "
                             "\"situationWarning\": false, "
                             "\"situationPartWarning\": false, "
                             "\"lastModified\": 1783604826},\n",
                             i, c->alpha2);
}

static const ExtractTest de = {
        .extract = source_de_extract,
        .url = API,
        .fixtures = "de",
        .filler = &(const Filler){ .after = "\"response\": {", .n = N_FILLER, .label = NONE,
                                   .usable = filler_usable, .append = filler_append },
};

static void test_index(void **state _unused_) {
        static const Expected want[] = {
                { "NP", 1, 0, NONE, "2026-07-09T13:47:06Z", WEB "201001" },
                { "AF", 4, 0, W, "2026-06-09T10:13:20Z", WEB "201002" },
                { "CD", 1, 4, P, "2026-07-03T08:39:56Z", WEB "201003" },
                { "IL", 4, 0, WS, "2026-06-25T08:40:03Z", WEB "201004" },
                { "LB", 1, 4, PS, "2026-06-25T08:40:03Z", WEB "201005" },
                /* warning and a partial warning: the partial one adds nothing */
                { "RU", 4, 0, W, "2026-02-02T02:40:00Z", WEB "201006" },
                { "UA", 4, 0, WS, "2026-03-27T11:30:00Z", WEB "201007" },
                { "TR", 1, 4, P, "2026-05-28T20:26:40Z", WEB "201008" },
                /* lastModified in milliseconds */
                { "FR", 1, 0, NONE, "2026-07-09T13:47:06Z", WEB "201009" },
                /* no lastModified, or one of the wrong type */
                { "JP", 1, 0, NONE, NULL, WEB "201010" },
                { "KR", 1, 0, NONE, NULL, WEB "201011" },
                /* listed twice: the warning beats the partial warning (in the other order too) */
                { "SD", 4, 0, W, "2026-05-17T06:40:00Z", WEB "201022" },
                /* twice at the same level: the newest; equal: the smaller content id */
                { "ML", 1, 0, NONE, "2026-07-08T08:40:00Z", WEB "201023" },
                { "MM", 1, 4, P, "2026-07-06T01:06:40Z", WEB "201025" },
                /* a key that is not a content id: the interface's address */
                { "XK", 1, 0, NONE, "2026-03-19T16:16:02Z", API },
                { "MX", 1, 0, NONE, "2026-07-03T17:33:20Z", WEB "201027" },
        };
        /* not countries (no countryCode, "", "XX", "DEU") and unreadable flags */
        static const char *const absent[] = { "DE", "BR", "AR", "CL", "PE", "GT" };
        const FixtureCase c = FIXTURE_CASE("index.json", want);
        _cleanup_advisory_list_ AdvisoryList l = {};

        check_padded_fixture(&de, &c, &l);
        check_absent("index.json", &l, absent, ELEMENTSOF(absent));
        for (size_t i = 1; i < l.n; i++)
                assert_true(strcmp(l.items[i - 1].country, l.items[i].country) < 0);
}

/* A country listed twice gives the same record whatever the order of the entries. */
static void test_duplicates_any_order(void **state _unused_) {
        static const char *const entries[] = {
                "\"300001\": {\"countryCode\": \"SO\", \"warning\": false, \"partialWarning\": "
                "true, \"situationWarning\": false, \"situationPartWarning\": false, "
                "\"lastModified\": 1783000000}",
                "\"300002\": {\"countryCode\": \"SO\", \"warning\": false, \"partialWarning\": "
                "false, \"situationWarning\": true, \"situationPartWarning\": false, "
                "\"lastModified\": 1779000000}",
                "\"300003\": {\"countryCode\": \"SO\", \"warning\": false, \"partialWarning\": "
                "false, \"situationWarning\": false, \"situationPartWarning\": false, "
                "\"lastModified\": 1784000000}",
        };
        static const int orders[][3] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 }, { 2, 0, 1 } };
        const Expected want = { "SO", 4, 0, WS, "2026-05-17T06:40:00Z", WEB "300002" };

        for (size_t i = 0; i < ELEMENTSOF(orders); i++) {
                _cleanup_advisory_list_ AdvisoryList l = {};
                _cleanup_free_ char *data = NULL, *doc = NULL;
                ExtractError err = {};

                data = strprintf("{\"response\": {%s, %s, %s}}", entries[orders[i][0]],
                                 entries[orders[i][1]], entries[orders[i][2]]);
                assert_non_null(data);
                doc = pad(&de, data, N_FILLER, NULL);
                assert_int_equal(extract(&de, doc, strlen(doc), &l, &err), N_FILLER + 1);
                check_wanted(data, &l, &want, 1);
        }
}

/* A country's detail document holds that one country and is read as such. */
static void test_detail(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL;
        const Expected want = { "NP", 1, 0, NONE, "2026-07-09T13:47:06Z", WEB "221999" };
        ExtractError err = {};
        size_t size;

        data = read_fixture("de", "detail.json", &size);
        assert_int_equal(extract(&de, data, size, &l, &err), 1);
        check_wanted("detail.json", &l, &want, 1);
}

static void test_threshold(void **state _unused_) {
        const size_t readable = 16; /* in index.json */
        check_threshold(&de, "index.json", readable, MIN_COUNTRIES);
}

static void test_hostile(void **state _unused_) {
        static const HostileCase cases[] = {
                /* the service's answer when it fails: never "no warnings" */
                { "empty-object.json", FAILURE_INVALID_DOCUMENT, "empty object" },
                { "empty.json", FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-array.json", FAILURE_INVALID_DOCUMENT, "array" },
                { "truncated.json", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "error-page.html", FAILURE_INVALID_DOCUMENT, "HTML" },
                { "challenge.html", FAILURE_BLOCKED, "bot-protection" },
                { "no-response.json", FAILURE_INVALID_DOCUMENT, "no \"response\"" },
                { "response-array.json", FAILURE_INVALID_DOCUMENT, "no \"response\"" },
                { "response-empty.json", FAILURE_EXTRACTION_EMPTY, "no country" },
                { "flags-as-strings.json", FAILURE_EXTRACTION_EMPTY, "no country" },
                { "detail-without-content.json", FAILURE_INVALID_DOCUMENT, "fewer than" },
                { "index.json", FAILURE_INVALID_DOCUMENT, "only 16 countries" },
                { "duplicate-keys.json", FAILURE_INVALID_DOCUMENT, "duplicate", true },
        };

        check_hostile(&de, cases, ELEMENTSOF(cases));
}

static void test_truncated_everywhere(void **state _unused_) {
        check_truncations(&de, "index.json", 1000);
}

/* Megabyte content ids, names and HTML: the record stands, the id gives no page URL. */
static void test_huge(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *big = repeat('7', (1 << 20) - 1), *data = NULL, *doc = NULL;
        const Expected want = { "NE", 4, 0, W, NULL, API };
        ExtractError err = {};

        data = strprintf("{\"response\": {\"%s\": {\"countryCode\": \"NE\", \"countryName\": "
                         "\"%s\", \"content\": \"%s\", \"warning\": true, \"partialWarning\": "
                         "false, \"situationWarning\": false, \"situationPartWarning\": false}}}",
                         big, big, big);
        assert_non_null(data);
        doc = pad(&de, data, N_FILLER, NULL);
        assert_int_equal(extract(&de, doc, strlen(doc), &l, &err), N_FILLER + 1);
        check_wanted("huge", &l, &want, 1);
}

/* The real index (July 2026): 200 countries, 18 with a Reisewarnung (level 4), 27 more with a
 * Teilreisewarnung (regional level 4); and the real detail document for Nepal. */
static void test_samples(void **state _unused_) {
        char index[SAMPLE_PATH_MAX], nepal[SAMPLE_PATH_MAX];

        if (!sample_find(index, "germany/JGNWW_de-travelwarning-index.json") ||
            !sample_find(nepal, "germany/JGNWW_de-travelwarning-221216-nepal.json"))
                skip();

        _cleanup_free_ char *data = NULL, *data2 = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {}, np = {};
        size_t size, n4 = 0, n_regional = 0;
        ExtractError err = {};

        assert_int_equal(read_full_file(index, 16 * 1024 * 1024, &data, &size), 0);
        if (extract(&de, data, size, &l, &err) < 0)
                fail_msg("%s: %s", index, err.message);
        for (size_t i = 0; i < l.n; i++) {
                n4 += l.items[i].level == 4;
                n_regional += l.items[i].level == 1 && l.items[i].regional_level == 4;
                assert_true(l.items[i].level == 4 || l.items[i].level == 1);
        }
        assert_int_equal(l.n, 200);
        assert_int_equal(n4, 18);
        assert_int_equal(n_regional, 27);
        assert_int_equal(advisory_list_find(&l, "NP")->level, 1);

        assert_int_equal(read_full_file(nepal, 16 * 1024 * 1024, &data2, &size), 0);
        assert_int_equal(extract(&de, data2, size, &np, &err), 1);
        const Expected want = { "NP", 1, 0, NONE, "2026-07-09T13:47:06Z", WEB "221216" };
        check_wanted(nepal, &np, &want, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_index),
                cmocka_unit_test(test_duplicates_any_order),
                cmocka_unit_test(test_detail),
                cmocka_unit_test(test_threshold),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_truncated_everywhere),
                cmocka_unit_test(test_huge),
                cmocka_unit_test(test_samples),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
