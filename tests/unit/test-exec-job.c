/* test-exec-job.c: child processes run from an sd-event loop: stdin fed, output captured and
 * bounded, exit status, the environment given and nothing else, arguments as data (no shell),
 * a program that does not exist, and the timeout killing the whole process group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>

#include "exec-job.h"

typedef struct Outcome {
        bool done;
        ExecResult result;
        char *output;
} Outcome;

static void on_done(ExecJob *j, const ExecResult *r, void *userdata) {
        Outcome *o = userdata;

        o->done = true;
        o->result = *r;
        o->output = strndup(r->output, r->output_size);
        o->result.output = o->output;
        exec_job_free(j);
}

/* Runs argv to completion (or fails the test after 20 s). */
static Outcome run(char *const *argv, char *const *envp, const char *input, size_t input_size,
                   usec_t timeout) {
        sd_event *e = NULL;
        ExecJob *j = NULL;
        Outcome o = {};
        ExecRequest req = { .argv = argv, .envp = envp, .input = input, .input_size = input_size,
                            .timeout = timeout };

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(exec_job_start(&j, e, &req, on_done, &o), 0);
        for (unsigned i = 0; i < 2000 && !o.done; i++)
                assert_true(sd_event_run(e, 10 * USEC_PER_MSEC) >= 0);
        assert_true(o.done);
        sd_event_unref(e);
        return o;
}

static char *const clean_env[] = { "PATH=/usr/bin:/bin", "ADVISORY_LEVEL=3", NULL };

static void test_input_output_status(void **state) {
        char *const argv[] = { "/bin/sh", "-c", "cat; echo oops >&2; exit 3", NULL };
        Outcome o = run(argv, clean_env, "payload\n", 8, 10 * USEC_PER_SEC);
        char buf[256];

        assert_int_equal(o.result.code, CLD_EXITED);
        assert_int_equal(o.result.status, 3);
        assert_false(o.result.timed_out);
        assert_false(exec_result_ok(&o.result));
        assert_string_equal(o.output, "payload\noops\n");
        assert_string_equal(exec_result_describe(&o.result, 0, buf, sizeof(buf)),
                            "exit status 3: oops");
        free(o.output);
}

static void test_environment_is_exactly_the_given_one(void **state) {
        char *const argv[] = { "/usr/bin/env", NULL };
        Outcome o = run(argv, clean_env, NULL, 0, 10 * USEC_PER_SEC);

        assert_true(exec_result_ok(&o.result));
        assert_string_equal(o.output, "PATH=/usr/bin:/bin\nADVISORY_LEVEL=3\n");
        free(o.output);
}

static void test_arguments_are_data(void **state) {
        const char *evil = "$(touch /tmp/pwned); `id` | cat & echo > /tmp/x ; \"'\\ *";
        char *const argv[] = { "/usr/bin/printf", "%s", (char *) evil, NULL };
        Outcome o = run(argv, clean_env, NULL, 0, 10 * USEC_PER_SEC);

        assert_true(exec_result_ok(&o.result));
        assert_string_equal(o.output, evil);
        free(o.output);
}

static void test_missing_program(void **state) {
        char *const argv[] = { "/nonexistent/notify", NULL };
        Outcome o = run(argv, clean_env, "x", 1, 10 * USEC_PER_SEC);
        char buf[256];

        assert_int_equal(o.result.code, CLD_EXITED);
        assert_int_equal(o.result.status, 127);
        assert_string_equal(exec_result_describe(&o.result, 0, buf, sizeof(buf)),
                            "exit status 127: advisoryd: cannot execute /nonexistent/notify: No "
                            "such file or directory");
        free(o.output);
}

static void test_big_input_and_output(void **state) {
        /* more than a pipe holds, both ways: neither side may block the other */
        size_t n = 1 << 20;
        char *input = malloc(n);
        char *const argv[] = { "/bin/sh", "-c", "wc -c; head -c 200000 /dev/zero", NULL };

        assert_non_null(input);
        memset(input, 'x', n);
        Outcome o = run(argv, clean_env, input, n, 20 * USEC_PER_SEC);
        assert_true(exec_result_ok(&o.result));
        assert_true(o.result.output_truncated);
        assert_int_equal(o.result.output_size, EXEC_OUTPUT_MAX);
        assert_true(startswith(o.output, "1048576\n"));
        free(o.output);
        free(input);
}

static void test_timeout_kills_the_group(void **state) {
        /* the shell starts a grandchild in the background and reports its pid */
        char *const argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; wait", NULL };
        Outcome o = run(argv, clean_env, NULL, 0, 300 * USEC_PER_MSEC);
        char buf[256];
        unsigned grandchild = 0;

        assert_true(o.result.timed_out);
        assert_int_equal(o.result.code, CLD_KILLED);
        assert_int_equal(o.result.status, SIGKILL);
        assert_false(exec_result_ok(&o.result));
        assert_int_equal(safe_atou(truncate_nl(o.output), &grandchild), 0);
        assert_true(startswith(exec_result_describe(&o.result, 300 * USEC_PER_MSEC, buf, sizeof(buf)),
                               "killed after the timeout of 300ms"));
        /* the grandchild went with the group (it may linger a moment as a zombie of init) */
        bool gone = false;
        for (unsigned i = 0; i < 200 && !gone; i++) {
                char path[64], stat[512] = "";
                snprintf(path, sizeof(path), "/proc/%u/stat", grandchild);
                FILE *f = fopen(path, "re");
                if (!f) {
                        gone = true;
                        break;
                }
                (void) !fread(stat, 1, sizeof(stat) - 1, f);
                fclose(f);
                const char *p = strrchr(stat, ')');
                gone = p && p[1] == ' ' && p[2] == 'Z';
                if (!gone)
                        usleep(10000);
        }
        assert_true(gone);
        free(o.output);
}

static void test_free_while_running_kills(void **state) {
        char *const argv[] = { "/bin/sleep", "30", NULL };
        ExecRequest req = { .argv = argv, .envp = clean_env };
        sd_event *e = NULL;
        ExecJob *j = NULL;
        Outcome o = {};

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(exec_job_start(&j, e, &req, on_done, &o), 0);
        assert_true(sd_event_run(e, 10 * USEC_PER_MSEC) >= 0);
        exec_job_free(j);
        assert_false(o.done);
        /* reaped: no child of ours is left */
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
        sd_event_unref(e);
}

static void test_relative_program_refused(void **state) {
        char *const argv[] = { "sh", NULL };
        ExecRequest req = { .argv = argv, .envp = clean_env };
        sd_event *e = NULL;
        ExecJob *j = NULL;

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(exec_job_start(&j, e, &req, on_done, NULL), -EINVAL);
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_input_output_status),
                cmocka_unit_test(test_environment_is_exactly_the_given_one),
                cmocka_unit_test(test_arguments_are_data),
                cmocka_unit_test(test_missing_program),
                cmocka_unit_test(test_big_input_and_output),
                cmocka_unit_test(test_timeout_kills_the_group),
                cmocka_unit_test(test_free_while_running_kills),
                cmocka_unit_test(test_relative_program_refused),
        };

        /* as advisoryd does: SIGPIPE ignored, SIGCHLD blocked */
        signal(SIGPIPE, SIG_IGN);
        assert_int_equal(exec_job_prepare(), 0);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
