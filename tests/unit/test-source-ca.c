/* test-source-ca.c: the Global Affairs Canada extractor over fixture indexes (tests/fixtures/ca),
 * grown to a realistic size with filler destinations: the four states, regional advisories,
 * dates, keys that are not countries (subdivisions such as PT-20, unknown codes), wrong types,
 * documents that are not the index (which must fail with the right class and add nothing), and
 * the real index when ../shared/travel-advisory-samples is there. */
#include <jansson.h>

#include "extract-test.h"

/* CA_MIN_COUNTRIES in source-ca.c: fewer readable countries and the index is refused. */
#define MIN_COUNTRIES 100
/* Filler destinations added to the fixtures, so that they pass as a whole index. */
#define N_FILLER 110

#define WEB "https://travel.gc.ca/destinations/"
#define L1 "Take normal security precautions"
#define L2 "Exercise a high degree of caution"
#define L3 "Avoid non-essential travel"
#define L4 "Avoid all travel"
#define REG " (with regional advisories)"

/* Whether the document mentions a key "XX" or "XX-…" (any case). */
static bool mentions_code(const char *data, const char *code) {
        char k1[8], k2[8];

        snprintf(k1, sizeof(k1), "\"%s\"", code);
        snprintf(k2, sizeof(k2), "\"%s-", code);
        return strcasestr(data, k1) || strcasestr(data, k2);
}

/* A filler destination (level 1) for a code the document does not mention. */
static bool filler_usable(const Country *c, const char *data) {
        return !mentions_code(data, c->alpha2);
}

static int filler_append(Buffer *b, const Country *c, size_t i) {
        _cleanup_free_ char *slug = strdup(c->alpha2);

        ascii_strlower(slug);
        return buffer_printf(b,
                             "\"%s\": {\"country-iso\": \"%s\", "
                             "\"advisory-state\": 0, "
                             "\"has-regional-advisory\": 0, "
                             "\"date-published\": {\"timestamp\": 1782236559, "
                             "\"date\": \"2026-06-23 13:42:39\", "
                             "\"asp\": \"2026-06-23T13:42:39-04:00\"}, "
                             "\"eng\": {\"url-slug\": \"filler-%s\"}},\n",
                             c->alpha2, c->alpha2, slug);
}

static const ExtractTest ca = {
        .extract = source_ca_extract,
        .url = "https://data.international.gc.ca/travel-voyage/index-alpha-eng.json",
        .fixtures = "ca",
        .filler = &(const Filler){ .after = "\"data\": {", .n = N_FILLER, .label = L1,
                                   .usable = filler_usable, .append = filler_append },
};

static void test_index(void **state _unused_) {
        static const Expected want[] = {
                /* the four states; asp gives the exact time */
                { "KZ", 1, 0, L1, "2026-06-23T17:42:39Z", WEB "kazakhstan" },
                /* without asp, the timestamp; regional advisory: level unknown, said in label */
                { "NO", 2, 0, L2 REG, "2026-01-10T14:00:00Z", WEB "norway" },
                /* only the Eastern local date: its day */
                { "CO", 3, 0, L3 REG, "2026-05-04", WEB "colombia" },
                { "YE", 4, 0, L4, NULL, WEB "yemen" },
                { "XK", 1, 0, L1 REG, "2026-06-23T17:42:39Z", WEB "kosovo" },
                /* IC: exceptionally reserved for the Canary Islands, a destination of its own */
                { "IC", 2, 0, L2, "2026-06-23T17:42:39Z", WEB "canary-islands" },
                /* ES-CN (state 2) is part of Spain: Spain's regional level, not its level */
                { "ES", 1, 3, L1, "2026-06-23T17:42:39Z", WEB "spain" },
                /* PT-20 (state 0) changes nothing; PT-30 (state 1, listed before PT) raises
                 * regional; neither replaces Portugal */
                { "PT", 1, 2, L1, "2026-06-23T17:42:39Z", WEB "portugal" },
                { "FI", 1, 0, L1, "2026-06-23T17:42:39Z", NULL },
                { "SE", 1, 0, L1, "2026-06-23T17:42:39Z", NULL },
                { "NL", 1, 0, L1 REG, "2026-06-23T17:42:39Z", WEB "netherlands" },
                { "BE", 1, 0, L1, "2026-06-23T17:42:39Z", WEB "belgium" },
        };
        /* skipped: unknown or lower-case keys, subdivisions without their country, advisory-state
         * absent or of the wrong type or range, entries that are not objects, a key that
         * contradicts country-iso */
        static const char *const absent[] = {
                "ZZ", "PE", "MX", "EH", "IT", "BR", "AR", "CL", "UY",
                "PY", "BO", "EC", "VE", "GY", "DK", "DE",
        };
        const FixtureCase c = FIXTURE_CASE("index.json", want);
        _cleanup_advisory_list_ AdvisoryList l = {};

        check_padded_fixture(&ca, &c, &l);
        check_absent("index.json", &l, absent, ELEMENTSOF(absent));
        for (size_t i = 1; i < l.n; i++)
                assert_true(strcmp(l.items[i - 1].country, l.items[i].country) < 0);
}

/* Readable countries decide: one fewer than the threshold is refused, the threshold passes. */
static void test_threshold(void **state _unused_) {
        const size_t readable = 12; /* in index.json */
        _cleanup_free_ char *data = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;

        data = read_fixture("ca", "index.json", &size);
        assert_int_equal(extract(&ca, data, size, &l, &err), -EBADMSG);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
        assert_non_null(strstr(err.message, "fewer than"));
        check_threshold(&ca, "index.json", readable, MIN_COUNTRIES);
}

/* The level comes from advisory-state alone: text that disagrees changes nothing. */
static void test_state_not_text(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *doc = NULL;
        const char *data =
                "{\"metadata\": {}, \"data\": {\n"
                "\"UA\": {\"advisory-state\": 3, \"eng\": {\"advisory-text\": "
                "\"Take normal security precautions\", \"url-slug\": \"ukraine\"}}}}";
        ExtractError err = {};

        doc = pad(&ca, data, N_FILLER, NULL);
        assert_true(extract(&ca, doc, strlen(doc), &l, &err) > 0);
        const Expected want = { "UA", 4, 0, L4, NULL, WEB "ukraine" };
        check_wanted("text lags", &l, &want, 1);
}

static void test_hostile(void **state _unused_) {
        static const HostileCase cases[] = {
                { "empty.json", FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-object.json", FAILURE_INVALID_DOCUMENT, "not the Canadian index" },
                { "empty-array.json", FAILURE_INVALID_DOCUMENT, "array" },
                { "truncated.json", FAILURE_INVALID_DOCUMENT, "truncated" },
                { "error-page.html", FAILURE_INVALID_DOCUMENT, "HTML" },
                { "blocked.html", FAILURE_BLOCKED, "Akamai" },
                { "no-metadata.json", FAILURE_INVALID_DOCUMENT, "metadata" },
                { "data-array.json", FAILURE_INVALID_DOCUMENT, "data" },
                { "data-empty.json", FAILURE_EXTRACTION_EMPTY, "none of the 0" },
                { "states-as-strings.json", FAILURE_EXTRACTION_EMPTY, "none of the 3" },
                { "only-subdivisions.json", FAILURE_EXTRACTION_EMPTY, "none of the 2" },
                { "index.json", FAILURE_INVALID_DOCUMENT, "fewer than 100" },
                /* a key twice: which value holds? Refused even in a full-size index */
                { "duplicate-keys.json", FAILURE_INVALID_DOCUMENT, "duplicate", true },
        };

        check_hostile(&ca, cases, ELEMENTSOF(cases));
}

/* Cuts all over a full-size index (a thousand of them) are refused. */
static void test_truncated_everywhere(void **state _unused_) {
        check_truncations(&ca, "index.json", 1000);
}

/* A megabyte slug and country name: the record stands, the slug gives no URL. */
static void test_huge(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *big = repeat('a', (1 << 20) - 1), *data = NULL, *doc = NULL;
        ExtractError err = {};

        data = strprintf("{\"metadata\": {}, \"data\": {\n\"TD\": {\"advisory-state\": 2, "
                         "\"country-eng\": \"%s\", \"eng\": {\"url-slug\": \"%s\"}}}}",
                         big, big);
        assert_non_null(data);
        doc = pad(&ca, data, N_FILLER, NULL);
        assert_true(extract(&ca, doc, strlen(doc), &l, &err) > 0);
        const Expected want = { "TD", 3, 0, L3, NULL, NULL };
        check_wanted("huge", &l, &want, 1);
}

/* The real index (July 2026): a record for each of its 229 two-letter keys, level =
 * advisory-state + 1; PT-20 (the Azores) is no record of its own and leaves Portugal's level. */
static void test_sample(void **state _unused_) {
        char path[SAMPLE_PATH_MAX];

        if (!sample_find(path, "canada/JGNWW_ca-index-alpha-eng.json"))
                skip();

        _cleanup_free_ char *data = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        json_t *doc, *v;
        const char *key;
        size_t size, n_keys = 0;

        assert_int_equal(read_full_file(path, 16 * 1024 * 1024, &data, &size), 0);
        if (extract(&ca, data, size, &l, &err) < 0)
                fail_msg("%s: %s", path, err.message);
        doc = json_loads(data, 0, NULL);
        assert_non_null(doc);
        json_object_foreach(json_object_get(doc, "data"), key, v) {
                const Advisory *a = advisory_list_find(&l, key);
                json_int_t st = json_integer_value(json_object_get(v, "advisory-state"));

                if (strlen(key) != 2) {
                        assert_null(a);
                        continue;
                }
                n_keys++;
                if (!a)
                        fail_msg("%s: no record", key);
                if (a->level != st + 1)
                        fail_msg("%s: level %d, advisory-state %d", key, a->level, (int) st);
        }
        json_decref(doc);
        assert_int_equal(n_keys, 229);
        assert_int_equal(l.n, 229);
        assert_null(advisory_list_find(&l, "PT-20"));
        assert_int_equal(advisory_list_find(&l, "PT")->level, 1);
        assert_int_equal(advisory_list_find(&l, "NP")->level, 2);
        assert_string_equal(advisory_list_find(&l, "NP")->updated, "2026-06-23T17:42:39Z");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_index),
                cmocka_unit_test(test_threshold),
                cmocka_unit_test(test_state_not_text),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_truncated_everywhere),
                cmocka_unit_test(test_huge),
                cmocka_unit_test(test_sample),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
