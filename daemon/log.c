/* log.c: stderr logging with optional journal priority prefixes. */
#include "log.h"

#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

static int max_level = LOG_INFO;
static bool prefix_priority = false;

void log_setup(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        /* systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected to stderr. */
        if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0)
                prefix_priority = (unsigned long long) st.st_dev == dev &&
                                  (unsigned long long) st.st_ino == ino;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_internal(int level, int error, const char *fmt, ...) {
        char msg[4096];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        errno = error; /* so that %m works */
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        /* A log line is one line: never let a message (maybe quoting scraped text) break it. */
        for (char *p = msg; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        if (prefix_priority)
                fprintf(stderr, "<%d>%s\n", level, msg);
        else
                fprintf(stderr, "%s\n", msg);
        errno = saved;
        return -(error ? error : EIO);
}

void log_struct(int level, const char *message_id, const char *source, const char *fmt, ...) {
        char msg[4096];
        va_list ap;

        if (level > max_level)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        for (char *p = msg; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        /* under systemd stderr is a journal stream, which cannot carry fields: send natively */
        if (prefix_priority &&
            sd_journal_send("MESSAGE=%s", msg, "MESSAGE_ID=%s", message_id, "PRIORITY=%i", level,
                            "ADVISORY_SOURCE=%s", strempty(source), "SYSLOG_IDENTIFIER=advisoryd",
                            NULL) >= 0)
                return;
        log_internal(level, 0, "%s", msg);
}
