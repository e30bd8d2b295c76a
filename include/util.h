/* util.h: cleanup helpers, string vectors, small string and number helpers.
 * Everything here is generic; nothing knows about advisories. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Hand out a pointer owned by a _cleanup_ local: the local becomes NULL. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p_ = (p);                                                           \
                (p) = NULL;                                                                        \
                _p_;                                                                               \
        })

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
        static inline void func##p(type *p) {                                                      \
                if (*p)                                                                            \
                        func(*p);                                                                  \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* free() that returns NULL, for "p = mfree(p)". */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}
static inline bool isempty(const char *s) {
        return !s || !*s;
}
static inline const char *strempty(const char *s) {
        return s ? s : "";
}
static inline const char *strna(const char *s) {
        return s ? s : "n/a";
}

/* asprintf() that returns NULL on failure instead of leaving the pointer undefined. */
char *strprintf(const char *fmt, ...) _printf_(1, 2);
char *strvprintf(const char *fmt, va_list ap) _printf_(1, 0);
/* Replace *p with a copy of s (or NULL); -ENOMEM on failure. */
int free_and_strdup(char **p, const char *s);
int free_and_strndup(char **p, const char *s, size_t n);
const char *startswith(const char *s, const char *prefix);
const char *startswith_no_case(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);
char *strstrip(char *s);
char *ascii_strlower(char *s);
char *ascii_strupper(char *s);
/* Strips a trailing '\n' etc. Returns s. */
char *truncate_nl(char *s);

/* Appends src to a growing buffer; all -ENOMEM on failure. */
typedef struct Buffer {
        char *data;
        size_t size, allocated;
} Buffer;
int buffer_append(Buffer *b, const void *p, size_t n);
int buffer_puts(Buffer *b, const char *s);
int buffer_printf(Buffer *b, const char *fmt, ...) _printf_(2, 3);
/* Returns the NUL-terminated contents and resets the buffer. */
char *buffer_steal(Buffer *b);
void buffer_done(Buffer *b);

/* NULL-terminated string vectors. */
char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
bool strv_contains_case(char *const *l, const char *s);
int strv_push(char ***l, char *value); /* takes ownership of value, even on failure */
int strv_extend(char ***l, const char *value);
/* Splits on ASCII whitespace (and commas when with_commas); empty words are dropped. */
int strv_split_words(char ***ret, const char *s, bool with_commas);
char *strv_join(char *const *l, const char *sep);
char **strv_copy(char *const *l);
#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)

/* Reads a whole file (at most max bytes, -EFBIG beyond). Appends a NUL not counted in size. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
/* Sends one datagram to the AF_UNIX socket at path (the journal's, a syslog socket). */
int send_datagram(const char *path, const void *data, size_t size);
/* Writes data to path atomically (temporary file in the same directory, fsync, rename). */
int write_file_atomic(const char *path, const void *data, size_t size, int mode);

int safe_atou(const char *s, unsigned *ret);
int safe_atoi(const char *s, int *ret);
int safe_atoi64(const char *s, int64_t *ret);

/* UTF-8 */
bool utf8_is_valid(const char *s, size_t n);
/* Number of bytes of the UTF-8 sequence starting at s (1 for invalid bytes), and its code point
 * (U+FFFD for invalid input). */
size_t utf8_decode(const char *s, size_t n, uint32_t *ret_cp);
size_t utf8_encode(char out[4], uint32_t cp);
