/* test-source-de.c: the Auswärtiges Amt extractor over fixture documents (tests/fixtures/de),
 * grown to a realistic size with filler countries: the four flags and their combinations,
 * lastModified in seconds and milliseconds, entries that are not countries, wrong types, countries
 * listed twice (in any order), a detail document, documents that are not the index ("{}" above
 * all: the service's answer when it fails), and the real index when
 * ../shared/travel-advisory-samples is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "country.h"
#include "source.h"
#include "util.h"

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

typedef struct Expected {
        const char *country;
        int level, regional;
        const char *label;
        const char *updated; /* NULL: none */
        const char *url;
} Expected;

static char *read_fixture(const char *name, size_t *ret_size) {
        const char *dir = getenv("ADVISORYD_TESTDATA");
        _cleanup_free_ char *path = strprintf("%s/de/%s", dir ? dir : "tests/fixtures", name);
        char *data = NULL;
        int r;

        assert_non_null(path);
        r = read_full_file(path, 16 * 1024 * 1024, &data, ret_size);
        if (r < 0)
                fail_msg("cannot read %s: %s", path, strerror(-r));
        return data;
}

static int extract(const char *data, size_t size, AdvisoryList *out, ExtractError *err) {
        ExtractInput in = { .data = data, .size = size, .url = API };
        return source_de_extract(&in, out, err);
}

/* Whether a string of the document starts with the code (any case): "DEU" rules out DE. */
static bool mentions_code(const char *data, const char *code) {
        char k[8];

        snprintf(k, sizeof(k), "\"%s", code);
        return strcasestr(data, k);
}

/* Inserts n filler countries without any flag right after "response": {, with codes the
 * document does not mention. */
static char *pad(const char *data, size_t n, const char **fillers) {
        const char *at = strstr(data, "\"response\": {");
        size_t n_all, k = 0;
        const Country *all = country_all(&n_all);
        Buffer b = {};

        assert_non_null(at);
        at += strlen("\"response\": {");
        assert_int_equal(buffer_append(&b, data, at - data), 0);
        for (size_t i = 0; i < n_all && k < n; i++) {
                const char *c = all[i].alpha2;
                if (mentions_code(data, c))
                        continue;
                assert_int_equal(buffer_printf(&b,
                                               "\"9%06zu\": {\"countryCode\": \"%s\", "
                                               "\"countryName\": \"Füllland\", "
                                               "\"warning\": false, \"partialWarning\": false, "
                                               "\"situationWarning\": false, "
                                               "\"situationPartWarning\": false, "
                                               "\"lastModified\": 1783604826},\n",
                                               i, c),
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

static void check_wanted(const char *what, const AdvisoryList *l, const Expected *want, size_t n) {
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
        for (const char *const *c = fillers; *c; c++) {
                const Advisory *a = advisory_list_find(&l, *c);
                if (!a || a->level != 1 || a->regional_level != 0 || !streq(a->label, NONE))
                        fail_msg("filler %s: missing or wrong", *c);
        }
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                if (advisory_list_find(&l, absent[i]))
                        fail_msg("index.json: a record for %s", absent[i]);
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
                doc = pad(data, N_FILLER, NULL);
                assert_int_equal(extract(doc, strlen(doc), &l, &err), N_FILLER + 1);
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

        data = read_fixture("detail.json", &size);
        assert_int_equal(extract(data, size, &l, &err), 1);
        check_wanted("detail.json", &l, &want, 1);
}

static void test_threshold(void **state _unused_) {
        const size_t readable = 16; /* in index.json */
        _cleanup_free_ char *data = NULL, *below = NULL, *enough = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;

        data = read_fixture("index.json", &size);
        below = pad(data, MIN_COUNTRIES - readable - 1, NULL);
        assert_int_equal(extract(below, strlen(below), &l, &err), -EBADMSG);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
        assert_non_null(strstr(err.message, "fewer than"));
        assert_int_equal(l.n, 0);
        enough = pad(data, MIN_COUNTRIES - readable, NULL);
        assert_int_equal(extract(enough, strlen(enough), &l, &err), MIN_COUNTRIES);
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
                /* the service's answer when it fails: never "no warnings" */
                { "empty-object.json", false, FAILURE_INVALID_DOCUMENT, "empty object" },
                { "empty.json", false, FAILURE_INVALID_DOCUMENT, "empty" },
                { "empty-array.json", false, FAILURE_INVALID_DOCUMENT, "array" },
                { "truncated.json", false, FAILURE_INVALID_DOCUMENT, "truncated" },
                { "error-page.html", false, FAILURE_INVALID_DOCUMENT, "HTML" },
                { "challenge.html", false, FAILURE_BLOCKED, "bot-protection" },
                { "no-response.json", false, FAILURE_INVALID_DOCUMENT, "no \"response\"" },
                { "response-array.json", false, FAILURE_INVALID_DOCUMENT, "no \"response\"" },
                { "response-empty.json", false, FAILURE_EXTRACTION_EMPTY, "no country" },
                { "flags-as-strings.json", false, FAILURE_EXTRACTION_EMPTY, "no country" },
                { "detail-without-content.json", false, FAILURE_INVALID_DOCUMENT, "fewer than" },
                { "index.json", false, FAILURE_INVALID_DOCUMENT, "only 16 countries" },
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

/* Megabyte content ids, names and HTML: the record stands, the id gives no page URL. */
static void test_huge(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *big = malloc(1 << 20), *data = NULL, *doc = NULL;
        const Expected want = { "NE", 4, 0, W, NULL, API };
        ExtractError err = {};

        assert_non_null(big);
        memset(big, '7', (1 << 20) - 1);
        big[(1 << 20) - 1] = '\0';
        data = strprintf("{\"response\": {\"%s\": {\"countryCode\": \"NE\", \"countryName\": "
                         "\"%s\", \"content\": \"%s\", \"warning\": true, \"partialWarning\": "
                         "false, \"situationWarning\": false, \"situationPartWarning\": false}}}",
                         big, big, big);
        assert_non_null(data);
        doc = pad(data, N_FILLER, NULL);
        assert_int_equal(extract(doc, strlen(doc), &l, &err), N_FILLER + 1);
        check_wanted("huge", &l, &want, 1);
}

static char *sample_path(const char *name) {
        const char *dir = getenv("ADVISORYD_SAMPLES");
        char *p = strprintf("%s/%s", dir ? dir : "../shared/travel-advisory-samples", name);
        assert_non_null(p);
        return p;
}

/* The real index (July 2026): 200 countries, 18 with a Reisewarnung (level 4), 27 more with a
 * Teilreisewarnung (regional level 4); and the real detail document for Nepal. */
static void test_samples(void **state _unused_) {
        _cleanup_free_ char *index = sample_path("germany/JGNWW_de-travelwarning-index.json");
        _cleanup_free_ char *nepal =
                sample_path("germany/JGNWW_de-travelwarning-221216-nepal.json");
        _cleanup_free_ char *data = NULL, *data2 = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {}, np = {};
        size_t size, n4 = 0, n_regional = 0;
        ExtractError err = {};

        if (access(index, R_OK) < 0 || access(nepal, R_OK) < 0) {
                index = mfree(index); /* skip() jumps past the cleanup handlers */
                nepal = mfree(nepal);
                skip();
        }
        assert_int_equal(read_full_file(index, 16 * 1024 * 1024, &data, &size), 0);
        if (extract(data, size, &l, &err) < 0)
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
        assert_int_equal(extract(data2, size, &np, &err), 1);
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
