/* notify-secret.c: reading a secret with plain read(2) into one buffer that is wiped after use
 * (no stdio buffers, no reallocations leaving copies behind). */
#include "notify-secret.h"

#include <fcntl.h>

#include "util.h"

char *secret_free(char *s) {
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
        return NULL;
}

static int secret_path(const char *file, const char *credential, char **ret, char *err,
                       size_t errlen) {
        const char *dir;

        if (file) {
                *ret = strdup(file);
                return *ret ? 0 : -ENOMEM;
        }
        dir = getenv("CREDENTIALS_DIRECTORY");
        if (isempty(dir)) {
                snprintf(err, errlen,
                         "credential '%s': $CREDENTIALS_DIRECTORY is not set (LoadCredential= in "
                         "the service unit provides it)",
                         credential);
                return -ENOENT;
        }
        *ret = strprintf("%s/%s", dir, credential);
        return *ret ? 0 : -ENOMEM;
}

int notify_read_secret(const char *file, const char *credential, char **ret, char *err,
                       size_t errlen) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        char *buf;
        size_t n = 0;
        int r;

        r = secret_path(file, credential, &path, err, errlen);
        if (r < 0)
                return r;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                snprintf(err, errlen, "cannot read the secret %s: %s", path, strerror(-r));
                return r;
        }
        if (!(buf = malloc(SECRET_MAX + 1)))
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, SECRET_MAX + 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        break;
                }
                if (k == 0 || (n += (size_t) k) > SECRET_MAX)
                        break;
        }
        if (r >= 0 && n > SECRET_MAX)
                r = -EFBIG;
        if (r >= 0) {
                n -= n > 0 && buf[n - 1] == '\n';
                n -= n > 0 && buf[n - 1] == '\r';
                buf[n] = '\0';
                if (n == 0 || strlen(buf) != n)
                        r = -EINVAL; /* empty, or a NUL inside */
        }
        if (r < 0) {
                explicit_bzero(buf, SECRET_MAX + 1);
                free(buf);
                snprintf(err, errlen, "cannot use the secret %s: %s", path,
                         r == -EINVAL  ? "empty or binary"
                         : r == -EFBIG ? "longer than 4096 bytes"
                                       : strerror(-r));
                return r;
        }
        *ret = buf;
        return 0;
}
