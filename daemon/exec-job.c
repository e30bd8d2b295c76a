/* exec-job.c: a child process driven by sd-event. Three sources per job: the child (exit), an io
 * source writing the input to its stdin, one reading its output, and a timer for the timeout.
 * Between fork() and execve() only async-signal-safe calls: libcurl may run resolver threads. */
#include "exec-job.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "advisory.h"

struct ExecJob {
        sd_event *event;
        pid_t pid;
        sd_event_source *child, *in, *out, *timer;
        int in_fd, out_fd;
        const uint8_t *input;
        size_t input_size, input_done;
        char output[EXEC_OUTPUT_MAX + 1];
        size_t output_size;
        bool output_truncated;
        bool timed_out;
        bool exited;
        ExecDoneFn done;
        void *userdata;
};

int exec_job_prepare(void) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        return -pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

static void exec_job_close_input(ExecJob *j) {
        j->in = sd_event_source_disable_unref(j->in);
        if (j->in_fd >= 0)
                close(j->in_fd);
        j->in_fd = -EBADF;
}

static void exec_job_close_output(ExecJob *j) {
        j->out = sd_event_source_disable_unref(j->out);
        if (j->out_fd >= 0)
                close(j->out_fd);
        j->out_fd = -EBADF;
}

ExecJob *exec_job_free(ExecJob *j) {
        if (!j)
                return NULL;
        /* the whole group: whatever the program started goes with it; freeing the child
         * source then reaps the child (it owns the process, see exec_job_watch) */
        if (j->pid > 0 && !j->exited)
                (void) kill(-j->pid, SIGKILL);
        sd_event_source_disable_unref(j->child);
        sd_event_source_disable_unref(j->timer);
        exec_job_close_input(j);
        exec_job_close_output(j);
        sd_event_unref(j->event);
        free(j);
        return NULL;
}

/* ---- the child ---- */

static void child_write(const char *s) {
        (void) !write(STDERR_FILENO, s, strlen(s));
}

/* async-signal-safe: no strerror(), no printf() */
static const char *errno_name(int e) {
        switch (e) {
        case ENOENT: return "No such file or directory";
        case EACCES: return "Permission denied";
        case ENOEXEC: return "Exec format error";
        case ENOTDIR: return "Not a directory";
        case ETXTBSY: return "Text file busy";
        case E2BIG: return "Argument list too long";
        case ENOMEM: return "Out of memory";
        default: return "execve failed";
        }
}

_Noreturn static void child_exec(const ExecRequest *req, int in_fd, int out_fd) {
        sigset_t none;
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        (void) setpgid(0, 0);
        /* ignored signals survive execve (advisoryd ignores SIGPIPE), and so does the mask */
        for (int sig = 1; sig < NSIG; sig++)
                (void) sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(out_fd, STDERR_FILENO) < 0)
                _exit(127);
        (void) close_range(3, ~0U, 0);
        execve(req->argv[0], req->argv, req->envp);
        int e = errno;
        child_write("advisoryd: cannot execute ");
        child_write(req->argv[0]);
        child_write(": ");
        child_write(errno_name(e));
        child_write("\n");
        _exit(127);
}

/* ---- the parent ---- */

static void exec_job_drain(ExecJob *j) {
        char buf[4096];

        while (j->out_fd >= 0) {
                ssize_t n = read(j->out_fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        /* EOF, or EAGAIN: the rest (if any) is the business of whoever still
                         * holds the pipe after the child exited */
                        if (n == 0 || errno != EAGAIN)
                                exec_job_close_output(j);
                        return;
                }
                size_t keep = MIN((size_t) n, EXEC_OUTPUT_MAX - j->output_size);
                memcpy(j->output + j->output_size, buf, keep);
                j->output_size += keep;
                j->output_truncated = j->output_truncated || keep < (size_t) n;
        }
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        exec_job_drain(userdata);
        return 0;
}

static int on_input(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ExecJob *j = userdata;

        while (j->input_done < j->input_size) {
                ssize_t n = write(j->in_fd, j->input + j->input_done, j->input_size - j->input_done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                if (n < 0)
                        break; /* EPIPE: the program does not read its stdin; its choice */
                j->input_done += (size_t) n;
        }
        exec_job_close_input(j);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ExecJob *j = userdata;

        j->timed_out = true;
        (void) kill(-j->pid, SIGKILL);
        return 0;
}

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata) {
        ExecJob *j = userdata;

        j->exited = true;
        exec_job_close_input(j);
        exec_job_drain(j);
        exec_job_close_output(j);
        j->timer = sd_event_source_disable_unref(j->timer);
        j->output[j->output_size] = '\0';
        ExecResult r = {
                .code = si->si_code,
                .status = si->si_status,
                .timed_out = j->timed_out,
                .output = j->output,
                .output_size = j->output_size,
                .output_truncated = j->output_truncated,
        };
        j->done(j, &r, j->userdata);
        return 0;
}

static int exec_job_pipes(int in[2], int out[2]) {
        if (pipe2(in, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(out, O_CLOEXEC) < 0) {
                int r = -errno;
                close(in[0]);
                close(in[1]);
                return r;
        }
        /* our ends do not block the loop; the child's stay blocking */
        if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
                int r = -errno;
                close(in[0]), close(in[1]), close(out[0]), close(out[1]);
                return r;
        }
        return 0;
}

static int exec_job_watch(ExecJob *j, const ExecRequest *req) {
        int r;

        r = sd_event_add_child(j->event, &j->child, j->pid, WEXITED, on_child, j);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(j->child, "exec-child");
        r = sd_event_source_set_child_process_own(j->child, true);
        if (r < 0)
                return r;
        r = sd_event_add_io(j->event, &j->out, j->out_fd, EPOLLIN, on_output, j);
        if (r < 0)
                return r;
        r = sd_event_add_io(j->event, &j->in, j->in_fd, EPOLLOUT, on_input, j);
        if (r < 0)
                return r;
        if (req->timeout > 0) {
                r = sd_event_add_time_relative(j->event, &j->timer, CLOCK_MONOTONIC, req->timeout,
                                               USEC_PER_MSEC, on_timeout, j);
                if (r < 0)
                        return r;
        }
        return 0;
}

int exec_job_start(ExecJob **ret, sd_event *event, const ExecRequest *req, ExecDoneFn done,
                   void *userdata) {
        _cleanup_(exec_job_freep) ExecJob *j = NULL;
        int in[2], out[2], r;

        if (!req->argv || !req->argv[0] || req->argv[0][0] != '/')
                return -EINVAL;
        if (!(j = calloc(1, sizeof(ExecJob))))
                return -ENOMEM;
        *j = (ExecJob) { .event = sd_event_ref(event), .in_fd = -EBADF, .out_fd = -EBADF,
                         .input = req->input, .input_size = req->input_size, .done = done,
                         .userdata = userdata };
        r = exec_job_pipes(in, out);
        if (r < 0)
                return r;
        j->pid = fork();
        if (j->pid == 0)
                child_exec(req, in[0], out[1]);
        r = -errno;
        close(in[0]);
        close(out[1]);
        j->in_fd = in[1];
        j->out_fd = out[0];
        if (j->pid < 0)
                return r;
        (void) setpgid(j->pid, j->pid); /* also in the child: whichever runs first */
        r = exec_job_watch(j, req);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(j);
        return 0;
}

bool exec_result_ok(const ExecResult *r) {
        return r->code == CLD_EXITED && r->status == 0 && !r->timed_out;
}

/* The last non-empty line of the output, cleaned and short. */
static char *output_tail(const ExecResult *r) {
        const char *s = r->output, *end = s + r->output_size;

        while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
                end--;
        const char *start = end;
        while (start > s && start[-1] != '\n')
                start--;
        return advisory_clean_text(start, (size_t) (end - start), 200);
}

char *exec_result_describe(const ExecResult *r, usec_t timeout, char *buf, size_t size) {
        _cleanup_free_ char *tail = output_tail(r);
        char t[DURATION_MAX];

        if (r->timed_out)
                snprintf(buf, size, "killed after the timeout of %s", format_duration(t, timeout));
        else if (r->code == CLD_EXITED)
                snprintf(buf, size, "exit status %d", r->status);
        else
                snprintf(buf, size, "killed by signal SIG%s", sigabbrev_np(r->status) ?: "?");
        if (!isempty(tail)) {
                size_t n = strlen(buf);
                snprintf(buf + n, size - n, ": %s", tail);
        }
        return buf;
}
