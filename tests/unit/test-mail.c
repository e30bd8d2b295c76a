/* test-mail.c: header fields (RFC 2047 encoding, folding, hostile text), quoted-printable bodies,
 * dates, addresses and whole messages. A tiny decoder here reads back what the encoder wrote,
 * so the round trip is checked, not only the shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ctype.h>

#include "mail.h"
#include "util.h"

static char *header(const char *name, const char *value) {
        Buffer b = {};
        assert_int_equal(mail_header(&b, name, value), 0);
        assert_int_equal(buffer_append(&b, "", 0), 0);
        return buffer_steal(&b);
}

static int hexval(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Every physical line ends in CRLF, is at most max bytes, and only the first does not start
 * with white space: one field, however hostile the value. */
static void assert_one_field(const char *h, size_t max) {
        const char *line = h;
        bool first = true;

        assert_true(endswith(h, "\r\n"));
        while (*line) {
                const char *end = strstr(line, "\r\n");
                assert_non_null(end);
                assert_true((size_t) (end - line) <= max);
                for (const char *c = line; c < end; c++)
                        assert_true(*c != '\r' && *c != '\n' && *c != '\0');
                if (!first)
                        assert_true(*line == ' ');
                first = false;
                line = end + 2;
        }
}

/* Unfolds and decodes "Name: value": encoded-words ("=?UTF-8?Q?…?="), with the white space
 * between two of them dropped as RFC 2047 6.2 says. */
static char *decode_header(const char *h, const char *name) {
        Buffer b = {};
        const char *v = startswith(h, name);
        bool last_encoded = false;

        assert_non_null(v);
        assert_true(v[0] == ':' && v[1] == ' ');
        v += 2;
        while (*v) {
                if (startswith(v, "\r\n ")) {
                        v += 3; /* unfold: CRLF SP separates two words */
                        continue;
                }
                if (streq(v, "\r\n"))
                        break;
                size_t n = strcspn(v, " \r");
                const char *w = startswith(v, "=?UTF-8?Q?");
                bool encoded = w && n >= 12 && startswith(v + n - 2, "?=");
                if (!encoded) {
                        if (b.size > 0)
                                assert_int_equal(buffer_append(&b, " ", 1), 0);
                        assert_int_equal(buffer_append(&b, v, n), 0);
                } else {
                        if (b.size > 0 && !last_encoded)
                                assert_int_equal(buffer_append(&b, " ", 1), 0);
                        assert_true(n <= 75);
                        for (const char *c = w; c < v + n - 2; c++) {
                                char ch = *c;
                                if (*c == '_')
                                        ch = ' ';
                                else if (*c == '=') {
                                        assert_true(hexval(c[1]) >= 0 && hexval(c[2]) >= 0);
                                        ch = (char) (hexval(c[1]) * 16 + hexval(c[2]));
                                        c += 2;
                                } else
                                        assert_true(strchr("!*+-/", *c) || isalnum((unsigned char) *c));
                                assert_int_equal(buffer_append(&b, &ch, 1), 0);
                        }
                }
                last_encoded = encoded;
                v += n;
                if (*v == ' ')
                        v++;
        }
        assert_int_equal(buffer_append(&b, "", 0), 0);
        return buffer_steal(&b);
}

static void test_header_ascii(void **state) {
        _cleanup_free_ char *h = header("Subject", "[advisoryd] Kazakhstan: Norway raised to level 3 (was 1)");
        assert_string_equal(h, "Subject: [advisoryd] Kazakhstan: Norway raised to level 3 (was 1)\r\n");

        /* German: plain ASCII stays readable */
        _cleanup_free_ char *de = header("Subject", "Teilreisewarnung");
        assert_string_equal(de, "Subject: Teilreisewarnung\r\n");
}

static void test_header_rfc2047_norwegian_and_german(void **state) {
        _cleanup_free_ char *no = header("Subject", "fraråder");
        assert_string_equal(no, "Subject: =?UTF-8?Q?frar=C3=A5der?=\r\n");

        _cleanup_free_ char *de = header("Subject", "Teilreisewarnung für Äthiopien");
        assert_string_equal(de, "Subject: =?UTF-8?Q?Teilreisewarnung_f=C3=BCr_=C3=84thiopien?=\r\n");
        _cleanup_free_ char *dd = decode_header(de, "Subject");
        assert_string_equal(dd, "Teilreisewarnung für Äthiopien");

        const char *kz = "[advisoryd] Kasakhstan: Utenriksdepartementet fraråder alle reiser som "
                         "ikke er strengt nødvendige til Kasakhstan.";
        _cleanup_free_ char *h = header("Subject", kz);
        assert_one_field(h, 78);
        assert_non_null(strstr(h, "\r\n =?UTF-8?Q?")); /* long: folded into several words */
        _cleanup_free_ char *d = decode_header(h, "Subject");
        assert_string_equal(d, kz);
}

static void test_header_fold_long_ascii(void **state) {
        Buffer v = {};
        for (int i = 0; i < 40; i++)
                assert_int_equal(buffer_printf(&v, "%sword%d", i ? " " : "", i), 0);
        assert_int_equal(buffer_append(&v, "", 0), 0);
        _cleanup_free_ char *value = buffer_steal(&v);
        _cleanup_free_ char *h = header("Subject", value);

        assert_one_field(h, 78);
        assert_non_null(strstr(h, "\r\n word"));
        _cleanup_free_ char *d = decode_header(h, "Subject");
        assert_string_equal(d, value);
}

static void test_header_multibyte_never_split(void **state) {
        /* 200 × "å" (2 bytes) and 100 × "€" (3 bytes) and an emoji (4 bytes) */
        Buffer v = {};
        for (int i = 0; i < 200; i++)
                assert_int_equal(buffer_puts(&v, "å"), 0);
        for (int i = 0; i < 100; i++)
                assert_int_equal(buffer_puts(&v, "€"), 0);
        assert_int_equal(buffer_puts(&v, "\xf0\x9f\x8c\x8d"), 0);
        assert_int_equal(buffer_append(&v, "", 0), 0);
        _cleanup_free_ char *value = buffer_steal(&v);
        _cleanup_free_ char *h = header("Subject", value);

        assert_one_field(h, 78);
        /* each encoded-word decodes to valid UTF-8 on its own */
        for (const char *w = strstr(h, "=?UTF-8?Q?"); w; w = strstr(w + 1, "=?UTF-8?Q?")) {
                const char *end = strstr(w + 10, "?=");
                char word[128] = "Subject: ";
                assert_non_null(end);
                memcpy(word + 9, w, (size_t) (end + 2 - w));
                word[9 + (end + 2 - w)] = '\0';
                _cleanup_free_ char *d = decode_header(word, "Subject");
                assert_true(utf8_is_valid(d, strlen(d)));
        }
        _cleanup_free_ char *d = decode_header(h, "Subject");
        /* cut to MAIL_HEADER_VALUE_MAX bytes at a character boundary, ending in "…" */
        assert_true(strlen(d) <= MAIL_HEADER_VALUE_MAX);
        assert_true(endswith(d, "…"));
        assert_true(utf8_is_valid(d, strlen(d)));
        assert_true(startswith(d, "åååå"));
}

static void test_header_injection(void **state) {
        const char *evil[] = {
                "Level 3\r\nBcc: victim@example.org",
                "Level 3\nBcc: victim@example.org\n\nbody",
                "Level 3\rBcc: victim@example.org",
                "Level 3\r\n\r\n.\r\nMAIL FROM:<x@y>",
                "fraråder\r\nBcc: victim@example.org",
                "=?UTF-8?Q?=0D=0ABcc:_victim@example.org?=",
        };
        for (size_t i = 0; i < ELEMENTSOF(evil); i++) {
                _cleanup_free_ char *h = header("Subject", evil[i]);
                assert_one_field(h, 78);
                assert_null(strstr(h, "\r\nBcc"));
                _cleanup_free_ char *d = decode_header(h, "Subject");
                /* the text is kept, as text */
                assert_null(strpbrk(d, "\r\n"));
                assert_non_null(strstr(d, "Bcc") ?: strstr(d, "MAIL FROM"));
        }
        /* "=?…?=" written by a page is text, not an encoded-word: it comes back verbatim */
        _cleanup_free_ char *h = header("Subject", evil[5]);
        _cleanup_free_ char *d = decode_header(h, "Subject");
        assert_string_equal(d, evil[5]);
}

static void test_header_controls_and_bidi(void **state) {
        /* C0, DEL, C1, RLO/LRI/PDI, ALM, zero-width, line and paragraph separators, invalid UTF-8 */
        const char *v = "a\x01\x1b[31mb\x7f\xc2\x85"
                        "c\u202eevil\u202c\u2066d\u2069\u061ce\u200bf\u2028g\u2029h\xff";
        _cleanup_free_ char *h = header("X-Advisoryd-Label", v);
        assert_one_field(h, 78);
        _cleanup_free_ char *d = decode_header(h, "X-Advisoryd-Label");
        assert_string_equal(d, "a[31mbcevildef g h\xef\xbf\xbd");
}

static void test_header_long_word(void **state) {
        /* a URL longer than a line: cannot be folded, stays whole (well under 998) */
        Buffer v = {};
        assert_int_equal(buffer_puts(&v, "see https://example.org/"), 0);
        for (int i = 0; i < 150; i++)
                assert_int_equal(buffer_puts(&v, "x"), 0);
        assert_int_equal(buffer_append(&v, "", 0), 0);
        _cleanup_free_ char *value = buffer_steal(&v);
        _cleanup_free_ char *h = header("X-Long", value);
        assert_one_field(h, 998);
        _cleanup_free_ char *d = decode_header(h, "X-Long");
        assert_string_equal(d, value);
}

/* ---- bodies ---- */

static char *qp(const char *text) {
        Buffer b = {};
        assert_int_equal(mail_append_qp(&b, text), 0);
        assert_int_equal(buffer_append(&b, "", 0), 0);
        return buffer_steal(&b);
}

static char *qp_decode(const char *s) {
        Buffer b = {};
        while (*s) {
                if (startswith(s, "=\r\n"))
                        s += 3;
                else if (*s == '=') {
                        char c = (char) (hexval(s[1]) * 16 + hexval(s[2]));
                        assert_true(hexval(s[1]) >= 0 && hexval(s[2]) >= 0);
                        assert_int_equal(buffer_append(&b, &c, 1), 0);
                        s += 3;
                } else if (startswith(s, "\r\n")) {
                        assert_int_equal(buffer_append(&b, "\n", 1), 0);
                        s += 2;
                } else {
                        assert_true(*s != '\r' && *s != '\n');
                        assert_int_equal(buffer_append(&b, s++, 1), 0);
                }
        }
        assert_int_equal(buffer_append(&b, "", 0), 0);
        return buffer_steal(&b);
}

static void assert_lines_at_most(const char *s, size_t max) {
        for (const char *line = s; *line;) {
                const char *end = strstr(line, "\r\n");
                assert_non_null(end);
                assert_true((size_t) (end - line) <= max);
                line = end + 2;
        }
}

static void test_qp(void **state) {
        _cleanup_free_ char *a = qp("Utenriksdepartementet fraråder = 100 %\n");
        assert_string_equal(a, "Utenriksdepartementet frar=C3=A5der =3D 100 %\r\n");

        /* white space at the end of a line, a leading dot and "From " are encoded */
        _cleanup_free_ char *b = qp("trailing \n.\nFrom here\n\ttab\t\n");
        assert_string_equal(b, "trailing=20\r\n=2E\r\n=46rom here\r\n\ttab=09\r\n");

        /* ... and so are they at the start of a line that a soft break began (fuzz-mail):
         * 25 '=' fill a line (3 columns each), 75 'x' too */
        char equals[26] = {}, encoded[76] = {}, xs[76] = {};
        memset(equals, '=', 25);
        for (int i = 0; i < 25; i++)
                memcpy(encoded + 3 * i, "=3D", 3);
        memset(xs, 'x', 75);
        _cleanup_free_ char *dot_text = strprintf("%s.\n", equals);
        _cleanup_free_ char *from_text = strprintf("%sFrom here\n", xs);
        _cleanup_free_ char *dot_qp = strprintf("%s=\r\n=2E\r\n", encoded);
        _cleanup_free_ char *from_qp = strprintf("%s=\r\n=46rom here\r\n", xs);
        _cleanup_free_ char *dot = qp(dot_text), *from = qp(from_text);
        assert_string_equal(dot, dot_qp);
        assert_string_equal(from, from_qp);
        _cleanup_free_ char *dd = qp_decode(dot), *fd = qp_decode(from);
        assert_string_equal(dd, dot_text);
        assert_string_equal(fd, from_text);

        Buffer v = {};
        for (int i = 0; i < 300; i++)
                assert_int_equal(buffer_puts(&v, i % 7 ? "a" : "ø"), 0);
        assert_int_equal(buffer_puts(&v, "\nsecond line\n"), 0);
        assert_int_equal(buffer_append(&v, "", 0), 0);
        _cleanup_free_ char *text = buffer_steal(&v);
        _cleanup_free_ char *c = qp(text);
        assert_lines_at_most(c, 76);
        _cleanup_free_ char *d = qp_decode(c);
        assert_string_equal(d, text);
}

static void test_date_and_addresses(void **state) {
        char buf[MAIL_DATE_MAX];

        assert_string_equal(mail_format_date(buf, 1641376800), "Wed, 05 Jan 2022 10:00:00 +0000");
        assert_string_equal(mail_format_date(buf, 0), "Thu, 01 Jan 1970 00:00:00 +0000");

        assert_true(mail_address_valid("duty@example.org"));
        assert_true(mail_address_valid("first.last+tag@sub.example.org"));
        assert_false(mail_address_valid("duty"));
        assert_false(mail_address_valid("@example.org"));
        assert_false(mail_address_valid("a@b@example.org"));
        assert_false(mail_address_valid("-oQ/tmp@example.org"));
        assert_false(mail_address_valid("a b@example.org"));
        assert_false(mail_address_valid("a@example.org\r\nBcc: x@y"));
        assert_false(mail_address_valid("Duty <duty@example.org>"));
        assert_false(mail_address_valid("dúty@example.org"));

        _cleanup_free_ char *d = mail_address_domain("duty@Example.org");
        assert_string_equal(d, "Example.org");
        _cleanup_free_ char *e = mail_address_domain("duty@exa$mple.org");
        assert_string_equal(e, "example.org");
        _cleanup_free_ char *f = mail_address_domain("duty@");
        assert_string_equal(f, "advisoryd.invalid");
}

/* ---- messages ---- */

static const MailHeader extra[] = {
        { "X-Advisoryd-Source", "us" },
        { "X-Advisoryd-Label", "Level 3\r\nBcc: victim@example.org" },
};

static Mail sample(char *const *to, const char *html) {
        return (Mail) {
                .from = "advisoryd@example.org",
                .to = to,
                .subject = "[advisoryd] Kasakhstan: fraråder alle reiser",
                .date = 1641376800,
                .message_id = "<advisoryd.change-12-1641376800.ops@example.org>",
                .list_id = "advisoryd ops <ops.advisoryd.example.org>",
                .extra = extra,
                .n_extra = ELEMENTSOF(extra),
                .text = "Kazakhstan: level 1 → 3.\nSecond line.\n",
                .html = html,
        };
}

/* The header block: every field name at the start of a line. */
static size_t count_fields(const char *msg, const char *name) {
        size_t n = 0, len = strlen(name);
        const char *end = strstr(msg, "\r\n\r\n");

        assert_non_null(end);
        for (const char *l = msg; l && l < end; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL)
                n += strncasecmp(l, name, len) == 0 && l[len] == ':';
        return n;
}

static void test_render_plain(void **state) {
        char *const to[] = { "duty@example.org", "security@example.org", NULL };
        Mail m = sample(to, NULL);
        _cleanup_free_ char *msg = NULL;
        size_t size;

        assert_int_equal(mail_render(&m, &msg, &size), 0);
        assert_int_equal(size, strlen(msg));
        assert_true(startswith(msg, "From: advisoryd <advisoryd@example.org>\r\n"
                                    "To: duty@example.org, security@example.org\r\n"
                                    "Subject: =?UTF-8?Q?"));
        assert_non_null(strstr(msg, "\r\nDate: Wed, 05 Jan 2022 10:00:00 +0000\r\n"));
        assert_non_null(strstr(msg, "\r\nMessage-ID: <advisoryd.change-12-1641376800.ops@example.org>\r\n"));
        assert_non_null(strstr(msg, "\r\nAuto-Submitted: auto-generated\r\n"));
        assert_non_null(strstr(msg, "\r\nList-Id: advisoryd ops <ops.advisoryd.example.org>\r\n"));
        assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
        assert_non_null(strstr(msg, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                                    "Kazakhstan: level 1 =E2=86=92 3.\r\nSecond line.\r\n"));
        assert_int_equal(count_fields(msg, "Bcc"), 0);
        assert_int_equal(count_fields(msg, "Subject"), 1);
        assert_int_equal(count_fields(msg, "X-Advisoryd-Label"), 1);
        assert_lines_at_most(msg, 78);
        assert_true(endswith(msg, "\r\n"));
}

static void test_render_alternative(void **state) {
        char *const to[] = { "duty@example.org", NULL };
        Mail m = sample(to, "<p>Kazakhstan</p>\n");
        _cleanup_free_ char *msg = NULL;
        size_t size;
        char boundary[80];

        assert_int_equal(mail_render(&m, &msg, &size), 0);
        const char *ct = strstr(msg, "\r\nContent-Type: multipart/alternative;\r\n boundary=\"");
        assert_non_null(ct);
        ct += strlen("\r\nContent-Type: multipart/alternative;\r\n boundary=\"");
        size_t n = strcspn(ct, "\"");
        assert_true(n < 70 && startswith(ct, "=_advisoryd_"));
        snprintf(boundary, sizeof(boundary), "\r\n--%.*s\r\n", (int) n, ct);
        const char *text = strstr(msg, boundary);
        assert_non_null(text);
        assert_true(startswith(text + strlen(boundary), "Content-Type: text/plain; charset=UTF-8\r\n"));
        const char *html = strstr(text + 1, boundary);
        assert_non_null(html);
        assert_true(startswith(html + strlen(boundary), "Content-Type: text/html; charset=UTF-8\r\n"));
        snprintf(boundary, sizeof(boundary), "\r\n--%.*s--\r\n", (int) n, ct);
        assert_true(endswith(msg, boundary));
        assert_lines_at_most(msg, 78);
}

static void test_render_refuses_bad_addresses(void **state) {
        char *const to[] = { "duty@example.org", NULL };
        char *const bad_to[] = { "duty@example.org>\r\nBcc: x@y", NULL };
        char *const none[] = { NULL };
        _cleanup_free_ char *msg = NULL;
        size_t size;
        Mail m;

        m = sample(bad_to, NULL);
        assert_int_equal(mail_render(&m, &msg, &size), -EINVAL);
        m = sample(none, NULL);
        assert_int_equal(mail_render(&m, &msg, &size), -EINVAL);
        m = sample(to, NULL);
        m.from = "x\r\nBcc: y@z";
        assert_int_equal(mail_render(&m, &msg, &size), -EINVAL);
        m = sample(to, NULL);
        m.message_id = "<a@b>\r\nBcc: <x@y>";
        assert_int_equal(mail_render(&m, &msg, &size), -EINVAL);
        assert_null(msg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_header_ascii),
                cmocka_unit_test(test_header_rfc2047_norwegian_and_german),
                cmocka_unit_test(test_header_fold_long_ascii),
                cmocka_unit_test(test_header_multibyte_never_split),
                cmocka_unit_test(test_header_injection),
                cmocka_unit_test(test_header_controls_and_bidi),
                cmocka_unit_test(test_header_long_word),
                cmocka_unit_test(test_qp),
                cmocka_unit_test(test_date_and_addresses),
                cmocka_unit_test(test_render_plain),
                cmocka_unit_test(test_render_alternative),
                cmocka_unit_test(test_render_refuses_bad_addresses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
