/* test-source-ca.c: the Global Affairs Canada extractor over fixture indexes (tests/fixtures/ca),
 * grown to a realistic size with filler destinations: the four states, regional advisories,
 * dates, keys that are not countries (subdivisions such as PT-20, unknown codes), wrong types,
 * documents that are not the index (which must fail with the right class and add nothing), and
 * the real index when ../shared/travel-advisory-samples is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "country.h"
#include "source.h"
#include "util.h"

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

typedef struct Expected {
        const char *country;
        int level, regional;
        const char *label;
        const char *updated; /* NULL: none */
        const char *url;     /* NULL: none */
} Expected;

static char *read_fixture(const char *name, size_t *ret_size) {
        const char *dir = getenv("ADVISORYD_TESTDATA");
        _cleanup_free_ char *path = strprintf("%s/ca/%s", dir ? dir : "tests/fixtures", name);
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
                            .url = "https://data.international.gc.ca/travel-voyage/"
                                   "index-alpha-eng.json" };
        return source_ca_extract(&in, out, err);
}

/* Whether the document mentions a key "XX" or "XX-…" (any case). */
static bool mentions_code(const char *data, const char *code) {
        char k1[8], k2[8];

        snprintf(k1, sizeof(k1), "\"%s\"", code);
        snprintf(k2, sizeof(k2), "\"%s-", code);
        return strcasestr(data, k1) || strcasestr(data, k2);
}

/* Inserts n filler destinations (level 1) right after "data": {, with codes the document does
 * not mention; writes their codes to fillers (NULL-terminated, up to n). */
static char *pad(const char *data, size_t n, const char **fillers) {
        const char *at = strstr(data, "\"data\": {");
        size_t n_all, k = 0;
        const Country *all = country_all(&n_all);
        Buffer b = {};

        assert_non_null(at);
        at += strlen("\"data\": {");
        assert_int_equal(buffer_append(&b, data, at - data), 0);
        for (size_t i = 0; i < n_all && k < n; i++) {
                const char *c = all[i].alpha2;
                if (mentions_code(data, c))
                        continue;
                _cleanup_free_ char *slug = strdup(c);
                ascii_strlower(slug);
                assert_int_equal(buffer_printf(&b,
                                               "\"%s\": {\"country-iso\": \"%s\", "
                                               "\"advisory-state\": 0, "
                                               "\"has-regional-advisory\": 0, "
                                               "\"date-published\": {\"timestamp\": 1782236559, "
                                               "\"date\": \"2026-06-23 13:42:39\", "
                                               "\"asp\": \"2026-06-23T13:42:39-04:00\"}, "
                                               "\"eng\": {\"url-slug\": \"filler-%s\"}},\n",
                                               c, c, slug),
                                 0);
                if (fillers)
                        fillers[k] = c;
                k++;
        }
        assert_int_equal(k, n);
        if (fillers)
                fillers[k] = NULL;
        assert_int_equal(buffer_puts(&b, at), 0);
        return buffer_steal(&b);
}

static void check_wanted(const char *what, const AdvisoryList *l, const Expected *want,
                           size_t n) {
        for (size_t i = 0; i < n; i++) {
                const Expected *e = &want[i];
                const Advisory *a = advisory_list_find(l, e->country);

                if (!a)
                        fail_msg("%s: no record for %s", what, e->country);
                if (a->level != e->level || a->regional_level != e->regional)
                        fail_msg("%s: %s level %d/%d, want %d/%d", what, a->country, a->level,
                                 a->regional_level, e->level, e->regional);
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

static void check_fillers(const AdvisoryList *l, const char *const *fillers) {
        for (const char *const *c = fillers; *c; c++) {
                const Advisory *a = advisory_list_find(l, *c);
                if (!a || a->level != 1 || a->regional_level != 0 || !streq(a->label, L1))
                        fail_msg("filler %s: missing or wrong", *c);
        }
}

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
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL, *doc = NULL;
        const char *fillers[N_FILLER + 1];
        ExtractError err = {};
        size_t size;
        int r;

        data = read_fixture("index.json", &size);
        doc = pad(data, N_FILLER, fillers);
        r = extract(doc, strlen(doc), &l, &err);
        if (r < 0)
                fail_msg("index.json: %s: %s", failure_class_to_string(err.failure), err.message);
        assert_int_equal(r, (int) l.n);
        assert_int_equal(l.n, ELEMENTSOF(want) + N_FILLER);
        check_wanted("index.json", &l, want, ELEMENTSOF(want));
        check_fillers(&l, fillers);
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                if (advisory_list_find(&l, absent[i]))
                        fail_msg("index.json: a record for %s", absent[i]);
        for (size_t i = 1; i < l.n; i++)
                assert_true(strcmp(l.items[i - 1].country, l.items[i].country) < 0);
}

/* Readable countries decide: one fewer than the threshold is refused, the threshold passes. */
static void test_threshold(void **state _unused_) {
        const size_t readable = 12; /* in index.json */
        _cleanup_free_ char *data = NULL, *below = NULL, *enough = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;

        data = read_fixture("index.json", &size);
        assert_int_equal(extract(data, size, &l, &err), -EBADMSG);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
        assert_non_null(strstr(err.message, "fewer than"));
        below = pad(data, MIN_COUNTRIES - readable - 1, NULL);
        assert_int_equal(extract(below, strlen(below), &l, &err), -EBADMSG);
        assert_int_equal(l.n, 0);
        enough = pad(data, MIN_COUNTRIES - readable, NULL);
        assert_int_equal(extract(enough, strlen(enough), &l, &err), MIN_COUNTRIES);
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

        doc = pad(data, N_FILLER, NULL);
        assert_true(extract(doc, strlen(doc), &l, &err) > 0);
        const Expected want = { "UA", 4, 0, L4, NULL, WEB "ukraine" };
        check_wanted("text lags", &l, &want, 1);
}

typedef struct HostileCase {
        const char *file;
        bool padded; /* grown to a realistic size first */
        FailureClass failure;
        const char *reason; /* a part of the message */
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
                { "empty.json", false, FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-object.json", false, FAILURE_INVALID_DOCUMENT, "not the Canadian index" },
                { "empty-array.json", false, FAILURE_INVALID_DOCUMENT, "array" },
                { "truncated.json", false, FAILURE_INVALID_DOCUMENT, "truncated" },
                { "error-page.html", false, FAILURE_INVALID_DOCUMENT, "HTML" },
                { "blocked.html", false, FAILURE_BLOCKED, "Akamai" },
                { "no-metadata.json", false, FAILURE_INVALID_DOCUMENT, "metadata" },
                { "data-array.json", false, FAILURE_INVALID_DOCUMENT, "data" },
                { "data-empty.json", false, FAILURE_EXTRACTION_EMPTY, "none of the 0" },
                { "states-as-strings.json", false, FAILURE_EXTRACTION_EMPTY, "none of the 3" },
                { "only-subdivisions.json", false, FAILURE_EXTRACTION_EMPTY, "none of the 2" },
                { "index.json", false, FAILURE_INVALID_DOCUMENT, "fewer than 100" },
                /* a key twice: which value holds? Refused even in a full-size index */
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

/* Cuts all over a full-size index (a thousand of them) are refused. */
static void test_truncated_everywhere(void **state _unused_) {
        _cleanup_free_ char *data = NULL, *doc = NULL;
        size_t size, end;

        data = read_fixture("index.json", &size);
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

/* A megabyte slug and country name: the record stands, the slug gives no URL. */
static void test_huge(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *big = malloc(1 << 20), *data = NULL, *doc = NULL;
        ExtractError err = {};

        assert_non_null(big);
        memset(big, 'a', (1 << 20) - 1);
        big[(1 << 20) - 1] = '\0';
        data = strprintf("{\"metadata\": {}, \"data\": {\n\"TD\": {\"advisory-state\": 2, "
                         "\"country-eng\": \"%s\", \"eng\": {\"url-slug\": \"%s\"}}}}",
                         big, big);
        assert_non_null(data);
        doc = pad(data, N_FILLER, NULL);
        assert_true(extract(doc, strlen(doc), &l, &err) > 0);
        const Expected want = { "TD", 3, 0, L3, NULL, NULL };
        check_wanted("huge", &l, &want, 1);
}

static char *sample_path(const char *name) {
        const char *dir = getenv("ADVISORYD_SAMPLES");
        char *p = strprintf("%s/%s", dir ? dir : "../shared/travel-advisory-samples", name);
        assert_non_null(p);
        return p;
}

/* The real index (July 2026): a record for each of its 229 two-letter keys, level =
 * advisory-state + 1; PT-20 (the Azores) is no record of its own and leaves Portugal's level. */
static void test_sample(void **state _unused_) {
        _cleanup_free_ char *path = sample_path("canada/JGNWW_ca-index-alpha-eng.json");
        _cleanup_free_ char *data = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        json_t *doc, *v;
        const char *key;
        size_t size, n_keys = 0;

        if (access(path, R_OK) < 0) {
                path = mfree(path); /* skip() jumps past the cleanup handlers */
                skip();
        }
        assert_int_equal(read_full_file(path, 16 * 1024 * 1024, &data, &size), 0);
        if (extract(data, size, &l, &err) < 0)
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
