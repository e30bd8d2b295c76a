/* notify-syslog.c: one RFC 3164 line per event on a syslog socket (/dev/log by default), as
 * syslog(3) would write it, but to a configurable socket and with the facility and ident of the
 * notifier (syslog(3) keeps both process-global). */
#include <syslog.h>

#include "change.h"
#include "notify.h"

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
        r = send_datagram(n->socket, line, strlen(line));
        if (r < 0)
                snprintf(err, errlen, "syslog %s: %s", n->socket, strerror(-r));
        return r;
}
