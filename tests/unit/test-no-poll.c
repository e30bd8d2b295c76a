/* test-no-poll.c: the pure parts of the Norwegian source's driver (source-no-poll.c): page ids and
 * addresses of regjeringen.no, the A–Å index of country pages and the RSS feed of changed pages
 * (tests/fixtures/no), including documents that are neither (challenge pages, error pages,
 * truncated feeds), which must fail with the right class. The driver itself runs in
 * tests/integration/test_source_no.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "no-poll.h"
#include "timeutil.h"
#include "util.h"

#define SITE "https://www.regjeringen.no"
#define VELG SITE "/no/tema/utenrikssaker/reiseinformasjon/velg-land/"
#define INDEX VELG "id2414273/"
#define MIRROR "http://127.0.0.1:8080/no/tema/utenrikssaker/reiseinformasjon/velg-land/id2414273/"

static char *fixture_read(const char *name, size_t *ret_size) {
        const char *dir = getenv("ADVISORYD_TESTDATA");
        _cleanup_free_ char *path = strprintf("%s/no/%s", dir ? dir : "tests/fixtures", name);
        char *data = NULL;
        int r;

        assert_non_null(path);
        r = read_full_file(path, 16 * 1024 * 1024, &data, ret_size);
        if (r < 0)
                fail_msg("cannot read %s: %s", path, strerror(-r));
        return data;
}

static void test_page_id(void **state _unused_) {
        static const struct {
                const char *url, *id; /* NULL: not a country page */
        } cases[] = {
                { VELG "reiseinfo_afghanistan/id2415875/", "2415875" },
                { VELG "reiseinfo_afghanistan/id2415875", "2415875" },
                { VELG "reiseinfo_tonga/id2415548/?utm_source=regjeringen.no&utm_medium=rss", "2415548" },
                { VELG "komorene_reiseinfo/id2740675/#innreise", "2740675" },
                { VELG "barbados---reiseinformasjon/id2428970/", "2428970" },
                { "HTTP://127.0.0.1:8080/no/tema/utenrikssaker/reiseinformasjon/velg-land/x/id1/", "1" },
                { INDEX, NULL },
                { VELG "id2414273", NULL },
                { VELG "/id2415875/", NULL },                       /* no slug */
                { VELG "reiseinfo_x/idabc/", NULL },
                { VELG "reiseinfo_x/id/", NULL },
                { VELG "reiseinfo_x/id12345678901234567890/", NULL }, /* too long */
                { VELG "reiseinfo_afghanistan/id2415875/kontakt/", NULL },
                { VELG "reiseinfo_afghanistan/id2415875x/", NULL },
                { VELG "reiseinfo_afghanistan/", NULL },
                { SITE "/no/tema/utenrikssaker/reiseinformasjon/static/reiseadvarsel/id2422676/", NULL },
                { "ftp://www.regjeringen.no/no/tema/utenrikssaker/reiseinformasjon/velg-land/x/id1/", NULL },
                { "/no/tema/utenrikssaker/reiseinformasjon/velg-land/x/id1/", NULL }, /* relative */
                { "https:///velg-land/x/id1/", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char id[NO_ID_MAX];
                int r = no_page_id(cases[i].url, id);
                const char *got = r >= 0 ? id : NULL;

                if (!streq_ptr(got, cases[i].id))
                        fail_msg("%s: %s, want %s", cases[i].url, strna(got), strna(cases[i].id));
        }
}

static void test_page_url(void **state _unused_) {
        static const struct {
                const char *origin, *url, *want;
        } cases[] = {
                { INDEX, VELG "reiseinfo_tonga/id2415548/?utm_source=regjeringen.no&utm_medium=rss",
                  VELG "reiseinfo_tonga/id2415548/" },
                { MIRROR, VELG "reiseinfo_tonga/id2415548/#x",
                  "http://127.0.0.1:8080/no/tema/utenrikssaker/reiseinformasjon/velg-land/reiseinfo_tonga/id2415548/" },
                { "http://127.0.0.1:8080", SITE "/a?b", "http://127.0.0.1:8080/a" },
                { "file:///etc/passwd", VELG "x/id1/", NULL },
                { INDEX, "/no/relative/", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *got = no_page_url(cases[i].origin, cases[i].url);

                if (!streq_ptr(got, cases[i].want))
                        fail_msg("%s on %s: %s, want %s", cases[i].url, cases[i].origin, strna(got),
                                 strna(cases[i].want));
        }
}

static void test_rss_url(void **state _unused_) {
        _cleanup_free_ char *a = no_rss_url(INDEX), *b = no_rss_url(MIRROR),
                            *c = no_rss_url("no-url");

        assert_string_equal(a, SITE "/no/aktuelt/rss/id2581966/?documenttype=reiseinformasjon&ownerid=833");
        assert_string_equal(b, "http://127.0.0.1:8080/no/aktuelt/rss/id2581966/?documenttype=reiseinformasjon&ownerid=833");
        assert_null(c);
}

typedef struct Ref {
        const char *id, *url;
        const char *updated; /* ISO 8601; NULL: 0 */
} Ref;

static void check_refs(const char *what, const NoPageRef *got, size_t n, const Ref *want,
                       size_t n_want) {
        for (size_t i = 0; i < MIN(n, n_want); i++) {
                time_t t = 0;

                if (want[i].updated)
                        assert_int_equal(parse_iso8601(want[i].updated, &t), 0);
                if (!streq(got[i].id, want[i].id) || !streq(got[i].url, want[i].url) ||
                    got[i].updated != t)
                        fail_msg("%s: #%zu is %s %s %lld, want %s %s %lld", what, i, got[i].id,
                                 got[i].url, (long long) got[i].updated, want[i].id, want[i].url,
                                 (long long) t);
        }
        if (n != n_want)
                fail_msg("%s: %zu pages, want %zu", what, n, n_want);
}

/* Links to country pages in any form, each id once, on the index's host; nothing else. */
static void test_index(void **state _unused_) {
        static const Ref want[] = {
                { "2415875", VELG "reiseinfo_afghanistan/id2415875/" },
                { "2428601", VELG "reiseinfo_albania/id2428601/" },
                { "2416242", VELG "reiseinformasjon-for-andorra/id2416242/" },
                { "2428526", VELG "bahrain_reiseinfo/id2428526/" },
                { "2428970", VELG "barbados---reiseinformasjon/id2428970/" },
                { "2429135", VELG "belarus_reiseinformasjon/id2429135" },
                { "2428578", VELG "reiseinfo_kasakhstan/id2428578/" },
                { "2740675", VELG "komorene_reiseinfo/id2740675/" },
                { "2415704", VELG "reiseinfo_osttimor/id2415704/" },
        };
        size_t size, n = 0;
        _cleanup_free_ char *data = fixture_read("index-az.html", &size);
        NoPageRef *refs = NULL;
        ExtractError err = {};

        if (no_index_parse(data, size, INDEX, &refs, &n, &err) < 0)
                fail_msg("index-az.html: %s", err.message);
        check_refs("index-az.html", refs, n, want, ELEMENTSOF(want));
        no_page_refs_free(refs, n);
}

/* Served from a mirror or a test server, the pages are fetched from there too. */
static void test_index_mirror(void **state _unused_) {
        size_t size, n = 0;
        _cleanup_free_ char *data = fixture_read("index-page.html", &size);
        NoPageRef *refs = NULL;
        ExtractError err = {};

        assert_int_equal(no_index_parse(data, size, MIRROR, &refs, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(refs[2].id, "2428578");
        assert_string_equal(refs[2].url, "http://127.0.0.1:8080/no/tema/utenrikssaker/reiseinformasjon/velg-land/reiseinfo_kasakhstan/id2428578/");
        no_page_refs_free(refs, n);
}

typedef struct RefusedCase {
        const char *file; /* a fixture, or the document itself when data is set */
        const char *data;
        FailureClass failure;
} RefusedCase;

static void check_refused(const RefusedCase *c, bool rss) {
        size_t size = c->data ? strlen(c->data) : 0, n = 0;
        _cleanup_free_ char *data = c->data ? NULL : fixture_read(c->file, &size);
        NoPageRef *refs = NULL;
        ExtractError err = {};
        int r = rss ? no_rss_parse(c->data ?: data, size, INDEX, &refs, &n, &err)
                    : no_index_parse(c->data ?: data, size, INDEX, &refs, &n, &err);

        if (r >= 0)
                fail_msg("%s: %zu pages, want a failure", c->file, n);
        if (err.failure != c->failure)
                fail_msg("%s: %s (%s), want %s", c->file, failure_class_to_string(err.failure),
                         err.message, failure_class_to_string(c->failure));
        assert_true(err.message[0] != '\0');
        assert_null(refs);
}

static void test_index_refused(void **state _unused_) {
        static const RefusedCase cases[] = {
                { "challenge-cloudflare.html", NULL, FAILURE_BLOCKED },
                { "challenge-cloudflare-nb.html", NULL, FAILURE_BLOCKED },
                { "challenge-turnstile.html", NULL, FAILURE_BLOCKED },
                { "cloudflare-block.html", NULL, FAILURE_BLOCKED },
                { "error-page.html", NULL, FAILURE_INVALID_DOCUMENT },
                /* a country page links no other country page */
                { "kazakhstan-2022.html", NULL, FAILURE_INVALID_DOCUMENT },
                { "rss.xml", NULL, FAILURE_INVALID_DOCUMENT },
                { "empty", "", FAILURE_INVALID_DOCUMENT },
                { "{}", "{}", FAILURE_INVALID_DOCUMENT },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                check_refused(&cases[i], false);
}

/* An "index" linking more pages than UD has countries is not the index. */
static void test_index_too_many(void **state _unused_) {
        _cleanup_(buffer_done) Buffer b = {};
        NoPageRef *refs = NULL;
        ExtractError err = {};
        size_t n = 0;

        assert_int_equal(buffer_puts(&b, "<html><body><ul>"), 0);
        for (int i = 0; i <= NO_PAGES_MAX; i++)
                assert_int_equal(buffer_printf(&b, "<li><a href=\"../x%d/id%d/\">x</a></li>", i, 1000 + i), 0);
        assert_int_equal(buffer_puts(&b, "</ul></body></html>"), 0);
        assert_true(no_index_parse(b.data, b.size, INDEX, &refs, &n, &err) < 0);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
        assert_non_null(strstr(err.message, "country pages"));
}

/* Country pages only, utm parameters gone, the id from the guid when the link agrees, the time
 * from atom:updated, else pubDate, else none; an id listed twice keeps its latest time. */
static void test_rss(void **state _unused_) {
        static const Ref want[] = {
                { "2428578", VELG "reiseinfo_kasakhstan/id2428578/", "2026-10-06T14:01:30+02:00" },
                { "2415548", VELG "reiseinfo_tonga/id2415548/", "2026-10-05T09:20:23+02:00" },
                { "2415551", VELG "reiseinfo_tuvalu/id2415551/", NULL },
                { "2428998", VELG "reiseinfo_vanuatu/id2428998/", "2026-10-03T13:21:51+02:00" },
        };
        size_t size, n = 0;
        _cleanup_free_ char *data = fixture_read("rss.xml", &size);
        NoPageRef *refs = NULL;
        ExtractError err = {};

        if (no_rss_parse(data, size, INDEX, &refs, &n, &err) < 0)
                fail_msg("rss.xml: %s", err.message);
        check_refs("rss.xml", refs, n, want, ELEMENTSOF(want));
        no_page_refs_free(refs, n);
}

static void test_rss_mirror(void **state _unused_) {
        size_t size, n = 0;
        _cleanup_free_ char *data = fixture_read("rss.xml", &size);
        NoPageRef *refs = NULL;
        ExtractError err = {};

        assert_int_equal(no_rss_parse(data, size, MIRROR, &refs, &n, &err), 0);
        assert_true(n > 0);
        assert_string_equal(refs[0].url, "http://127.0.0.1:8080/no/tema/utenrikssaker/reiseinformasjon/velg-land/reiseinfo_kasakhstan/id2428578/");
        no_page_refs_free(refs, n);
}

static void test_rss_refused(void **state _unused_) {
        static const RefusedCase cases[] = {
                { "challenge-cloudflare.html", NULL, FAILURE_BLOCKED },
                { "challenge-cloudflare-nb.html", NULL, FAILURE_BLOCKED },
                { "cloudflare-block.html", NULL, FAILURE_BLOCKED },
                { "error-page.html", NULL, FAILURE_INVALID_DOCUMENT },
                { "index-az.html", NULL, FAILURE_INVALID_DOCUMENT },
                { "truncated", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><guid>1</guid>",
                  FAILURE_INVALID_DOCUMENT },
                { "atom", "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry/></feed>", FAILURE_INVALID_DOCUMENT },
                { "no channel", "<rss version=\"2.0\"></rss>", FAILURE_INVALID_DOCUMENT },
                { "empty", "", FAILURE_INVALID_DOCUMENT },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                check_refused(&cases[i], true);
}

/* A feed without country pages is a feed: nothing changed. */
static void test_rss_empty(void **state _unused_) {
        static const char feed[] = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                                   "<title>RSS Regjeringen.no</title></channel></rss>";
        NoPageRef *refs = NULL;
        ExtractError err = {};
        size_t n = 1;

        assert_int_equal(no_rss_parse(feed, strlen(feed), INDEX, &refs, &n, &err), 0);
        assert_int_equal(n, 0);
        no_page_refs_free(refs, n);
}

/* The feed as regjeringen.no served it (August 2026), when the shared samples are around:
 * tests/fixtures → ../shared relative to the repository. */
static void test_real_feed(void **state _unused_) {
        static const char *const ids[] = { "2415548", "2414945", "2414944",
                                           "2415551", "2428998", "2428990" };
        const char *samples = getenv("ADVISORYD_SAMPLES");
        char path[4096];

        /* skip() jumps past cleanup handlers: decide before anything is allocated */
        snprintf(path, sizeof(path), "%s/norway/JGNWW_norway-rss.xml",
                 samples ? samples : "../shared/travel-advisory-samples");
        if (access(path, R_OK) < 0)
                skip();

        _cleanup_free_ char *data = NULL;
        NoPageRef *refs = NULL;
        ExtractError err = {};
        size_t size, n = 0;
        time_t t;

        assert_int_equal(read_full_file(path, 1024 * 1024, &data, &size), 0);
        if (no_rss_parse(data, size, INDEX, &refs, &n, &err) < 0)
                fail_msg("%s: %s", path, err.message);
        assert_int_equal(n, ELEMENTSOF(ids));
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(refs[i].id, ids[i]);
                assert_null(strchr(refs[i].url, '?'));
        }
        assert_int_equal(parse_iso8601("2026-08-03T09:20:23+02:00", &t), 0);
        assert_int_equal(refs[0].updated, t);
        no_page_refs_free(refs, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_page_id),
                cmocka_unit_test(test_page_url),
                cmocka_unit_test(test_rss_url),
                cmocka_unit_test(test_index),
                cmocka_unit_test(test_index_mirror),
                cmocka_unit_test(test_index_refused),
                cmocka_unit_test(test_index_too_many),
                cmocka_unit_test(test_rss),
                cmocka_unit_test(test_rss_mirror),
                cmocka_unit_test(test_rss_refused),
                cmocka_unit_test(test_rss_empty),
                cmocka_unit_test(test_real_feed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
