/* test-util.c: utf8_is_valid() gives the same answer as decoding byte by byte, whatever the
 * offset of a multi-byte or broken sequence inside long ASCII runs (it skips ASCII a word at a
 * time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util.h"

/* The definition: every sequence decodes, except U+FFFD spelled as itself. */
static bool reference(const char *s, size_t n) {
        while (n > 0) {
                uint32_t cp;
                size_t l = utf8_decode(s, n, &cp);
                if (cp == 0xfffd && !(l == 3 && memcmp(s, "\xef\xbf\xbd", 3) == 0))
                        return false;
                s += l;
                n -= l;
        }
        return true;
}

static void test_utf8_in_ascii_runs(void **state) {
        static const char *const inserts[] = {
                "\xc3\xa5",         /* å */
                "\xe2\x80\x99",     /* ’ */
                "\xf0\x9f\x8c\x8d", /* 🌍 */
                "\xef\xbf\xbd",     /* U+FFFD itself: valid */
                "\xc3",             /* truncated */
                "\x80",             /* stray continuation */
                "\xc0\xaf",         /* overlong */
                "\xed\xa0\x80",     /* surrogate */
                "\xff",
        };
        char buf[64];

        for (size_t k = 0; k < sizeof(inserts) / sizeof(inserts[0]); k++)
                for (size_t at = 0; at < 24; at++)
                        for (size_t len = at + strlen(inserts[k]); len < 40; len += 3) {
                                memset(buf, 'a', sizeof(buf));
                                memcpy(buf + at, inserts[k], strlen(inserts[k]));
                                assert_int_equal(utf8_is_valid(buf, len), reference(buf, len));
                        }
        assert_true(utf8_is_valid("", 0));
        assert_true(utf8_is_valid("plain ASCII, longer than one word", 33));
        assert_false(utf8_is_valid("plain ASCII then \xc3", 19));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8_in_ascii_runs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
