/* fuzz-mail.c: libFuzzer target for the e-mail renderer (mail.c: RFC 2047 header encoding and
 * folding, quoted-printable bodies). Scraped text ends up in subjects, header fields and bodies;
 * whatever it is, the message keeps its shape: CRLF line ends only, no NUL, no line over 998
 * bytes, exactly the header fields we put in (nothing injected), body lines of at most 76
 * characters that never start with "." or "From ", and the MIME boundary only where we put it.
 *
 * The input is split at NUL bytes into: subject, two extra header values, text, html (the html
 * part only when there is a fifth piece). */
#include <assert.h>

#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 5

static char *const to[] = { "duty@example.org", "security@example.org", NULL };

static char *render(char *const *f, bool html, size_t *ret_size) {
        MailHeader extra[] = { { "X-Advisoryd-Label", f[1] }, { "X-Advisoryd-Country", f[2] } };
        Mail m = {
                .from = "advisoryd@example.org",
                .to = to,
                .subject = f[0],
                .date = 1641376800,
                .message_id = "<advisoryd.change-12-1641376800.ops@example.org>",
                .list_id = "advisoryd ops <ops.advisoryd.example.org>",
                .extra = extra,
                .n_extra = ELEMENTSOF(extra),
                .text = f[3],
                .html = html ? f[4] : NULL,
        };
        char *out = NULL;
        int r = mail_render(&m, &out, ret_size);

        assert(r >= 0 && out);
        return out;
}

/* The names of the header fields, in order, separated by '\n'; the body in *ret_body. */
static char *header_names(const char *msg, const char **ret_body) {
        Buffer names = {};
        const char *line = msg;

        for (;;) {
                const char *end = strstr(line, "\r\n");
                assert(end);
                if (end == line)
                        break;
                if (line[0] != ' ' && line[0] != '\t') {
                        const char *colon = memchr(line, ':', (size_t) (end - line));
                        assert(colon && colon > line);
                        for (const char *c = line; c < colon; c++)
                                assert(*c > 0x20 && *c < 0x7f);
                        assert(buffer_append(&names, line, (size_t) (colon - line) + 1) >= 0);
                        names.data[names.size - 1] = '\n';
                }
                line = end + 2;
        }
        *ret_body = line + 2;
        assert(buffer_append(&names, "", 1) >= 0);
        return names.data;
}

static void check_lines(const char *msg, size_t size, const char *body) {
        assert(strlen(msg) == size);
        for (const char *p = msg; *p;) {
                const char *end = strstr(p, "\r\n");
                assert(end);
                size_t n = (size_t) (end - p);
                assert(n <= 998);
                assert(!memchr(p, '\r', n) && !memchr(p, '\n', n));
                if (p >= body) {
                        /* mail.h: no line of a body starts with "." (a lone one ends SMTP
                         * DATA) or "From " (mbox) */
                        assert(n <= 76);
                        assert(n == 0 || p[0] != '.');
                        assert(n < 5 || memcmp(p, "From ", 5) != 0);
                }
                p = end + 2;
        }
}

static size_t count(const char *haystack, const char *needle) {
        size_t n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char *expected[2]; /* the header names with plain values, without / with html */
        char *f[FIELDS] = {}, *copy;
        size_t pieces = 1, n;
        const char *body;

        if (!expected[0])
                for (int html = 0; html < 2; html++) {
                        char *plain[FIELDS] = { "s", "l", "c", "t", "h" };
                        _cleanup_free_ char *m = render(plain, html, &n);
                        expected[html] = header_names(m, &body);
                }

        assert((copy = malloc(size + 1)));
        memcpy(copy, data, size);
        copy[size] = '\0';
        f[0] = copy;
        for (size_t i = 0; i < size && pieces < FIELDS; i++)
                if (copy[i] == '\0')
                        f[pieces++] = copy + i + 1;
        for (size_t i = pieces; i < FIELDS; i++)
                f[i] = "";
        bool html = pieces == FIELDS;

        _cleanup_free_ char *msg = render(f, html, &n);
        _cleanup_free_ char *names = header_names(msg, &body);
        assert(streq(names, expected[html]));
        check_lines(msg, n, body);
        if (html) {
                /* the field, at the start of a line: a folded value's lines start with a space */
                static const char ct[] = "\r\nContent-Type: multipart/alternative;\r\n boundary=\"";
                const char *b = strstr(msg, ct);
                assert(b && b < body);
                char boundary[80] = "--";
                size_t l = strcspn(b + strlen(ct), "\"");
                assert(l < sizeof(boundary) - 3);
                memcpy(boundary + 2, b + strlen(ct), l);
                boundary[l + 2] = '\0';
                assert(count(body, boundary) == 3);
        }
        free(copy);
        return 0;
}
