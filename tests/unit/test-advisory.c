/* test-advisory.c: text cleaning of scraped labels (controls, bidi overrides, NULs, white space,
 * invalid UTF-8, the length cap), validation in advisory_list_add, the list, the level scale and
 * failure classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "advisory.h"
#include "util.h"

#define ELLIPSIS "\xe2\x80\xa6"
#define FFFD "\xef\xbf\xbd"

typedef struct CleanCase {
        const char *input;
        size_t size; /* 0: strlen(input) */
        size_t max;
        const char *want;
} CleanCase;

static void check_clean(const CleanCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                size_t size = cases[i].size ? cases[i].size : strlen(cases[i].input);
                _cleanup_free_ char *got = advisory_clean_text(cases[i].input, size, cases[i].max);

                assert_non_null(got);
                if (!streq(got, cases[i].want))
                        fail_msg("case %zu: clean(\"%s\", %zu) = \"%s\", want \"%s\"", i,
                                 cases[i].input, cases[i].max, got, cases[i].want);
        }
}

static void test_clean_white_space(void **state _unused_) {
        static const CleanCase cases[] = {
                { "Level 1: Exercise Normal Precautions", 0, 100,
                  "Level 1: Exercise Normal Precautions" },
                { "  Level 2:\tExercise\n\nIncreased   Caution  ", 0, 100,
                  "Level 2: Exercise Increased Caution" },
                { "line one\r\nline two\rline three\n", 0, 100, "line one line two line three" },
                /* no-break space, line and paragraph separators, ideographic space */
                { "a\xc2\xa0" "b\xe2\x80\xa8" "c\xe2\x80\xa9" "d\xe3\x80\x80" "e", 0, 100,
                  "a b c d e" },
                { "", 0, 100, "" },
                { " \t\r\n ", 0, 100, "" },
        };

        check_clean(cases, ELEMENTSOF(cases));
}

static void test_clean_controls(void **state _unused_) {
        static const CleanCase cases[] = {
                /* C0 controls (but the white space ones), DEL, C1 controls */
                { "a\x01" "b\x1b[31mc\x7f" "d", 0, 100, "ab[31mcd" },
                { "a\xc2\x85" "b\xc2\x9b" "c", 0, 100, "abc" },
                { "\a\b\f\v", 0, 100, "" },
                /* a NUL inside does not end the text */
                { "Level\0 4", 8, 100, "Level 4" },
                { "\0\0abc\0", 6, 100, "abc" },
                /* bidirectional overrides, embeddings, isolates and marks */
                { "safe\xe2\x80\xae" "txt.exe", 0, 100, "safetxt.exe" },
                { "\xe2\x80\xaa" "a\xe2\x80\xab" "b\xe2\x80\xac" "c\xe2\x80\xad" "d", 0, 100,
                  "abcd" },
                { "\xe2\x81\xa6" "a\xe2\x81\xa7" "b\xe2\x81\xa8" "c\xe2\x81\xa9", 0, 100, "abc" },
                { "a\xe2\x80\x8e" "b\xe2\x80\x8f" "c\xd8\x9c" "d", 0, 100, "abcd" },
                /* zero width space, joiners, byte order mark */
                { "\xef\xbb\xbf" "a\xe2\x80\x8b" "b\xe2\x80\x8c" "c\xe2\x80\x8d" "d", 0, 100,
                  "abcd" },
                /* removed characters do not leave double spaces */
                { "a \xe2\x80\xae b", 0, 100, "a b" },
                /* other text is kept as it is */
                { "Utenriksdepartementet frar\xc3\xa5" "der alle reiser", 0, 100,
                  "Utenriksdepartementet frar\xc3\xa5" "der alle reiser" },
                { "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf \xe4\xb8\xad\xe6\x96\x87", 0, 100,
                  "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf \xe4\xb8\xad\xe6\x96\x87" },
        };

        check_clean(cases, ELEMENTSOF(cases));
}

static void test_clean_invalid_utf8(void **state _unused_) {
        static const CleanCase cases[] = {
                { "a\xff" "b", 0, 100, "a" FFFD "b" },
                /* a sequence cut short */
                { "a\xe2\x80", 0, 100, "a" FFFD FFFD },
                { "\xc3", 0, 100, FFFD },
                /* a lone continuation byte */
                { "\x80" "abc", 0, 100, FFFD "abc" },
                /* overlong forms of '/' and NUL */
                { "\xc0\xaf", 0, 100, FFFD FFFD },
                { "\xc0\x80", 0, 100, FFFD FFFD },
                { "\xe0\x80\xaf", 0, 100, FFFD FFFD FFFD },
                /* UTF-16 surrogates, beyond U+10FFFF */
                { "\xed\xa0\x80", 0, 100, FFFD FFFD FFFD },
                { "\xf4\x90\x80\x80", 0, 100, FFFD FFFD FFFD FFFD },
                /* Latin-1 text mistaken for UTF-8 */
                { "Frankrike \xe5 r", 0, 100, "Frankrike " FFFD " r" },
        };

        check_clean(cases, ELEMENTSOF(cases));
}

static void test_clean_cap(void **state _unused_) {
        static const CleanCase cases[] = {
                /* fits exactly: no ellipsis */
                { "abcde", 0, 5, "abcde" },
                { "abcdef", 0, 5, "ab" ELLIPSIS },
                { "abcdef", 0, 3, ELLIPSIS },
                /* no room for the ellipsis: the text alone, cut */
                { "abcdef", 0, 2, "ab" },
                { "abcdef", 0, 0, "" },
                /* white space folded before it is measured */
                { "  abc   de  ", 0, 6, "abc de" },
                /* never a space before the ellipsis */
                { "abc defgh", 0, 7, "abc" ELLIPSIS },
                /* never half a character: å is 2 bytes, € 3, 🇰 4 */
                { "\xc3\xa5\xc3\xa5\xc3\xa5", 0, 5, "\xc3\xa5" ELLIPSIS },
                { "\xc3\xa5\xc3\xa5\xc3\xa5", 0, 6, "\xc3\xa5\xc3\xa5\xc3\xa5" },
                { "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 0, 8, "\xe2\x82\xac" ELLIPSIS },
                { "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf", 0, 7, "\xf0\x9f\x87\xb0" ELLIPSIS },
                { "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf", 0, 6, ELLIPSIS },
                { "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf", 0, 2, "" },
                /* trailing white space and removed characters cost nothing */
                { "abcde   \xe2\x80\xae", 0, 5, "abcde" },
        };

        check_clean(cases, ELEMENTSOF(cases));
}

/* Every cap, over text with characters of every length: at most max bytes, valid UTF-8, a prefix
 * of the uncut text, and an ellipsis exactly when something was cut and there is room for it. */
static void test_clean_cap_every_size(void **state _unused_) {
        static const char text[] = "K\xc3\xa5z \xe2\x82\xac\xf0\x9f\x87\xb0 x\xc3\xa5y  z\xe2\x80\xae"
                                   "\xf0\x9f\x87\xbf\xe2\x82\xac end";
        _cleanup_free_ char *full = advisory_clean_text(text, strlen(text), SIZE_MAX);

        assert_non_null(full);
        for (size_t max = 0; max <= strlen(full) + 2; max++) {
                _cleanup_free_ char *got = advisory_clean_text(text, strlen(text), max);
                size_t n;

                assert_non_null(got);
                n = strlen(got);
                if (n > max || !utf8_is_valid(got, n))
                        fail_msg("max %zu: \"%s\" (%zu bytes)", max, got, n);
                if (max >= strlen(full)) {
                        assert_string_equal(got, full);
                        continue;
                }
                if (max >= 3 && !endswith(got, ELLIPSIS))
                        fail_msg("max %zu: no ellipsis in \"%s\"", max, got);
                if (endswith(got, ELLIPSIS))
                        n -= strlen(ELLIPSIS);
                if (strncmp(got, full, n) != 0 || (n > 0 && got[n - 1] == ' '))
                        fail_msg("max %zu: \"%s\" is not a clean prefix of \"%s\"", max, got, full);
        }
}

static void test_list_add_validation(void **state _unused_) {
        static const struct {
                const char *country;
                int level, regional;
        } bad[] = {
                { "KZ", 0, LEVEL_NONE },  { "KZ", 5, LEVEL_NONE },  { "KZ", -1, LEVEL_NONE },
                { "KZ", 2, 5 },           { "KZ", 2, -1 },          { "kz", 2, LEVEL_NONE },
                { "Kz", 2, LEVEL_NONE },  { "KAZ", 2, LEVEL_NONE }, { "K", 2, LEVEL_NONE },
                { "", 2, LEVEL_NONE },    { "K1", 2, LEVEL_NONE },  { " K", 2, LEVEL_NONE },
                { "\xc3\x85", 2, LEVEL_NONE },
        };
        _cleanup_advisory_list_ AdvisoryList l = {};

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = advisory_list_add(&l, bad[i].country, bad[i].level, bad[i].regional,
                                          "label", NULL, NULL);
                if (r != -EINVAL)
                        fail_msg("advisory_list_add(\"%s\", %d, %d) = %d, want -EINVAL",
                                 bad[i].country, bad[i].level, bad[i].regional, r);
        }
        assert_int_equal(l.n, 0);

        /* a regional level is kept only when above the level */
        assert_int_equal(advisory_list_add(&l, "AA", 2, 4, "a", NULL, NULL), 0);
        assert_int_equal(advisory_list_add(&l, "AB", 3, 3, "b", NULL, NULL), 0);
        assert_int_equal(advisory_list_add(&l, "AC", 3, 2, "c", NULL, NULL), 0);
        assert_int_equal(advisory_list_add(&l, "AD", 1, 1, "d", NULL, NULL), 0);
        assert_int_equal(advisory_list_add(&l, "AE", 4, LEVEL_NONE, "e", NULL, NULL), 0);
        assert_int_equal(advisory_list_add(&l, "XK", 1, 2, "f", NULL, NULL), 0);
        assert_int_equal(l.n, 6);
        assert_int_equal(advisory_list_find(&l, "AA")->regional_level, 4);
        assert_int_equal(advisory_list_find(&l, "AB")->regional_level, LEVEL_NONE);
        assert_int_equal(advisory_list_find(&l, "AC")->regional_level, LEVEL_NONE);
        assert_int_equal(advisory_list_find(&l, "AD")->regional_level, LEVEL_NONE);
        assert_int_equal(advisory_list_find(&l, "AE")->regional_level, LEVEL_NONE);
        assert_int_equal(advisory_list_find(&l, "XK")->regional_level, 2);
        assert_int_equal(advisory_list_find(&l, "AC")->level, 3);
}

static void test_list_add_copies_and_cleans(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        char country[] = "KZ", label[] = "  Level 3:\n Reconsider\xe2\x80\xae Travel ",
             updated[] = "2022-01-05", url[] = "https://example.org/kz";
        _cleanup_free_ char *huge = malloc(ADVISORY_LABEL_MAX * 2 + 1);
        const Advisory *a;

        assert_int_equal(advisory_list_add(&l, country, 3, LEVEL_NONE, label, updated, url), 0);
        /* the list owns copies */
        memset(country, 'X', 2);
        memset(label, 'x', sizeof(label) - 1);
        memset(updated, 'x', sizeof(updated) - 1);
        memset(url, 'x', sizeof(url) - 1);
        a = advisory_list_find(&l, "KZ");
        assert_non_null(a);
        assert_string_equal(a->label, "Level 3: Reconsider Travel");
        assert_string_equal(a->updated, "2022-01-05");
        assert_string_equal(a->url, "https://example.org/kz");
        assert_null(advisory_list_find(&l, "XX"));

        /* no label is an empty label; no date and no url stay NULL */
        assert_int_equal(advisory_list_add(&l, "NO", 1, LEVEL_NONE, NULL, NULL, NULL), 0);
        a = advisory_list_find(&l, "NO");
        assert_string_equal(a->label, "");
        assert_null(a->updated);
        assert_null(a->url);

        /* labels are capped */
        assert_non_null(huge);
        memset(huge, 'a', ADVISORY_LABEL_MAX * 2);
        huge[ADVISORY_LABEL_MAX * 2] = '\0';
        assert_int_equal(advisory_list_add(&l, "UA", 4, LEVEL_NONE, huge, NULL, NULL), 0);
        a = advisory_list_find(&l, "UA");
        assert_int_equal(strlen(a->label), ADVISORY_LABEL_MAX);
        assert_true(endswith(a->label, ELLIPSIS));
}

static void test_list_grow_sort_clear(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        char code[3] = "";

        /* more than one allocation step, added in reverse */
        for (int i = 25; i >= 0; i--)
                for (int j = 3; j >= 0; j--) {
                        code[0] = (char) ('A' + i);
                        code[1] = (char) ('A' + j);
                        assert_int_equal(advisory_list_add(&l, code, 1 + j, LEVEL_NONE, code, NULL,
                                                           NULL),
                                         0);
                }
        assert_int_equal(l.n, 26 * 4);
        advisory_list_sort(&l);
        for (size_t i = 1; i < l.n; i++)
                assert_true(strcmp(l.items[i - 1].country, l.items[i].country) < 0);
        assert_string_equal(l.items[0].country, "AA");
        assert_string_equal(l.items[0].label, "AA");
        assert_int_equal(advisory_list_find(&l, "QC")->level, 3);
        advisory_list_clear(&l);
        assert_int_equal(l.n, 0);
        assert_null(l.items);
        assert_null(advisory_list_find(&l, "AA"));
        advisory_list_sort(&l);
}

static void test_levels_and_failures(void **state _unused_) {
        assert_false(level_valid(0));
        assert_true(level_valid(1));
        assert_true(level_valid(4));
        assert_false(level_valid(5));
        assert_string_equal(level_meaning(1), "normal precautions");
        assert_string_equal(level_meaning(2), "increased caution");
        assert_string_equal(level_meaning(3), "reconsider travel");
        assert_string_equal(level_meaning(4), "do not travel");
        assert_string_equal(level_meaning(0), "unknown");
        assert_string_equal(level_meaning(5), "unknown");

        for (int i = 0; i < _FAILURE_MAX; i++)
                assert_int_equal(failure_class_from_string(failure_class_to_string(i)), i);
        assert_string_equal(failure_class_to_string(FAILURE_BLOCKED), "blocked");
        assert_string_equal(failure_class_to_string(FAILURE_EXTRACTION_EMPTY), "extraction-empty");
        assert_string_equal(failure_class_to_string(FAILURE_INVALID_DOCUMENT), "invalid-document");
        assert_string_equal(failure_class_to_string(_FAILURE_MAX), "other");
        assert_int_equal(failure_class_from_string("nonsense"), FAILURE_OTHER);
        assert_int_equal(failure_class_from_string(NULL), FAILURE_OTHER);
}

static void test_extract_fail(void **state _unused_) {
        ExtractError e = {};
        char big[600];

        assert_int_equal(extract_fail(&e, FAILURE_BLOCKED, "%s instead of %d", "challenge", 42),
                         -EBADMSG);
        assert_int_equal(e.failure, FAILURE_BLOCKED);
        assert_string_equal(e.message, "challenge instead of 42");
        assert_int_equal(extract_fail(NULL, FAILURE_OTHER, "ignored"), -EBADMSG);

        memset(big, 'm', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(extract_fail(&e, FAILURE_OTHER, "%s", big), -EBADMSG);
        assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean_white_space),
                cmocka_unit_test(test_clean_controls),
                cmocka_unit_test(test_clean_invalid_utf8),
                cmocka_unit_test(test_clean_cap),
                cmocka_unit_test(test_clean_cap_every_size),
                cmocka_unit_test(test_list_add_validation),
                cmocka_unit_test(test_list_add_copies_and_cleans),
                cmocka_unit_test(test_list_grow_sort_clear),
                cmocka_unit_test(test_levels_and_failures),
                cmocka_unit_test(test_extract_fail),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
