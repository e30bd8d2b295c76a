/* notify-journal.c: structured records on the journal's native socket. We speak the native
 * protocol ourselves (it is small and documented) so that the socket path is configurable: tests
 * bind their own receiver instead of relying on a running journald. */
#include <sys/uio.h>

#include "change.h"
#include "country.h"
#include "log.h"
#include "notify.h"

/* Appends one field. Values with a newline use the binary form: name, '\n', 64-bit LE length,
 * value, '\n'. */
static int journal_field(Buffer *b, const char *name, const char *value) {
        size_t n = strlen(value);

        if (!strchr(value, '\n'))
                return buffer_printf(b, "%s=%s\n", name, value);
        uint8_t le[8];
        for (int i = 0; i < 8; i++)
                le[i] = (uint8_t) ((uint64_t) n >> (8 * i));
        if (buffer_printf(b, "%s\n", name) < 0 || buffer_append(b, le, 8) < 0 ||
            buffer_append(b, value, n) < 0 || buffer_append(b, "\n", 1) < 0)
                return -ENOMEM;
        return 0;
}

static int journal_field_int(Buffer *b, const char *name, int v) {
        char s[16];
        if (v <= 0)
                return 0;
        snprintf(s, sizeof(s), "%d", v);
        return journal_field(b, name, s);
}

static int journal_build_change(Buffer *b, const Change *c) {
        _cleanup_free_ char *msg = change_describe(c);
        char id[24];

        if (!msg)
                return -ENOMEM;
        snprintf(id, sizeof(id), "%lld", (long long) c->id);
        if (journal_field(b, "MESSAGE", msg) < 0 ||
            journal_field(b, "MESSAGE_ID", MESSAGE_ID_LEVEL_CHANGED) < 0 ||
            journal_field(b, "PRIORITY", "5") < 0 ||
            journal_field(b, "ADVISORY_SOURCE", c->source) < 0 ||
            journal_field(b, "ADVISORY_COUNTRY", c->country) < 0 ||
            journal_field(b, "ADVISORY_COUNTRY_NAME", country_name(c->country)) < 0 ||
            journal_field_int(b, "ADVISORY_LEVEL", c->level) < 0 ||
            journal_field_int(b, "ADVISORY_PREVIOUS_LEVEL", c->previous_level) < 0 ||
            journal_field_int(b, "ADVISORY_REGIONAL_LEVEL", c->regional_level) < 0 ||
            journal_field_int(b, "ADVISORY_PREVIOUS_REGIONAL_LEVEL", c->previous_regional_level) < 0 ||
            journal_field(b, "ADVISORY_LABEL", strempty(c->label)) < 0 ||
            (c->url && journal_field(b, "ADVISORY_URL", c->url) < 0) ||
            (c->updated && journal_field(b, "ADVISORY_UPDATED", c->updated) < 0) ||
            journal_field(b, "ADVISORY_CHANGE_ID", id) < 0)
                return -ENOMEM;
        return 0;
}

static int journal_build_source_event(Buffer *b, const OutboxItem *o) {
        _cleanup_free_ char *msg = source_event_describe(o->event, o->source, o->detail);
        bool failing = o->event == OUTBOX_SOURCE_FAILING;

        if (!msg || journal_field(b, "MESSAGE", msg) < 0 ||
            journal_field(b, "MESSAGE_ID",
                          failing ? MESSAGE_ID_SOURCE_FAILING : MESSAGE_ID_SOURCE_RECOVERED) < 0 ||
            journal_field(b, "PRIORITY", failing ? "4" : "5") < 0 ||
            journal_field(b, "ADVISORY_SOURCE", o->source) < 0 ||
            (o->detail && journal_field(b, "ADVISORY_ERROR", o->detail) < 0))
                return -ENOMEM;
        return 0;
}

int notify_journal_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen) {
        Buffer b = {};
        int r;

        if (dl->change)
                r = journal_build_change(&b, dl->change);
        else
                r = journal_build_source_event(&b, dl->item);
        if (r >= 0 && (r = buffer_printf(&b, "SYSLOG_IDENTIFIER=advisoryd\nSYSLOG_PID=%d\n",
                                         (int) getpid())) >= 0)
                r = send_datagram(dl->config->socket, b.data, b.size);
        if (r == -ENOENT || r == -ECONNREFUSED) {
                /* no journald (a development machine, a container): the daemon's own log line
                 * on stderr carries the same text; say so once rather than retrying forever */
                static bool warned = false;
                if (!warned)
                        log_notice("No journal socket at %s; journal notifications go to the "
                                   "daemon's log only.",
                                   dl->config->socket);
                warned = true;
                r = 0;
        }
        if (r < 0)
                snprintf(err, errlen, "journal: %s", strerror(-r));
        buffer_done(&b);
        return r;
}
