/* fuzz-config.c: libFuzzer target for the configuration parser. Any bytes give either a Config
 * (which dumps and parses back to the same dump) or errors, never a crash. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[64], path2[64];
        Config *c = NULL, *c2 = NULL;
        char *errors = NULL;
        int fd = memfile(data, size, path);

        if (config_load(path, &c, &errors) >= 0) {
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
