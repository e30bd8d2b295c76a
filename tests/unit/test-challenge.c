/* test-challenge.c: recognising challenge and block pages (challenge.c) — the pages saved from
 * Cloudflare, Akamai and others in tests/fixtures, one marker at a time, the Norwegian wordings,
 * and documents that are none (country pages, feeds, prose that merely contains the words). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "challenge.h"
#include "util.h"

static char *fixture_read(const char *name, size_t *ret_size) {
        const char *dir = getenv("ADVISORYD_TESTDATA");
        _cleanup_free_ char *path = strprintf("%s/%s", dir ? dir : "tests/fixtures", name);
        char *data = NULL;
        int r;

        assert_non_null(path);
        r = read_full_file(path, 16 * 1024 * 1024, &data, ret_size);
        if (r < 0)
                fail_msg("cannot read %s: %s", path, strerror(-r));
        return data;
}

static void test_fixtures(void **state _unused_) {
        static const struct {
                const char *file, *what;
        } cases[] = {
                { "no/challenge-cloudflare.html", "Cloudflare challenge" },
                { "no/challenge-cloudflare-nb.html", "Cloudflare challenge" },
                { "no/challenge-turnstile.html", "Cloudflare challenge" },
                { "no/cloudflare-block.html", "Cloudflare block page" },
                { "us/challenge-cloudflare.html", "Cloudflare challenge" },
                { "us/challenge-akamai.html", "Akamai block page" },
                { "integration/challenge.html", "Cloudflare challenge" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                size_t size;
                _cleanup_free_ char *data = fixture_read(cases[i].file, &size);
                const char *what = challenge_detect(data, size);

                if (!streq_ptr(what, cases[i].what))
                        fail_msg("%s: %s, want %s", cases[i].file, strna(what), cases[i].what);
        }
}

/* Each marker on its own, inside an otherwise empty page: one Cloudflare page often carries only
 * one of them (a Turnstile widget, a translated title, the Ray ID footer). */
static void test_markers(void **state _unused_) {
        static const char *const pages[] = {
                "<script>window._cf_chl_opt={cType:'managed'}</script>",
                "<div id=\"cf-chl-widget\"></div>",
                "<script src=\"https://challenges.cloudflare.com/turnstile/v0/api.js\"></script>",
                "<div class=\"cf-turnstile\" data-sitekey=\"x\"></div>",
                "<title>Et \xc3\xb8yeblikk \xe2\x80\xa6</title>",
                "<TITLE>ET \xc3\xb8YEBLIKK...</TITLE>",
                "<h2>Kontrollerer at tilkoblingen din er sikker</h2>",
                "<p>Bekreft at du er et menneske ved \xc3\xa5 fullf\xc3\xb8re handlingen.</p>",
                "<p>Verifiserer at du er et menneske. Dette kan ta noen sekunder.</p>",
                "<p>Aktiver JavaScript og informasjonskapsler for \xc3\xa5 fortsette</p>",
                "<span>Enable JavaScript and cookies to continue</span>",
                "<div class=\"ray-id\">Ray ID: <code>8f1c2d3e4a5b6c7d</code></div>",
                "<span>Cloudflare Ray ID: 8f1c2d3e4a5b6c7d</span>",
                "<!-- cf-ray 8f1c2d3e4a5b6c7d-OSL -->",
        };

        for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
                _cleanup_free_ char *page = strprintf("<!DOCTYPE html><html><body>%s</body></html>",
                                                      pages[i]);
                const char *what;

                assert_non_null(page);
                what = challenge_detect(page, strlen(page));
                if (!streq_ptr(what, "Cloudflare challenge"))
                        fail_msg("\"%s\": %s, want Cloudflare challenge", pages[i], strna(what));
        }
}

/* Documents that are not challenge pages, including prose with the markers' words in it. */
static void test_not_challenges(void **state _unused_) {
        static const char *const files[] = {
                "no/kazakhstan-2022.html", "no/ethiopia-regions.html", "no/sweden-no-advice.html",
                "no/index-page.html",      "no/error-page.html",       "no/truncated-in-box.html",
                "us/levels.xml",           "us/truncated.xml",         "us/error-page.html",
                "us/maintenance.html",     "integration/us-baseline.xml",
        };
        static const char *const texts[] = {
                "",
                "<p>Each array identifier names one element.</p>",
                "<p>The x-ray ids are kept for ten years.</p>",
                "<p>Vent et \xc3\xb8yeblikk f\xc3\xb8r du krysser grensen.</p>",
                "<p>Just a moment</p>",
        };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                size_t size;
                _cleanup_free_ char *data = fixture_read(files[i], &size);
                const char *what = challenge_detect(data, size);

                if (what)
                        fail_msg("%s: taken for a %s", files[i], what);
        }
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                const char *what = challenge_detect(texts[i], strlen(texts[i]));

                if (what)
                        fail_msg("\"%s\": taken for a %s", texts[i], what);
        }
}

/* "Ray ID" at the very start and end of the data: the word check stays inside the buffer. */
static void test_edges(void **state _unused_) {
        static const char start[] = "Ray ID: 1", end[] = "footer Ray ID";

        assert_string_equal(challenge_detect(start, strlen(start)), "Cloudflare challenge");
        assert_string_equal(challenge_detect(end, strlen(end)), "Cloudflare challenge");
        assert_null(challenge_detect("xRay IDs", 8));
        assert_null(challenge_detect("Ray ID", 5)); /* cut short by the size */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_markers),
                cmocka_unit_test(test_not_challenges),
                cmocka_unit_test(test_edges),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
