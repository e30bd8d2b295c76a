/* exec-job.h: one child process run from sd-event: fork + execve of an argv (no shell) with a
 * given environment, bytes fed on its stdin, stdout and stderr captured together into a bounded
 * buffer, killed with its whole process group after a timeout. Completion is reported once, from
 * the event loop. The process must have SIGCHLD blocked (sd-event's child sources need it):
 * exec_job_prepare() does that. Knows nothing about advisories. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "timeutil.h"
#include "util.h"

/* Output kept for error messages; more is read and dropped so the child never blocks. */
#define EXEC_OUTPUT_MAX 4096

typedef struct ExecJob ExecJob;

typedef struct ExecRequest {
        char *const *argv; /* argv[0] is the absolute path executed */
        char *const *envp; /* the complete environment */
        const void *input;
        size_t input_size;
        usec_t timeout; /* 0: none */
} ExecRequest;

typedef struct ExecResult {
        int code;   /* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int status; /* exit status or signal number */
        bool timed_out;
        const char *output; /* NUL-terminated, at most EXEC_OUTPUT_MAX bytes */
        size_t output_size;
        bool output_truncated;
} ExecResult;

/* Called once when the child has exited. The job is still valid; the handler may free it. */
typedef void (*ExecDoneFn)(ExecJob *j, const ExecResult *result, void *userdata);

/* Blocks SIGCHLD in the calling thread (threads started later inherit it). */
int exec_job_prepare(void);

int exec_job_start(ExecJob **ret, sd_event *event, const ExecRequest *req, ExecDoneFn done,
                   void *userdata);
/* Kills the process group of a child still running, and frees. Accepts NULL. */
ExecJob *exec_job_free(ExecJob *j);
static inline void exec_job_freep(ExecJob **j) {
        exec_job_free(*j);
}

/* "exit status 3: <last output line>", "killed by signal 9 after the timeout of 30s" … into
 * buf (one line, printable, bounded). Returns buf. */
char *exec_result_describe(const ExecResult *r, usec_t timeout, char *buf, size_t size);
/* Success: exited with status 0 within the timeout. */
bool exec_result_ok(const ExecResult *r);
