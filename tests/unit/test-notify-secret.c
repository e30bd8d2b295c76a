/* test-notify-secret.c: reading a notifier's secret from a file or a systemd credential: one
 * trailing newline dropped, empty, binary and over-long secrets refused, and error messages that
 * name the place but never the content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "notify-secret.h"
#include "util.h"

static char dir[64];

static int setup(void **state) {
        snprintf(dir, sizeof(dir), "/tmp/test-notify-secret-XXXXXX");
        assert_non_null(mkdtemp(dir));
        return 0;
}

static int teardown(void **state) {
        _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
        return 0;
}

static char *put(const char *name, const void *data, size_t n) {
        char *path = strprintf("%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        fclose(f);
        return path;
}

static int read_file_secret(const char *path, char **ret, char *err, size_t errlen) {
        err[0] = '\0';
        return notify_read_secret(path, NULL, ret, err, errlen);
}

static void test_file(void **state) {
        char err[256], *s = NULL;

        _cleanup_free_ char *a = put("a", "correct horse\n", 14);
        assert_int_equal(read_file_secret(a, &s, err, sizeof(err)), 0);
        assert_string_equal(s, "correct horse");
        s = secret_free(s);

        _cleanup_free_ char *b = put("b", "crlf\r\n", 6);
        assert_int_equal(read_file_secret(b, &s, err, sizeof(err)), 0);
        assert_string_equal(s, "crlf");
        s = secret_free(s);

        /* only one newline goes: the rest is the secret's */
        _cleanup_free_ char *c = put("c", " spaces \n\n", 10);
        assert_int_equal(read_file_secret(c, &s, err, sizeof(err)), 0);
        assert_string_equal(s, " spaces \n");
        s = secret_free(s);
}

static void test_refused(void **state) {
        char err[256], *s = NULL, big[SECRET_MAX + 1];

        _cleanup_free_ char *empty = put("empty", "\n", 1);
        assert_int_equal(read_file_secret(empty, &s, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, empty));

        _cleanup_free_ char *nul = put("nul", "top\0secret", 10);
        assert_int_equal(read_file_secret(nul, &s, err, sizeof(err)), -EINVAL);
        assert_null(strstr(err, "top"));

        memset(big, 'x', sizeof(big));
        _cleanup_free_ char *large = put("large", big, sizeof(big));
        assert_int_equal(read_file_secret(large, &s, err, sizeof(err)), -EFBIG);

        _cleanup_free_ char *missing = strprintf("%s/missing", dir);
        assert_int_equal(read_file_secret(missing, &s, err, sizeof(err)), -ENOENT);
        assert_non_null(strstr(err, missing));
        assert_null(s);
}

static void test_credential(void **state) {
        char err[256] = "", *s = NULL;
        _cleanup_free_ char *path = put("smtp", "from systemd", 12);

        unsetenv("CREDENTIALS_DIRECTORY");
        assert_int_equal(notify_read_secret(NULL, "smtp", &s, err, sizeof(err)), -ENOENT);
        assert_non_null(strstr(err, "$CREDENTIALS_DIRECTORY"));
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
        assert_int_equal(notify_read_secret(NULL, "smtp", &s, err, sizeof(err)), 0);
        assert_string_equal(s, "from systemd");
        secret_free(s);
        unsetenv("CREDENTIALS_DIRECTORY");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_credential, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
