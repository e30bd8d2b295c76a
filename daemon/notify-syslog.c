/* notify-syslog.c: one RFC 3164 line per event on a syslog socket (/dev/log by default), as
 * syslog(3) would write it, but to a configurable socket and with the facility and ident of the
 * notifier (syslog(3) keeps both process-global). */
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>

#include "change.h"
#include "notify.h"

static int syslog_send(const char *path, const char *line, size_t n) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendto(fd, line, n, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return 0;
}

int notify_syslog_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen) {
        const NotifyConfig *n = dl->config;
        _cleanup_free_ char *msg = NULL, *line = NULL;
        int severity = LOG_NOTICE, r;
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;

        if (dl->change)
                msg = change_describe(dl->change);
        else {
                msg = source_event_describe(dl->item->event, dl->item->source, dl->item->detail);
                if (dl->item->event == OUTBOX_SOURCE_FAILING)
                        severity = LOG_WARNING;
        }
        if (!msg)
                return -ENOMEM;
        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
        line = strprintf("<%d>%s %s[%d]: %s", n->facility | severity, stamp, n->ident,
                         (int) getpid(), msg);
        if (!line)
                return -ENOMEM;
        r = syslog_send(n->socket, line, strlen(line));
        if (r < 0)
                snprintf(err, errlen, "syslog %s: %s", n->socket, strerror(-r));
        return r;
}
