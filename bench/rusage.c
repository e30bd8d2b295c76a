/* rusage.c: runs a command and writes what it cost as JSON: wall time, user and system CPU, peak
 * RSS from wait4(), and the peak of its anonymous memory (RssAnon, sampled every 5 ms).
 *
 *   rusage OUT.json COMMAND [ARG...]      exits with the command's status
 *
 * Why not wait4() from the Python runner: Linux charges a process's ru_maxrss with the RSS of the
 * process image it replaced at execve(), and a child of Python (fork or vfork) replaces a copy of
 * the ~20 MB interpreter. Forked from this small program, the command is charged for itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static long rss_anon_kb(pid_t pid) {
        char path[64], line[256];
        long kb = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        if (!(f = fopen(path, "re")))
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "RssAnon:", 8) == 0) {
                        kb = strtol(line + 8, NULL, 10);
                        break;
                }
        fclose(f);
        return kb;
}

int main(int argc, char *argv[]) {
        struct rusage ru;
        long anon = 0;
        int status, pidfd;
        double t0, t1;
        pid_t pid;
        FILE *out;

        if (argc < 3) {
                fprintf(stderr, "usage: %s OUT.json COMMAND [ARG...]\n", argv[0]);
                return 2;
        }
        t0 = now();
        pid = fork();
        if (pid < 0)
                return perror("fork"), 2;
        if (pid == 0) {
                execvp(argv[2], argv + 2);
                perror(argv[2]);
                _exit(127);
        }
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        for (;;) {
                long a = rss_anon_kb(pid);
                if (a > anon)
                        anon = a;
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                if (pidfd < 0)
                        usleep(5000);
                else if (poll(&p, 1, 5) < 0 && errno != EINTR)
                        break;
                if (pidfd < 0 || p.revents) {
                        pid_t w = wait4(pid, &status, pidfd < 0 ? WNOHANG : 0, &ru);
                        if (w == pid)
                                break;
                }
        }
        t1 = now();
        if (!(out = fopen(argv[1], "we")))
                return perror(argv[1]), 2;
        fprintf(out,
                "{\"wall\": %.6f, \"user\": %.6f, \"sys\": %.6f, \"maxrss_kb\": %ld, "
                "\"rss_anon_peak_kb\": %ld, \"voluntary_switches\": %ld, "
                "\"involuntary_switches\": %ld, \"fs_writes_kb\": %ld, \"status\": %d}\n",
                t1 - t0, (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6,
                (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss,
                anon, ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_oublock / 2, status);
        fclose(out);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}
