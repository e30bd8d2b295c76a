/* mail.h: an Internet message (RFC 5322, MIME) rendered to bytes: header fields encoded per
 * RFC 2047 and folded, a quoted-printable UTF-8 body with an optional HTML alternative. Every
 * value that may come from a scraped page goes through mail_header() or the body encoder, which
 * make it one line (no CR, LF, NUL, other controls or bidi formatting characters), cut it to a
 * bounded length and encode it; no input can add a header field or end the message.
 * Pure: no I/O, no globals, no clock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

/* Where a header line is folded when it can be; no line is ever longer than 998 bytes. */
#define MAIL_LINE_SOFT 78
/* Longest header value, in bytes of UTF-8 after cleaning; longer values end in "…". */
#define MAIL_HEADER_VALUE_MAX 600
#define MAIL_DATE_MAX 40

typedef struct MailHeader {
        const char *name;
        const char *value;
} MailHeader;

typedef struct Mail {
        const char *from;       /* an address (mail_address_valid) */
        char *const *to;        /* addresses, NULL-terminated */
        const char *subject;    /* any UTF-8 text */
        time_t date;
        const char *message_id; /* "<local@domain>" */
        const char *list_id;    /* "advisoryd ops <ops.advisoryd.example.org>", or NULL */
        const MailHeader *extra; /* further fields (X-Advisoryd-*), any text as value */
        size_t n_extra;
        const char *text;       /* the text/plain body, UTF-8, '\n' between lines */
        const char *html;       /* an optional text/html alternative */
} Mail;

/* "Name: value\r\n" for an unstructured field: value cleaned to one line and cut (see above);
 * pure printable ASCII is folded between words, anything else becomes RFC 2047 "Q" encoded-words
 * of whole UTF-8 characters, each at most 75 bytes, on lines of at most 78. */
int mail_header(Buffer *b, const char *name, const char *value);

/* An address we are willing to put in a header or an SMTP envelope: printable ASCII without
 * white space or RFC 5322 specials apart from one '@' and dots, not starting with '-'. */
bool mail_address_valid(const char *address);
/* The domain of an address, reduced to letters, digits, '-' and '.' for Message-ID and List-Id
 * ("advisoryd.invalid" when nothing is left). */
char *mail_address_domain(const char *address);

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text whose lines end in '\n': CRLF line ends, at most
 * 76 characters a line, a leading '.' or "From " encoded so that no transport mangles it. */
int mail_append_qp(Buffer *b, const char *text);

/* RFC 5322 date in UTC: "Wed, 05 Jan 2022 10:00:00 +0000". Returns buf. */
char *mail_format_date(char buf[static MAIL_DATE_MAX], time_t t);

/* Escapes text for HTML element content and attribute values. */
int mail_append_html_escaped(Buffer *b, const char *text);

/* The whole message with CRLF line ends. -EINVAL when from, a recipient or the Message-ID is not
 * acceptable (they come from the configuration and from us, never from a page). */
int mail_render(const Mail *m, char **ret, size_t *ret_size);
