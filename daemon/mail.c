/* mail.c: rendering an Internet message. We build the bytes ourselves rather than with libcurl's
 * MIME API: the sendmail transport needs the message on a pipe and curl_mime cannot be
 * serialised outside a transfer; curl makes every MIMEPOST message multipart even when there is
 * one text part; and the header fields, which are where hostile text would do harm, are passed
 * through verbatim by curl anyway, so their encoding and folding is ours in either case. One
 * renderer gives byte-identical messages on every transport and every retry, and is
 * unit-testable without a server. */
#include "mail.h"

#include "advisory.h"
#include "hmac.h"

/* ---- header fields ---- */

static bool ascii_printable(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e)
                        return false;
        return true;
}

/* Folds between words: "Name: w1 w2\r\n w3…". The value has single spaces only. */
static int header_fold_ascii(Buffer *b, const char *name, const char *value) {
        size_t line = strlen(name) + 1;

        if (buffer_printf(b, "%s:", name) < 0)
                return -ENOMEM;
        while (*value) {
                size_t n = strcspn(value, " ");
                bool fold = line + 1 + n > MAIL_LINE_SOFT && line > strlen(name) + 1;

                if (buffer_puts(b, fold ? "\r\n " : " ") < 0 || buffer_append(b, value, n) < 0)
                        return -ENOMEM;
                line = (fold ? 1 : line + 1) + n;
                value += n;
                value += *value == ' ';
        }
        return buffer_puts(b, "\r\n");
}

/* RFC 2047 5(3): the characters that may stand for themselves in a "Q" encoded-word anywhere,
 * even in a phrase. */
static bool q_literal(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               strchr("!*+-/", c);
}

static size_t q_length(const char *s, size_t n) {
        if (n == 1 && (q_literal((unsigned char) *s) || *s == ' '))
                return 1;
        return 3 * n;
}

static int q_append(Buffer *b, const char *s, size_t n) {
        if (n == 1 && *s == ' ')
                return buffer_append(b, "_", 1);
        if (n == 1 && q_literal((unsigned char) *s))
                return buffer_append(b, s, 1);
        for (size_t i = 0; i < n; i++)
                if (buffer_printf(b, "=%02X", (unsigned char) s[i]) < 0)
                        return -ENOMEM;
        return 0;
}

#define EW_OPEN "=?UTF-8?Q?"
#define EW_CLOSE "?="
#define EW_OVERHEAD (sizeof(EW_OPEN) - 1 + sizeof(EW_CLOSE) - 1)
#define EW_MAX 75 /* RFC 2047 2: an encoded-word is at most 75 characters */

/* Encoded-words of whole characters; a new one (on a new line) whenever the next character
 * would make the word or the line too long. Decoders ignore the white space between them. */
static int header_encode(Buffer *b, const char *name, const char *value) {
        size_t n = strlen(value), line = strlen(name) + 2 + EW_OVERHEAD, word = EW_OVERHEAD;

        if (buffer_printf(b, "%s: " EW_OPEN, name) < 0)
                return -ENOMEM;
        while (n > 0) {
                uint32_t cp;
                size_t l = utf8_decode(value, n, &cp), q = q_length(value, l);

                if ((line + q > MAIL_LINE_SOFT || word + q > EW_MAX) && word > EW_OVERHEAD) {
                        if (buffer_puts(b, EW_CLOSE "\r\n " EW_OPEN) < 0)
                                return -ENOMEM;
                        line = 1 + EW_OVERHEAD;
                        word = EW_OVERHEAD;
                }
                if (q_append(b, value, l) < 0)
                        return -ENOMEM;
                line += q;
                word += q;
                value += l;
                n -= l;
        }
        return buffer_puts(b, EW_CLOSE "\r\n");
}

int mail_header(Buffer *b, const char *name, const char *value) {
        _cleanup_free_ char *clean = NULL;

        /* one line, no controls or bidi formatting, valid UTF-8, bounded */
        clean = advisory_clean_text(strempty(value), strlen(strempty(value)), MAIL_HEADER_VALUE_MAX);
        if (!clean)
                return -ENOMEM;
        /* "=?" in plain text would read as the start of an encoded-word */
        if (ascii_printable(clean) && !strstr(clean, "=?"))
                return header_fold_ascii(b, name, clean);
        return header_encode(b, name, clean);
}

/* ---- addresses ---- */

bool mail_address_valid(const char *a) {
        const char *at = strchr(a, '@');

        if (!at || at == a || !at[1] || strchr(at + 1, '@') || a[0] == '-' || strlen(a) > 254)
                return false;
        for (const char *c = a; *c; c++)
                if ((unsigned char) *c <= 0x20 || (unsigned char) *c >= 0x7f ||
                    strchr("()<>,;:\\\"[]", *c))
                        return false;
        return true;
}

char *mail_address_domain(const char *address) {
        const char *at = strrchr(address, '@');
        Buffer b = {};

        for (const char *c = at ? at + 1 : ""; *c && b.size < 200; c++) {
                bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                          (*c >= '0' && *c <= '9') || *c == '-' || *c == '.';
                if (ok && buffer_append(&b, c, 1) < 0)
                        goto oom;
        }
        if (b.size == 0 && buffer_puts(&b, "advisoryd.invalid") < 0)
                goto oom;
        if (buffer_append(&b, "", 0) < 0)
                goto oom;
        return buffer_steal(&b);
oom:
        buffer_done(&b);
        return NULL;
}

/* "To: a@example.org, b@example.org" folded after a comma. */
static int header_addresses(Buffer *b, const char *name, const char *display, char *const *list) {
        size_t line = strlen(name) + 1;

        if (buffer_printf(b, "%s:", name) < 0)
                return -ENOMEM;
        STRV_FOREACH(a, list) {
                size_t n = strlen(*a) + (display ? strlen(display) + 3 : 0);
                bool fold = a != list && line + 2 + n > MAIL_LINE_SOFT;

                if (!mail_address_valid(*a))
                        return -EINVAL;
                if (buffer_puts(b, a == list ? "" : ",") < 0 || buffer_puts(b, fold ? "\r\n " : " ") < 0)
                        return -ENOMEM;
                if (display ? buffer_printf(b, "%s <%s>", display, *a) < 0 : buffer_puts(b, *a) < 0)
                        return -ENOMEM;
                line = (fold ? 1 : line + 2) + n;
        }
        return buffer_puts(b, "\r\n");
}

/* A field whose value we generate (Message-ID, Content-Type): printable ASCII, one line. */
static int header_token(Buffer *b, const char *name, const char *value) {
        if (!ascii_printable(value) || strlen(value) > 900)
                return -EINVAL;
        return buffer_printf(b, "%s: %s\r\n", name, value);
}

/* ---- body ---- */

static int qp_byte(Buffer *b, unsigned char c, size_t *col) {
        if (*col + 3 > 75) {
                if (buffer_puts(b, "=\r\n") < 0)
                        return -ENOMEM;
                *col = 0;
        }
        *col += 3;
        return buffer_printf(b, "=%02X", c);
}

static int qp_line(Buffer *b, const char *s, size_t n) {
        size_t col = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                bool last = i + 1 == n;
                bool literal = (c >= 33 && c <= 126 && c != '=') ||
                               ((c == ' ' || c == '\t') && !last);

                /* a soft break leaves room for the '=' (76 in all) */
                if (literal && col + 1 > 75) {
                        if (buffer_puts(b, "=\r\n") < 0)
                                return -ENOMEM;
                        col = 0;
                }
                /* no output line starts with '.' or "From ", after a soft break either */
                if (literal && col == 0 &&
                    (c == '.' || (n - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
                        literal = false;
                if (!literal) {
                        if (qp_byte(b, c, &col) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (buffer_append(b, &s[i], 1) < 0)
                        return -ENOMEM;
                col++;
        }
        return buffer_puts(b, "\r\n");
}

int mail_append_qp(Buffer *b, const char *text) {
        while (*text) {
                size_t n = strcspn(text, "\n");
                size_t k = n > 0 && text[n - 1] == '\r' ? n - 1 : n;

                if (qp_line(b, text, k) < 0)
                        return -ENOMEM;
                text += n + (text[n] == '\n');
        }
        return 0;
}

int mail_append_html_escaped(Buffer *b, const char *text) {
        for (; *text; text++) {
                const char *e = NULL;
                switch (*text) {
                case '&': e = "&amp;"; break;
                case '<': e = "&lt;"; break;
                case '>': e = "&gt;"; break;
                case '"': e = "&quot;"; break;
                case '\'': e = "&#39;"; break;
                }
                if (e ? buffer_puts(b, e) < 0 : buffer_append(b, text, 1) < 0)
                        return -ENOMEM;
        }
        return 0;
}

char *mail_format_date(char buf[static MAIL_DATE_MAX], time_t t) {
        static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        struct tm tm;

        /* not strftime: %a and %b follow the locale */
        gmtime_r(&t, &tm);
        snprintf(buf, MAIL_DATE_MAX, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec);
        return buf;
}

/* ---- the message ---- */

static int render_part(Buffer *b, const char *type, const char *body) {
        if (buffer_printf(b, "Content-Type: %s; charset=UTF-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                          type) < 0)
                return -ENOMEM;
        return mail_append_qp(b, body);
}

static int render_headers(Buffer *b, const Mail *m) {
        char date[MAIL_DATE_MAX];
        char *const from[] = { (char *) m->from, NULL };
        int r;

        if (!mail_address_valid(m->from) || strv_length(m->to) == 0)
                return -EINVAL;
        if ((r = header_addresses(b, "From", "advisoryd", from)) < 0 ||
            (r = header_addresses(b, "To", NULL, m->to)) < 0 ||
            (r = mail_header(b, "Subject", m->subject)) < 0 ||
            (r = header_token(b, "Date", mail_format_date(date, m->date))) < 0 ||
            (r = header_token(b, "Message-ID", m->message_id)) < 0 ||
            (r = header_token(b, "MIME-Version", "1.0")) < 0 ||
            (r = header_token(b, "Auto-Submitted", "auto-generated")) < 0 ||
            (r = header_token(b, "X-Auto-Response-Suppress", "All")) < 0 ||
            (m->list_id && (r = mail_header(b, "List-Id", m->list_id)) < 0))
                return r;
        for (size_t i = 0; i < m->n_extra; i++)
                if ((r = mail_header(b, m->extra[i].name, m->extra[i].value)) < 0)
                        return r;
        return 0;
}

int mail_render(const Mail *m, char **ret, size_t *ret_size) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE], boundary[64];
        Buffer b = {};
        int r;

        if (!m->message_id || m->message_id[0] != '<' || !endswith(m->message_id, ">"))
                return -EINVAL;
        r = render_headers(&b, m);
        if (r < 0)
                goto fail;
        if (!m->html) {
                r = render_part(&b, "text/plain", strempty(m->text));
                if (r < 0)
                        goto fail;
        } else {
                /* "=_" cannot occur in quoted-printable text: the boundary never does either */
                sha256(m->message_id, strlen(m->message_id), digest);
                snprintf(boundary, sizeof(boundary), "=_advisoryd_%.24s",
                         hex_encode(digest, sizeof(digest), hex));
                r = -ENOMEM;
                if (buffer_printf(&b, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
                                  boundary) < 0 ||
                    buffer_printf(&b, "--%s\r\n", boundary) < 0 ||
                    render_part(&b, "text/plain", strempty(m->text)) < 0 ||
                    buffer_printf(&b, "--%s\r\n", boundary) < 0 ||
                    render_part(&b, "text/html", m->html) < 0 ||
                    buffer_printf(&b, "--%s--\r\n", boundary) < 0)
                        goto fail;
        }
        if (buffer_append(&b, "", 0) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        *ret_size = b.size;
        *ret = buffer_steal(&b);
        return 0;
fail:
        buffer_done(&b);
        return r;
}
