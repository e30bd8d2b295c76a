/* fuzz-config.c: libFuzzer target for the configuration parser. Any bytes give either a Config
 * (which dumps and, when no line of the input is longer than 99 bytes, parses back to the same
 * dump) or errors, never a crash. */
#include <assert.h>
#include <sys/mman.h>

#include "config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump(const Config *c) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        assert(f);
        config_dump(c, f);
        fclose(f);
        return buf;
}

/* Writes bytes to an anonymous file and returns its /proc path. */
static int memfile(const void *data, size_t size, char path[static 64]) {
        int fd = memfd_create("fuzz-config", MFD_CLOEXEC);
        assert(fd >= 0);
        assert(write(fd, data, size) == (ssize_t) size);
        snprintf(path, 64, "/proc/self/fd/%d", fd);
        return fd;
}

/* The longest line of the input. A configuration line holds at most 199 characters (inih); the
 * dump writes "key = value" and may quote command words afresh, so a value given on a line near
 * that limit may not fit on one line of the dump. Lines up to half of it always do. */
static size_t longest_line(const uint8_t *data, size_t size) {
        size_t longest = 0, n = 0;

        for (size_t i = 0; i < size; i++, n++)
                if (data[i] == '\n' || data[i] == '\r') {
                        longest = MAX(longest, n);
                        n = (size_t) -1;
                }
        return MAX(longest, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[64], path2[64];
        Config *c = NULL, *c2 = NULL;
        char *errors = NULL;
        int fd = memfile(data, size, path);

        if (config_load(path, &c, &errors) >= 0 && longest_line(data, size) > 99)
                free(dump(c)); /* still dumped: it must not crash */
        else if (c) {
                /* the effective configuration reads back the same */
                char *d1 = dump(c);
                const char *body = strchr(d1, '\n') + 1; /* skip the "# … of PATH" line */
                int fd2 = memfile(body, strlen(body), path2);
                assert(config_load(path2, &c2, NULL) >= 0);
                char *d2 = dump(c2);
                assert(streq(strchr(d2, '\n') + 1, body));
                free(d1);
                free(d2);
                config_free(c2);
                close(fd2);
        } else if (errors)
                assert(strchr(errors, ':'));
        config_free(c);
        free(errors);
        close(fd);
        return 0;
}
