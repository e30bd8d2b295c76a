/* test-source-user.c: the extractor of user-defined sources (type = html|xml) over fixture pages
 * (tests/fixtures/user) and generated ones: each level regex, the order 4 → 1, text outside the
 * XPath that must not count, HTML and XML, pages that must fail (nothing selected, nothing
 * matched, challenge, truncated), how the text of the selected nodes is laid out, and the URL
 * template both ways (page of a country, country of a page) as the driver and advisoryctl
 * extract use it. */
#include "extract-test.h"
#include "source-user.h"

#define XPATH_LEVEL "//div[@class=\"advisory-level\"]"
#define TEMPLATE "https://example.gov/advice/{country}.html"

/* [source:mygov] as DESIGN.md shows it; l[i] NULL leaves level i out. */
static SourceConfig config(SourceKind kind, const char *xpath, const char *l4, const char *l3,
                           const char *l2, const char *l1) {
        SourceConfig sc = {
                .id = (char *) "mygov",
                .kind = kind,
                .enabled = true,
                .url = (char *) TEMPLATE,
                .xpath = (char *) xpath,
        };
        sc.level_regex[4] = (char *) l4;
        sc.level_regex[3] = (char *) l3;
        sc.level_regex[2] = (char *) l2;
        sc.level_regex[1] = (char *) l1;
        return sc;
}

/* DESIGN.md's example, but for level2: its "caution" also matches "precautions" (below). */
static SourceConfig design_config(void) {
        return config(SOURCE_KIND_HTML, XPATH_LEVEL, "Do not travel", "Reconsider",
                      "increased caution", "normal");
}

/* Runs the extractor with a pattern compiled from sc, as the driver does. */
static int extract_page(const SourceConfig *sc, const char *data, size_t size, AdvisoryList *out,
                        ExtractError *err) {
        _cleanup_user_pattern_ UserPattern *pat = NULL;
        ExtractError e = {};

        assert_int_equal(source_user_pattern_new(sc, &pat, &e), 0);
        return source_user_extract_page(pat, data, size, "https://example.gov/advice/kz.html", "KZ",
                                        out, err);
}

static int extract_string(const SourceConfig *sc, const char *page, AdvisoryList *out,
                          ExtractError *err) {
        return extract_page(sc, page, strlen(page), out, err);
}

static void expect_level(const SourceConfig *sc, const char *page, int level, const char *label) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        int r = extract_string(sc, page, &l, &err);

        if (r < 0)
                fail_msg("%s: failed: %s", page, err.message);
        assert_int_equal(r, 1);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.items[0].country, "KZ");
        if (l.items[0].level != level)
                fail_msg("%s: level %d, want %d", page, l.items[0].level, level);
        assert_int_equal(l.items[0].regional_level, LEVEL_NONE);
        if (label)
                assert_string_equal(l.items[0].label, label);
        assert_null(l.items[0].updated);
        assert_string_equal(l.items[0].url, "https://example.gov/advice/kz.html");
}

static void expect_failure(const SourceConfig *sc, const char *data, size_t size,
                           FailureClass failure, const char *message_part) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        int r = extract_page(sc, data, size, &l, &err);

        if (r >= 0)
                fail_msg("extracted level %d from a page that must fail",
                         l.n ? l.items[0].level : 0);
        assert_int_equal(l.n, 0);
        if (err.failure != failure)
                fail_msg("failure %s (%s), want %s", failure_class_to_string(err.failure),
                         err.message, failure_class_to_string(failure));
        if (message_part && !strstr(err.message, message_part))
                fail_msg("message \"%s\" lacks \"%s\"", err.message, message_part);
}

#define PAGE(inner) "<html><body><div class=\"advisory-level\">" inner "</div></body></html>"

static void test_each_level(void **state) {
        const SourceConfig sc = design_config();

        expect_level(&sc, PAGE("Level 4: Do not travel"), 4, "Level 4: Do not travel");
        expect_level(&sc, PAGE("Level 3: Reconsider travel"), 3, "Level 3: Reconsider travel");
        expect_level(&sc, PAGE("Level 2: Exercise increased caution"), 2, NULL);
        expect_level(&sc, PAGE("Level 1: Exercise normal precautions"), 1, NULL);
        /* case-insensitive, extended syntax */
        expect_level(&sc, PAGE("DO NOT TRAVEL"), 4, "DO NOT TRAVEL");
        const SourceConfig ere = config(SOURCE_KIND_HTML, XPATH_LEVEL, "level[[:space:]]+4|red",
                                        "(level 3|orange)", NULL, "^(green|level 1)$");
        expect_level(&ere, PAGE("Orange"), 3, "Orange");
        expect_level(&ere, PAGE("  green  "), 1, "green"); /* matched after cleaning */
        expect_level(&ere, PAGE("Level\n  4"), 4, "Level 4");
        /* a pattern matches anywhere in the text: "caution" is in "precautions", so DESIGN.md's
         * example would read the US wording of level 1 as level 2; glibc's \< \> help */
        const SourceConfig loose = config(SOURCE_KIND_HTML, XPATH_LEVEL, NULL, NULL, "caution",
                                          "normal");
        expect_level(&loose, PAGE("Exercise normal precautions"), 2, NULL);
        const SourceConfig words = config(SOURCE_KIND_HTML, XPATH_LEVEL, NULL, NULL, "\\<caution",
                                          "normal");
        expect_level(&words, PAGE("Exercise normal precautions"), 1, NULL);
        expect_level(&words, PAGE("Exercise increased caution"), 2, NULL);
}

/* Tried from 4 down: the first that matches wins, whatever the order in the text. */
static void test_order(void **state) {
        const SourceConfig sc = design_config();

        expect_level(&sc, PAGE("Exercise normal precautions, but do not travel to the north"), 4,
                     NULL);
        expect_level(&sc, PAGE("Exercise caution; reconsider travel to the border"), 3, NULL);
        expect_level(&sc, PAGE("normal precautions, increased caution at night"), 2, NULL);
        /* a level without regex is skipped: text that only level 3 would match fails */
        const SourceConfig two = config(SOURCE_KIND_HTML, XPATH_LEVEL, "Do not travel", NULL, NULL,
                                        "normal");
        const char *page = PAGE("Reconsider travel");
        expect_failure(&two, page, strlen(page), FAILURE_EXTRACTION_EMPTY, "no level1");
}

/* The news paragraph says "do not travel" and "normal safety precautions"; the style and script
 * say "Do not travel": only the level box counts. */
static void test_text_outside_xpath(void **state) {
        const SourceConfig sc = design_config();
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL;
        ExtractError err = {};
        size_t size;

        data = read_fixture("user", "kz.html", &size);
        assert_int_equal(extract_page(&sc, data, size, &l, &err), 1);
        assert_int_equal(l.items[0].level, 3);
        assert_string_equal(l.items[0].label,
                            "Level 3 Reconsider your need to travel to Kazakhstan due to civil "
                            "unrest.");

        /* the same page read with an XPath over the whole body finds the news' "do not travel" */
        const SourceConfig body = config(SOURCE_KIND_HTML, "//main", "Do not travel", "Reconsider",
                                         NULL, "normal");
        advisory_list_clear(&l);
        assert_int_equal(extract_page(&body, data, size, &l, &err), 1);
        assert_int_equal(l.items[0].level, 4);
}

static void test_xpath_selects_nothing(void **state) {
        const SourceConfig sc = design_config();
        _cleanup_free_ char *data = NULL;
        size_t size;

        /* the redesigned page says "Do not travel" everywhere, but not where the XPath looks */
        data = read_fixture("user", "no-level.html", &size);
        expect_failure(&sc, data, size, FAILURE_EXTRACTION_EMPTY, "selects no text");
        /* an empty box is nothing too, never level 1 */
        const SourceConfig any = config(SOURCE_KIND_HTML, XPATH_LEVEL, NULL, NULL, NULL, ".*");
        const char *empty = PAGE("  <span> </span> ");
        expect_failure(&any, empty, strlen(empty), FAILURE_EXTRACTION_EMPTY, "selects no text");
        const char *gone = "<html><body><p>normal</p></body></html>";
        expect_failure(&any, gone, strlen(gone), FAILURE_EXTRACTION_EMPTY, "selects no text");
}

static void test_no_regex_matches(void **state) {
        const SourceConfig sc = design_config();
        _cleanup_free_ char *data = NULL;
        size_t size;

        data = read_fixture("user", "unmatched.html", &size);
        expect_failure(&sc, data, size, FAILURE_EXTRACTION_EMPTY, "\"Advice under review\"");
}

static void test_xml(void **state) {
        const SourceConfig sc = config(SOURCE_KIND_XML, "/destination/advice/text",
                                       "Do not travel", "Reconsider", "caution", "normal");
        const SourceConfig by_number = config(SOURCE_KIND_XML, "//advice/level", "^4$", "^3$",
                                              "^2$", "^1$");
        const SourceConfig attr = config(SOURCE_KIND_XML, "/destination/@code", "^KZ$", NULL,
                                         NULL, NULL);
        const SourceConfig fields = config(SOURCE_KIND_XML, "//advice", "^4 ", "^3 Reconsider",
                                           NULL, NULL);
        _cleanup_free_ char *data = NULL, *html = NULL;
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        size_t size, html_size;

        data = read_fixture("user", "kz.xml", &size);
        assert_int_equal(extract_page(&sc, data, size, &l, &err), 1);
        assert_int_equal(l.items[0].level, 3);
        assert_string_equal(l.items[0].label, "Reconsider your need to travel");
        advisory_list_clear(&l);
        assert_int_equal(extract_page(&by_number, data, size, &l, &err), 1);
        assert_int_equal(l.items[0].level, 3);
        assert_string_equal(l.items[0].label, "3");
        advisory_list_clear(&l);
        assert_int_equal(extract_page(&attr, data, size, &l, &err), 1);
        assert_int_equal(l.items[0].level, 4);
        advisory_list_clear(&l);
        /* in XML every element separates words: "3 Reconsider …", not "3Reconsider …" */
        assert_int_equal(extract_page(&fields, data, size, &l, &err), 1);
        assert_int_equal(l.items[0].level, 3);
        assert_string_equal(l.items[0].label, "3 Reconsider your need to travel");

        /* whatever kind of node the XPath selects */
        const SourceConfig ns = config(SOURCE_KIND_XML, "//namespace::*", "example", NULL, NULL,
                                       NULL);
        const char *with_ns = "<d xmlns:a=\"urn:example\"><!-- 4 --><?pi 4?><a:x>1</a:x></d>";
        const SourceConfig others = config(SOURCE_KIND_XML,
                                           "//comment() | //processing-instruction()", "^4 4$",
                                           NULL, NULL, NULL);
        advisory_list_clear(&l);
        assert_int_equal(extract_page(&ns, with_ns, strlen(with_ns), &l, &err), 1);
        assert_int_equal(l.items[0].level, 4);
        advisory_list_clear(&l);
        assert_int_equal(extract_page(&others, with_ns, strlen(with_ns), &l, &err), 1);
        advisory_list_clear(&l);

        /* an HTML page is not well-formed XML; a truncated XML document is refused whole */
        html = read_fixture("user", "kz.html", &html_size);
        expect_failure(&sc, html, html_size, FAILURE_INVALID_DOCUMENT, "not well-formed XML");
        free(data);
        data = read_fixture("user", "truncated.xml", &size);
        expect_failure(&sc, data, size, FAILURE_INVALID_DOCUMENT, "not well-formed XML");
        /* and an XML source never expands entities */
        const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM "
                          "\"file:///etc/passwd\">]><destination><advice><text>&x; normal"
                          "</text></advice></destination>";
        expect_failure(&sc, xxe, strlen(xxe), FAILURE_INVALID_DOCUMENT, NULL);
}

static void test_html_is_read_like_a_browser(void **state) {
        const SourceConfig sc = design_config();
        const SourceConfig body = config(SOURCE_KIND_HTML, "/html/body/div", "Do not travel", NULL,
                                         NULL, NULL);

        /* blocks separate words, inline elements do not */
        expect_level(&sc, PAGE("<p>Do not</p><p>travel</p>"), 4, "Do not travel");
        expect_level(&sc, PAGE("<ul><li>Do not</li><li>travel</li></ul>"), 4, "Do not travel");
        expect_level(&sc, PAGE("Do not<br>travel"), 4, "Do not travel");
        expect_level(&sc, PAGE("Exercise <b>norm</b>al precautions"), 1,
                     "Exercise normal precautions");
        /* script and style inside the box are not text */
        expect_level(&sc,
                     PAGE("<script>var l = 'Do not travel';</script><style>/* caution */</style>"
                          "Exercise normal precautions"),
                     1, "Exercise normal precautions");
        /* <html> and <body> are implied, as in a browser's inspector */
        expect_level(&body, "<div>Do not travel</div>", 4, "Do not travel");
        /* entities and non-ASCII text */
        expect_level(&sc, PAGE("Reconsider&nbsp;travel &ndash; Kasakhstan"), 3,
                     "Reconsider travel – Kasakhstan");
        /* the text of several nodes, in document order */
        const SourceConfig cells = config(SOURCE_KIND_HTML, "//td", "4 Do not", NULL, NULL, NULL);
        expect_level(&cells, "<table><tr><td>4</td><td>Do not travel</td></tr></table>", 4,
                     "4 Do not travel");
        /* a box inside a selected box: its text is there once, not once per enclosing box */
        const SourceConfig divs = config(SOURCE_KIND_HTML, "//div", "^Do not travel$", NULL, NULL,
                                         "normal");
        expect_level(&divs, "<div><div>Do not <div>travel</div></div></div>", 4, "Do not travel");
        expect_level(&divs, "<div>Do not</div><div><div>travel</div></div>", 4, "Do not travel");
        /* but what the enclosing box did not show is taken: an attribute, text in a script */
        const SourceConfig inner = config(SOURCE_KIND_HTML,
                                          "//div[@class='a'] | //div/@title | //script/text()",
                                          "^Do not travel 4 x$", NULL, NULL, NULL);
        expect_level(&inner, "<div class=a title=4>Do not travel<script>x</script></div>", 4,
                     "Do not travel 4 x");
        /* an XPath whose result is a string, and one that selects an attribute */
        const SourceConfig str = config(SOURCE_KIND_HTML, "normalize-space(//h1)", "Do not", NULL,
                                        NULL, NULL);
        expect_level(&str, "<h1> Do not\n travel </h1>", 4, "Do not travel");
        const SourceConfig attr = config(SOURCE_KIND_HTML, "//meta[@name='advisory']/@content",
                                         "^4$", NULL, NULL, "^1$");
        expect_level(&attr, "<head><meta name=advisory content=4></head>", 4, "4");
        /* a page that is not UTF-8 is read in the charset it declares */
        expect_level(&sc,
                     "<head><meta charset=\"iso-8859-1\"></head>"
                     PAGE("Fr\xe5r\xe5""d: Do not travel"),
                     4, "Fråråd: Do not travel");
}

static void test_challenge(void **state) {
        const SourceConfig sc = design_config();
        _cleanup_free_ char *data = NULL;
        size_t size;

        data = read_fixture("user", "challenge.html", &size);
        expect_failure(&sc, data, size, FAILURE_BLOCKED, "Cloudflare challenge");
        /* the marker only names a failure: a page with a CAPTCHA widget elsewhere is read */
        expect_level(&sc,
                     "<html><body><div class=\"advisory-level\">Do not travel</div>"
                     "<form><div class=\"g-recaptcha\"></div></form></body></html>",
                     4, "Do not travel");
}

static void test_hostile(void **state) {
        const SourceConfig sc = design_config();
        const SourceConfig any = config(SOURCE_KIND_HTML, "//div", NULL, NULL, NULL, "x");
        _cleanup_free_ char *deep = NULL;
        Buffer b = {};

        expect_failure(&sc, "", 0, FAILURE_INVALID_DOCUMENT, "empty");
        expect_failure(&sc, "\0\0\0\0", 4, FAILURE_INVALID_DOCUMENT, "not an HTML page");
        expect_failure(&sc, "{\"level\": 4}", 12, FAILURE_EXTRACTION_EMPTY, NULL);
        /* deep nesting: the text walk does not recurse */
        for (int i = 0; i < 20000; i++)
                assert_int_equal(buffer_puts(&b, "<div>"), 0);
        assert_int_equal(buffer_puts(&b, "x"), 0);
        deep = buffer_steal(&b);
        _cleanup_advisory_list_ AdvisoryList l = {};
        ExtractError err = {};
        int r = extract_string(&any, deep, &l, &err);
        assert_true(r == 1 || err.failure != FAILURE_NONE);
        /* a huge selection is cut, and the label is capped */
        for (int i = 0; i < 100000; i++)
                assert_int_equal(buffer_puts(&b, "Do not travel. "), 0);
        _cleanup_free_ char *inner = buffer_steal(&b);
        _cleanup_free_ char *page = strprintf(PAGE("%s"), inner);
        advisory_list_clear(&l);
        assert_int_equal(extract_string(&sc, page, &l, &err), 1);
        assert_true(strlen(l.items[0].label) <= ADVISORY_LABEL_MAX);
}

static void test_page_url(void **state) {
        _cleanup_free_ char *a = source_user_page_url(TEMPLATE, "KZ");
        _cleanup_free_ char *b =
                source_user_page_url("https://g.example/{COUNTRY}/{country}?c={COUNTRY}", "ua");
        _cleanup_free_ char *c = source_user_page_url("https://g.example/{Country}/{country", "XK");

        assert_string_equal(a, "https://example.gov/advice/kz.html");
        assert_string_equal(b, "https://g.example/UA/ua?c=UA");
        assert_string_equal(c, "https://g.example/{Country}/{country"); /* not placeholders */
}

static void test_url_country(void **state) {
        char code[3] = "";

        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/kz.html",
                                                 code), 0);
        assert_string_equal(code, "KZ");
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/XK.html",
                                                 code), 0);
        assert_string_equal(code, "XK");
        assert_int_equal(source_user_url_country("http://127.0.0.1:8080/{COUNTRY}/x-{country}.xml",
                                                 "http://127.0.0.1:8080/UA/x-ua.xml", code), 0);
        assert_string_equal(code, "UA");
        /* two placeholders, two codes */
        assert_int_equal(source_user_url_country("http://h/{COUNTRY}/{country}", "http://h/UA/ru",
                                                 code), -EINVAL);
        /* another site, another path, extra or missing characters */
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.org/advice/kz.html",
                                                 code), -EINVAL);
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/kz.htm",
                                                 code), -EINVAL);
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/kz.html?x",
                                                 code), -EINVAL);
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/kaz.html",
                                                 code), -EINVAL);
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/k1.html",
                                                 code), -EINVAL);
        assert_int_equal(source_user_url_country(TEMPLATE, "", code), -EINVAL);
        /* two letters, but no country */
        assert_int_equal(source_user_url_country(TEMPLATE, "https://example.gov/advice/zz.html",
                                                 code), -ENOENT);
        assert_int_equal(source_user_url_country("https://example.gov/all.html",
                                                 "https://example.gov/all.html", code), -EINVAL);
        assert_string_equal(code, "UA"); /* untouched on failure */
}

/* advisoryctl extract: the configuration and --url say which source and which country. */
static void test_extract_entry(void **state) {
        const SourceConfig sc = design_config();
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ char *data = NULL;
        ExtractError err = {};
        size_t size;

        data = read_fixture("user", "kz.html", &size);
        ExtractInput in = { .data = data, .size = size,
                            .url = "https://example.gov/advice/kz.html", .config = &sc };
        assert_int_equal(source_user_extract(&in, &l, &err), 1);
        assert_string_equal(l.items[0].country, "KZ");
        assert_int_equal(l.items[0].level, 3);
        assert_string_equal(l.items[0].url, "https://example.gov/advice/kz.html");
        advisory_list_clear(&l);

        in.url = "https://example.gov/advice/ua.html"; /* the same page, said to be Ukraine's */
        assert_int_equal(source_user_extract(&in, &l, &err), 1);
        assert_string_equal(l.items[0].country, "UA");
        advisory_list_clear(&l);

        in.url = NULL;
        assert_true(source_user_extract(&in, &l, &err) < 0);
        assert_non_null(strstr(err.message, "--url"));
        in.url = "https://example.gov/kz.html";
        assert_true(source_user_extract(&in, &l, &err) < 0);
        assert_non_null(strstr(err.message, "is not a page of [source:mygov]"));
        in.url = "https://example.gov/advice/qq.html";
        assert_true(source_user_extract(&in, &l, &err) < 0);
        assert_non_null(strstr(err.message, "names no ISO 3166-1 country"));
        in.url = "https://example.gov/advice/kz.html";
        in.config = NULL;
        assert_true(source_user_extract(&in, &l, &err) < 0);
        assert_int_equal(l.n, 0);
}

static void test_countries(void **state) {
        SourceConfig sc = design_config();
        char *list[] = { (char *) "KZ", (char *) "IC", (char *) "UA", NULL };
        _cleanup_free_ const char **codes = NULL;
        size_t n, n_all;
        const Country *all = country_all(&n_all);
        bool xk = false, ic = false;

        assert_int_equal(source_user_countries(&sc, &codes, &n), 0);
        assert_int_equal(n, n_all - 1);
        for (size_t i = 0; i < n; i++) {
                xk = xk || streq(codes[i], "XK");
                ic = ic || streq(codes[i], "IC");
        }
        assert_true(xk);  /* Kosovo: published as a country */
        assert_false(ic); /* the Canary Islands: part of Spain */
        assert_non_null(all);
        free(codes);

        sc.countries = list; /* an explicit list is taken as it is */
        assert_int_equal(source_user_countries(&sc, &codes, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(codes[1], "IC");
}

static void test_pattern(void **state) {
        SourceConfig sc = design_config();
        UserPattern *pat = NULL;
        ExtractError err = {};

        sc.xpath = (char *) "//div[";
        assert_int_equal(source_user_pattern_new(&sc, &pat, &err), -EINVAL);
        assert_null(pat);
        sc = design_config();
        sc.level_regex[2] = (char *) "(unclosed";
        assert_int_equal(source_user_pattern_new(&sc, &pat, &err), -EINVAL);
        assert_non_null(strstr(err.message, "level2"));
        /* an XPath that compiles but cannot be evaluated fails the page, not the process */
        sc = design_config();
        sc.xpath = (char *) "nosuchfunction(//div)";
        const char *page = PAGE("Do not travel");
        if (source_user_pattern_new(&sc, &pat, &err) == 0) {
                expect_failure(&sc, page, strlen(page), FAILURE_OTHER, "cannot be evaluated");
                source_user_pattern_free(pat);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_each_level),
                cmocka_unit_test(test_order),
                cmocka_unit_test(test_text_outside_xpath),
                cmocka_unit_test(test_xpath_selects_nothing),
                cmocka_unit_test(test_no_regex_matches),
                cmocka_unit_test(test_xml),
                cmocka_unit_test(test_html_is_read_like_a_browser),
                cmocka_unit_test(test_challenge),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_page_url),
                cmocka_unit_test(test_url_country),
                cmocka_unit_test(test_extract_entry),
                cmocka_unit_test(test_countries),
                cmocka_unit_test(test_pattern),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
