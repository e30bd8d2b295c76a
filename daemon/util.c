/* util.c: string, vector, buffer, file and UTF-8 helpers. */
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <limits.h>
#include <sys/stat.h>

char *strvprintf(const char *fmt, va_list ap) {
        char *s;
        if (vasprintf(&s, fmt, ap) < 0)
                return NULL;
        return s;
}

char *strprintf(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s = strvprintf(fmt, ap);
        va_end(ap);
        return s;
}

int free_and_strdup(char **p, const char *s) {
        char *t = NULL;
        if (s && !(t = strdup(s)))
                return -ENOMEM;
        free(*p);
        *p = t;
        return 0;
}

int free_and_strndup(char **p, const char *s, size_t n) {
        char *t = NULL;
        if (s && !(t = strndup(s, n)))
                return -ENOMEM;
        free(*p);
        *p = t;
        return 0;
}

const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

const char *startswith_no_case(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncasecmp(s, prefix, l) == 0 ? s + l : NULL;
}

bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

char *strstrip(char *s) {
        char *e;
        while (isspace((unsigned char) *s))
                s++;
        for (e = s + strlen(s); e > s && isspace((unsigned char) e[-1]); e--)
                ;
        *e = '\0';
        return s;
}

char *ascii_strlower(char *s) {
        for (char *p = s; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        return s;
}

char *ascii_strupper(char *s) {
        for (char *p = s; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        return s;
}

char *truncate_nl(char *s) {
        s[strcspn(s, "\r\n")] = '\0';
        return s;
}

int buffer_append(Buffer *b, const void *p, size_t n) {
        if (b->size + n + 1 > b->allocated) {
                size_t a = MAX(b->allocated * 2, b->size + n + 1);
                a = MAX(a, (size_t) 64);
                char *d = realloc(b->data, a);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->allocated = a;
        }
        if (n > 0)
                memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = '\0';
        return 0;
}

int buffer_puts(Buffer *b, const char *s) {
        return buffer_append(b, s, strlen(s));
}

int buffer_printf(Buffer *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = strvprintf(fmt, ap);
        va_end(ap);
        if (!s)
                return -ENOMEM;
        return buffer_puts(b, s);
}

char *buffer_steal(Buffer *b) {
        if (!b->data && buffer_append(b, "", 0) < 0)
                return NULL;
        char *d = b->data;
        *b = (Buffer) {};
        return d;
}

void buffer_done(Buffer *b) {
        free(b->data);
        *b = (Buffer) {};
}

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

bool strv_contains(char *const *l, const char *s) {
        STRV_FOREACH(i, l)
        if (streq(*i, s))
                return true;
        return false;
}

bool strv_contains_case(char *const *l, const char *s) {
        STRV_FOREACH(i, l)
        if (strcasecmp(*i, s) == 0)
                return true;
        return false;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        return strv_push(l, v);
}

int strv_split_words(char ***ret, const char *s, bool with_commas) {
        _cleanup_strv_free_ char **l = NULL;
        const char *sep = with_commas ? " \t\r\n," : " \t\r\n";

        if (!(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        while (*s) {
                s += strspn(s, sep);
                size_t n = strcspn(s, sep);
                if (n == 0)
                        break;
                char *w = strndup(s, n);
                if (!w || strv_push(&l, w) < 0)
                        return -ENOMEM;
                s += n;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

char *strv_join(char *const *l, const char *sep) {
        Buffer b = {};
        STRV_FOREACH(i, l) {
                if ((i != l && buffer_puts(&b, sep) < 0) || buffer_puts(&b, *i) < 0) {
                        buffer_done(&b);
                        return NULL;
                }
        }
        return buffer_steal(&b);
}

char **strv_copy(char *const *l) {
        char **c = calloc(strv_length(l) + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                if (!(c[i] = strdup(l[i])))
                        return strv_free(c);
        return c;
}

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        Buffer b = {};
        char chunk[65536];
        size_t n;

        if (!f)
                return -errno;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
                if (b.size + n > max) {
                        buffer_done(&b);
                        return -EFBIG;
                }
                if (buffer_append(&b, chunk, n) < 0) {
                        buffer_done(&b);
                        return -ENOMEM;
                }
        }
        if (ferror(f)) {
                buffer_done(&b);
                return -EIO;
        }
        size_t size = b.size;
        char *d = buffer_steal(&b);
        if (!d)
                return -ENOMEM;
        *ret = d;
        if (ret_size)
                *ret_size = size;
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, int mode) {
        _cleanup_free_ char *tmp = strprintf("%s.XXXXXX", path);
        _cleanup_close_ int fd = -EBADF;
        const char *p = data;

        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (size > 0) {
                ssize_t k = write(fd, p, size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        (void) unlink(tmp);
                        return r;
                }
                p += k;
                size -= (size_t) k;
        }
        if (fchmod(fd, (mode_t) mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

int safe_atoi64(const char *s, int64_t *ret) {
        char *end;
        long long v;

        if (isempty(s) || isspace((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0)
                return -ERANGE;
        if (*end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int safe_atoi(const char *s, int *ret) {
        int64_t v;
        int r = safe_atoi64(s, &v);
        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int safe_atou(const char *s, unsigned *ret) {
        int64_t v;
        if (s && *s == '-')
                return -ERANGE;
        int r = safe_atoi64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

size_t utf8_decode(const char *s, size_t n, uint32_t *ret_cp) {
        const unsigned char *u = (const unsigned char *) s;
        uint32_t cp, min;
        size_t len;

        if (n == 0)
                goto invalid;
        if (u[0] < 0x80) {
                *ret_cp = u[0];
                return 1;
        } else if ((u[0] & 0xe0) == 0xc0) {
                len = 2, cp = u[0] & 0x1f, min = 0x80;
        } else if ((u[0] & 0xf0) == 0xe0) {
                len = 3, cp = u[0] & 0x0f, min = 0x800;
        } else if ((u[0] & 0xf8) == 0xf0) {
                len = 4, cp = u[0] & 0x07, min = 0x10000;
        } else
                goto invalid;
        if (len > n)
                goto invalid;
        for (size_t i = 1; i < len; i++) {
                if ((u[i] & 0xc0) != 0x80)
                        goto invalid;
                cp = (cp << 6) | (u[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                goto invalid;
        *ret_cp = cp;
        return len;
invalid:
        *ret_cp = 0xfffd;
        return 1;
}

/* The ASCII bytes at the start of s: eight at a time, since they are the bulk of every page
 * (user sources check whole pages; bench/: 8 % of a cold poll's instructions went here). */
static size_t ascii_prefix(const char *s, size_t n) {
        size_t i = 0;
        uint64_t w;

        for (; i + 8 <= n; i += 8) {
                memcpy(&w, s + i, 8);
                if (w & UINT64_C(0x8080808080808080))
                        break;
        }
        while (i < n && (unsigned char) s[i] < 0x80)
                i++;
        return i;
}

bool utf8_is_valid(const char *s, size_t n) {
        while (n > 0) {
                uint32_t cp;
                size_t l = ascii_prefix(s, n);
                s += l;
                n -= l;
                if (n == 0)
                        break;
                l = utf8_decode(s, n, &cp);
                if (cp == 0xfffd && !(l == 3 && memcmp(s, "\xef\xbf\xbd", 3) == 0))
                        return false;
                s += l;
                n -= l;
        }
        return true;
}

size_t utf8_encode(char out[4], uint32_t cp) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xc0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xe0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

int send_datagram(const char *path, const void *data, size_t size) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendto(fd, data, size, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return 0;
}
