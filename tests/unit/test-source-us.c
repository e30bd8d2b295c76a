/* test-source-us.c: the US State Department RSS extractor over fixture feeds (tests/fixtures/us):
 * the level scale, FIPS codes, where the level and the country come from, multi-country items,
 * duplicates, dates, and documents that are not the feed (which must fail with the right class
 * and add nothing). */
#include "extract-test.h"

#define TA "https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/"
#define FEED_URL "https://travel.state.gov/_res/rss/TAsTWs.xml"

#define L1 "Level 1: Exercise Normal Precautions"
#define L2 "Level 2: Exercise Increased Caution"
#define L3 "Level 3: Reconsider Travel"
#define L4 "Level 4: Do Not Travel"

static const ExtractTest us = {
        .extract = source_us_extract,
        .url = FEED_URL,
        .fixtures = "us",
};

static void test_levels(void **state _unused_) {
        static const Expected records[] = {
                { "BR", 2, 0, L2, "2026-04-16", TA "brazil-travel-advisory.html" },
                { "DK", 1, 0, L1, "2026-03-04", TA "denmark-travel-advisory.html" },
                { "NG", 3, 0, L3, "2026-05-29", TA "nigeria-advisory.html" },
                /* "Worldwide Caution" has no level: no record, although its text says "Level 4" */
                { "YE", 4, 0, L4, "2026-06-09", TA "yemen-advisory.html" },
        };
        const FixtureCase c = FIXTURE_CASE("levels.xml", records);

        check_fixture(&us, &c);
}

/* Country-Tag carries FIPS 10-4/GEC codes; read as ISO most of these would name another country. */
static void test_fips_codes(void **state _unused_) {
        static const Expected records[] = {
                { "AT", 1, 0, L1, "2026-06-07", TA "austria-travel-advisory.html" },
                { "AU", 1, 0, L1, "2026-06-08", TA "australia-travel-advisory.html" },
                { "AZ", 3, 0, L3, "2026-06-02", TA "azerbaijan-travel-advisory.html" },
                { "CD", 3, 0, L3, "2026-06-15", TA "democratic-republic-of-the-congo-travel-advisory.html" },
                { "CG", 2, 0, L2, "2026-06-16", TA "republic-of-the-congo-travel-advisory.html" },
                { "CH", 1, 0, L1, "2026-06-09", TA "switzerland-travel-advisory.html" },
                { "CI", 2, 0, L2, "2026-06-14", TA "cote-divoire-travel-advisory.html" },
                { "CN", 2, 0, L2, "2026-06-03", TA "china-travel-advisory.html" },
                { "DE", 2, 0, L2, "2026-06-06", TA "germany-travel-advisory.html" },
                { "GB", 2, 0, L2, "2026-06-05", TA "united-kingdom-travel-advisory.html" },
                { "KZ", 1, 0, L1, "2026-06-04", TA "kazakhstan-travel-advisory.html" },
                { "RU", 4, 0, L4, "2026-06-12", TA "russia-travel-advisory.html" },
                { "SE", 2, 0, L2, "2026-06-10", TA "sweden-travel-advisory.html" },
                { "SR", 1, 0, L1, "2026-06-01", TA "suriname-travel-advisory.html" },
                { "UA", 4, 0, L4, "2026-06-11", TA "ukraine-travel-advisory.html" },
                { "XK", 2, 0, L2, "2026-06-13", TA "kosovo-travel-advisory.html" },
        };
        const FixtureCase c = FIXTURE_CASE("fips.xml", records);

        check_fixture(&us, &c);
}

static void test_level_and_country_sources(void **state _unused_) {
        static const Expected records[] = {
                /* "Cuba Travel Advisory" and no Country-Tag */
                { "CU", 2, 0, L2, "2026-05-27", TA "cuba-travel-advisory.html" },
                /* neither category: the title gives both */
                { "FR", 2, 0, L2, "2026-06-10", TA "france-travel-advisory.html" },
                /* "Iran Travel Advisory": the level from the Threat-Level category */
                { "IR", 4, 0, L4, "2026-05-21", TA "iran-travel-advisory.html" },
                { "MM", 4, 0, L4, "2026-06-08", TA "burma-travel-advisory.html" },
                /* no Threat-Level category: the level from the title */
                { "NP", 2, 0, L2, "2026-06-09", TA "nepal-travel-advisory.html" },
                /* an unknown Country-Tag: the country from the title */
                { "PE", 2, 0, L2, "2026-06-05", TA "peru-travel-advisory.html" },
                /* an item without a title */
                { "VE", 4, 0, L4, "2026-06-02", TA "venezuela-travel-advisory.html" },
        };
        const FixtureCase c = FIXTURE_CASE("level-sources.xml", records);

        /* also absent: the untagged "Israel, the West Bank and Gaza" (IL, PS), Worldwide
         * Caution, and "Level 5" (KZ) */
        check_fixture(&us, &c);
}

static void test_multi_country(void **state _unused_) {
        static const Expected records[] = {
                /* the single-country item wins, whether it comes before or after */
                { "IL", 2, 0, L2, "2026-06-05", TA "israel-travel-advisory.html" },
                /* WE and GZ are both PS: one record */
                { "PS", 3, 0, L3, "2026-06-04",
                  TA "israel-west-bank-and-gaza-travel-advisory.html" },
                /* "RI, KV" in one category */
                { "RS", 3, 0, L3, "2026-06-02", TA "serbia-and-kosovo-travel-advisory.html" },
                { "XK", 2, 0, L2, "2026-06-01", TA "kosovo-travel-advisory.html" },
        };
        const FixtureCase c = FIXTURE_CASE("multi.xml", records);

        check_fixture(&us, &c);
}

static void test_duplicates(void **state _unused_) {
        static const Expected records[] = {
                { "CL", 1, 0, L1, "2026-06-03", TA "chile-travel-advisory.html" },
                { "ME", 2, 0, L2, "2026-06-05", TA "serbia-montenegro.html" },
                { "MX", 2, 0, L2, "2026-06-07", TA "mexico-travel-advisory.html" },
                /* conflicting items: no record for KZ, none for RS (never a guess) */
                { "XK", 3, 0, L3, "2026-06-06", TA "serbia-kosovo.html" },
        };
        const FixtureCase c = FIXTURE_CASE("duplicates.xml", records);

        check_fixture(&us, &c);
}

static void test_dates(void **state _unused_) {
        static const Expected records[] = {
                { "EG", 3, 0, L3, "2026-06-20T23:30:00Z", TA "egypt-travel-advisory.html" },
                { "ES", 2, 0, L2, "2025-06-10T17:00:00Z", TA "spain-travel-advisory.html" },
                /* no pubDate, no link */
                { "IQ", 4, 0, L4, NULL, NULL },
                /* the offset moves it to the previous day */
                { "JP", 1, 0, L1, "2026-08-02T23:20:23Z", TA "japan-travel-advisory.html" },
                /* 31 February */
                { "KR", 1, 0, L1, NULL, TA "south-korea-travel-advisory.html" },
                /* no weekday, white space around */
                { "PH", 2, 0, L2, "2026-06-09", TA "philippines-travel-advisory.html" },
                { "TR", 2, 0, L2, NULL, TA "turkey-travel-advisory.html" },
        };
        const FixtureCase c = FIXTURE_CASE("dates.xml", records);

        check_fixture(&us, &c);
}

/* The feed the integration tests serve. */
static void test_integration_feed(void **state _unused_) {
        static const Expected records[] = {
                { "AF", 4, 0, L4, "2025-01-13", TA "afghanistan-advisory.html" },
                { "AZ", 3, 0, L3, "2025-04-11", TA "azerbaijan-travel-advisory.html" },
                { "CN", 2, 0, L2, "2024-11-27", TA "china-travel-advisory.html" },
                { "KZ", 1, 0, L1, "2021-09-14", TA "kazakhstan-travel-advisory.html" },
                { "SR", 1, 0, L1, "2023-07-03", TA "suriname-travel-advisory.html" },
        };
        const FixtureCase c = FIXTURE_CASE("feed-a.xml", records);

        check_fixture(&us, &c);
}

static void test_hostile_documents(void **state _unused_) {
        static const HostileCase cases[] = {
                { "empty.xml", FAILURE_INVALID_DOCUMENT },
                { "truncated.xml", FAILURE_INVALID_DOCUMENT },
                { "error-page.html", FAILURE_INVALID_DOCUMENT },
                { "maintenance.html", FAILURE_INVALID_DOCUMENT },
                { "challenge-cloudflare.html", FAILURE_BLOCKED },
                { "challenge-akamai.html", FAILURE_BLOCKED },
                { "no-items.xml", FAILURE_EXTRACTION_EMPTY },
                { "no-levels.xml", FAILURE_EXTRACTION_EMPTY },
                { "unknown-countries.xml", FAILURE_EXTRACTION_EMPTY },
                { "invalid-utf8.xml", FAILURE_INVALID_DOCUMENT },
                { "atom.xml", FAILURE_INVALID_DOCUMENT },
                { "xxe.xml", FAILURE_INVALID_DOCUMENT },
                { "billion-laughs.xml", FAILURE_INVALID_DOCUMENT },
        };

        check_hostile(&us, cases, ELEMENTSOF(cases));
}

/* Empty, white space, a lone NUL, a lone BOM, "{}": none is a feed. */
static void test_tiny_documents(void **state _unused_) {
        static const struct {
                const char *data;
                size_t size;
        } cases[] = {
                { "", 0 }, { " \n\t", 3 }, { "\0", 1 }, { "\xef\xbb\xbf", 3 }, { "{}", 2 },
                { "<rss/>", 6 }, { "<rss><channel/></rss>", 21 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char what[32];
                /* the extractor may rely on the NUL after the document */
                _cleanup_free_ char *copy = malloc(cases[i].size + 1);

                assert_non_null(copy);
                memcpy(copy, cases[i].data, cases[i].size);
                copy[cases[i].size] = '\0';
                snprintf(what, sizeof(what), "tiny document %zu", i);
                check_refused(&us, what, copy, cases[i].size,
                              i < 6 ? FAILURE_INVALID_DOCUMENT : FAILURE_EXTRACTION_EMPTY, NULL);
        }
}

/* An external entity naming a file next to the document: whatever happens, its contents never
 * reach a record or a message. */
static void test_external_entity_not_read(void **state _unused_) {
        _cleanup_free_ char *base = fixture_path("us", "xxe-local.xml");
        _cleanup_free_ char *secret = fixture_path("us", "xxe-secret.txt"), *data = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;
        int r;

        /* the file is there to be read: the test proves the extractor does not */
        r = read_full_file(secret, 4096, &data, &size);
        assert_int_equal(r, 0);
        assert_non_null(strstr(data, "XXE-MARKER"));
        free(data);
        data = NULL;
        r = read_full_file(base, 65536, &data, &size);
        assert_int_equal(r, 0);
        /* its own path as its address: "xxe-secret.txt" resolves next to it */
        ExtractInput in = { .data = data, .size = size, .url = base };
        r = source_us_extract(&in, &l, &err);
        for (size_t i = 0; i < l.n; i++)
                if (strstr(l.items[i].label, "XXE-MARKER") ||
                    strstr(strempty(l.items[i].url), "XXE-MARKER") || l.items[i].level == 4)
                        fail_msg("external entity was read: %s %d %s", l.items[i].country,
                                 l.items[i].level, l.items[i].label);
        assert_null(strstr(err.message, "XXE-MARKER"));
        assert_true(r < 0);
        assert_int_equal(err.failure, FAILURE_INVALID_DOCUMENT);
}

static char *huge_feed(const char *title_prefix, const char *category, size_t filler,
                       size_t *ret_size) {
        Buffer b = {};
        _cleanup_free_ char *pad = malloc(filler + 1);

        assert_non_null(pad);
        /* words and spaces, so that white space folding has work to do */
        for (size_t i = 0; i < filler; i++)
                pad[i] = i % 8 == 7 ? ' ' : "caution"[i % 8];
        pad[filler] = '\0';
        assert_int_equal(buffer_printf(&b,
                                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                       "<rss version=\"2.0\"><channel><title>t</title>\n"
                                       "<item><title>%s%s</title>\n"
                                       "<link>" TA "kazakhstan-travel-advisory.html</link>\n"
                                       "%s%s%s"
                                       "<category domain=\"Country-Tag\">KZ</category>\n"
                                       "<pubDate>Mon, 01 Jun 2026</pubDate></item>\n"
                                       "</channel></rss>\n",
                                       title_prefix, pad,
                                       category ? "<category domain=\"Threat-Level\">" : "",
                                       category ? category : "", category ? "</category>\n" : ""),
                         0);
        *ret_size = b.size;
        return buffer_steal(&b);
}

static void check_huge(const char *title_prefix, const char *category, int want_level) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size;
        _cleanup_free_ char *feed = huge_feed(title_prefix, category, 1024 * 1024, &size);
        int r;

        assert_non_null(feed);
        assert_true(size > 1024 * 1024);
        r = extract(&us, feed, size, &l, &err);
        if (r != 1)
                fail_msg("huge title: r=%d (%s)", r, err.message);
        assert_string_equal(l.items[0].country, "KZ");
        assert_int_equal(l.items[0].level, want_level);
        assert_true(strlen(l.items[0].label) <= ADVISORY_LABEL_MAX);
        assert_true(utf8_is_valid(l.items[0].label, strlen(l.items[0].label)));
        if (category)
                assert_string_equal(l.items[0].label, category);
        else {
                assert_non_null(startswith(l.items[0].label, title_prefix + strlen("Kazakhstan - ")));
                assert_true(endswith(l.items[0].label, "…"));
        }
}

static void test_huge_title(void **state _unused_) {
        /* the label from the title: cut, ending in an ellipsis */
        check_huge("Kazakhstan - Level 2: ", NULL, 2);
        /* the label from the category; the huge title is only read for the country */
        check_huge("Kazakhstan - Level 3: ", L1, 1);
}

/* The optional local check against a real (trimmed) feed, when the samples are around. It has
 * no categories at all: every level and country comes from the titles. */
static void test_real_sample(void **state _unused_) {
        char path[SAMPLE_PATH_MAX];

        if (!sample_find(path, "us/JGNWW_us-rss_MINI_EDITED.xml"))
                skip();

        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL;
        ExtractError err = {};
        size_t size;
        int r;

        assert_int_equal(read_full_file(path, 16 * 1024 * 1024, &data, &size), 0);
        r = extract(&us, data, size, &l, &err);
        if (r < 0)
                fail_msg("%s: %s", path, err.message);
        assert_int_equal(l.n, 3);
        assert_non_null(advisory_list_find(&l, "CD"));
        assert_int_equal(advisory_list_find(&l, "CD")->level, 4);
        assert_string_equal(advisory_list_find(&l, "CD")->label, L4);
        assert_string_equal(advisory_list_find(&l, "CD")->updated, "2026-06-20");
        assert_non_null(advisory_list_find(&l, "NP"));
        assert_int_equal(advisory_list_find(&l, "NP")->level, 2);
        assert_string_equal(advisory_list_find(&l, "NP")->updated, "2026-06-09");
        assert_non_null(advisory_list_find(&l, "FR"));
        assert_int_equal(advisory_list_find(&l, "FR")->level, 2);
        assert_string_equal(advisory_list_find(&l, "FR")->url,
                            TA "france-travel-advisory.html");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_levels),
                cmocka_unit_test(test_fips_codes),
                cmocka_unit_test(test_level_and_country_sources),
                cmocka_unit_test(test_multi_country),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_dates),
                cmocka_unit_test(test_integration_feed),
                cmocka_unit_test(test_hostile_documents),
                cmocka_unit_test(test_tiny_documents),
                cmocka_unit_test(test_external_entity_not_read),
                cmocka_unit_test(test_huge_title),
                cmocka_unit_test(test_real_sample),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
