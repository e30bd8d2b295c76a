/* ctl-sources.c: advisoryctl sources (the health of each source) and notifications (the
 * delivery queue): read-only views over the source and outbox tables. */
#include "ctl-options.h"
#include "ctl.h"

#include "log.h"

/* ---- sources ---- */

static const char *const source_keys[] = { "source",
                                           "enabled",
                                           "state",
                                           "consecutive_failures",
                                           "last_attempt",
                                           "last_success",
                                           "last_error_class",
                                           "last_error",
                                           "documents",
                                           "countries",
                                           "next_poll",
                                           NULL };

/* Whether the configuration polls the source; unknown (null) without a configuration, rather
 * than "no" for a source the daemon may well be polling. */
static int source_set_enabled(const Ctl *ctl, Table *t, const char *id) {
        const SourceConfig *sc;

        if (!ctl->config)
                return table_set_string(t, "enabled", NULL);
        sc = config_find_source(ctl->config, id);
        return table_set_bool(t, "enabled", sc && sc->enabled);
}

/* st: a row of the source table, or NULL for a configured source never polled. */
static int source_row(Ctl *ctl, Table *t, sqlite3_stmt *st, const char *id) {
        bool polled = st && sqlite3_column_type(st, 1) != SQLITE_NULL;
        const char *state = polled ? (const char *) sqlite3_column_text(st, 1) : "ok";
        const char *err = polled ? (const char *) sqlite3_column_text(st, 5) : NULL;
        const char *cls = polled ? (const char *) sqlite3_column_text(st, 6) : NULL;

        if (table_new_row(t) < 0 || table_set_string(t, "source", id) < 0 ||
            source_set_enabled(ctl, t, id) < 0 || table_set_string(t, "state", state) < 0 ||
            table_set_int(t, "consecutive_failures", polled ? sqlite3_column_int(st, 2) : 0) < 0 ||
            table_set_time(t, "last_attempt", polled ? (time_t) sqlite3_column_int64(st, 3) : 0) < 0 ||
            table_set_time(t, "last_success", polled ? (time_t) sqlite3_column_int64(st, 4) : 0) < 0 ||
            table_set_string(t, "last_error", err) < 0 ||
            table_set_string(t, "last_error_class", cls) < 0 ||
            table_set_int(t, "documents", polled ? sqlite3_column_int64(st, 7) : 0) < 0 ||
            table_set_int(t, "countries", st ? sqlite3_column_int64(st, 9) : 0) < 0 ||
            table_set_time(t, "next_poll", polled ? (time_t) sqlite3_column_int64(st, 8) : 0) < 0)
                return log_oom();
        return 0;
}

int ctl_sources(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **seen = NULL;
        _cleanup_table_ Table *t = NULL;
        int c, r, rc;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                if (!ctl_common_option(ctl, c))
                        return -EINVAL;
        if (optind != argc)
                return ctl_usage_error("sources takes no arguments");
        /* countries: one seek per distinct country in period_by_source */
        r = store_prepare(ctl->store,
                          "SELECT id, state, consecutive_failures, last_attempt, last_success,"
                          " last_error, last_error_class, documents, next_poll,"
                          " (SELECT COUNT(DISTINCT country) FROM period WHERE source = s.id)"
                          " FROM source s ORDER BY id",
                          &st);
        if (r < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        if (!(t = table_new(source_keys)))
                return log_oom();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *id = (const char *) sqlite3_column_text(st, 0);
                if ((r = source_row(ctl, t, st, id)) < 0)
                        return r;
                if (strv_extend(&seen, id) < 0)
                        return log_oom();
        }
        if (rc != SQLITE_DONE)
                return ctl_query_error(ctl, rc);
        /* configured sources the daemon has not polled yet */
        for (size_t i = 0; ctl->config && i < ctl->config->n_sources; i++) {
                const char *id = ctl->config->sources[i].id;
                if (!strv_contains(seen, id) && (r = source_row(ctl, t, NULL, id)) < 0)
                        return r;
        }
        if (table_set_header(t, "consecutive_failures", "FAILURES") < 0 ||
            table_set_header(t, "last_error_class", "ERROR CLASS") < 0)
                return log_oom();
        ctl->style.max_width = 48;
        return ctl_print(ctl, t);
}

/* ---- notifications ---- */

static const char *const notification_keys[] = { "id",         "notifier",     "event",
                                                  "source",     "country",      "state",
                                                  "attempts",   "next_attempt", "last_error",
                                                  "change_id",  "created_at",   "delivered_at",
                                                  NULL };

/* The state filter is spelled out so that the pending one can use the outbox_pending index. */
#define NOTIFICATIONS_SQL(where)                                                                   \
        "SELECT o.id, o.notifier, o.event, o.source, p.country, o.state, o.attempts,"             \
        " o.next_attempt, o.last_error, o.change_id, o.created_at, o.delivered_at"                \
        " FROM outbox o LEFT JOIN period p ON p.id = o.change_id" where " ORDER BY o.id"

static int notification_row(Table *t, sqlite3_stmt *st) {
        const char *state = (const char *) sqlite3_column_text(st, 5);

        if (table_new_row(t) < 0 || table_set_int(t, "id", sqlite3_column_int64(st, 0)) < 0 ||
            table_set_string(t, "notifier", (const char *) sqlite3_column_text(st, 1)) < 0 ||
            table_set_string(t, "event", (const char *) sqlite3_column_text(st, 2)) < 0 ||
            table_set_string(t, "source", (const char *) sqlite3_column_text(st, 3)) < 0 ||
            table_set_string(t, "country", (const char *) sqlite3_column_text(st, 4)) < 0 ||
            table_set_string(t, "state", state) < 0 ||
            table_set_int(t, "attempts", sqlite3_column_int64(st, 6)) < 0 ||
            /* only a pending notification has a next attempt */
            table_set_time(t, "next_attempt",
                           streq_ptr(state, "pending") ? (time_t) sqlite3_column_int64(st, 7) : 0) < 0 ||
            table_set_string(t, "last_error", (const char *) sqlite3_column_text(st, 8)) < 0 ||
            (sqlite3_column_type(st, 9) == SQLITE_NULL
                     ? table_set_string(t, "change_id", NULL)
                     : table_set_int(t, "change_id", sqlite3_column_int64(st, 9))) < 0 ||
            table_set_time(t, "created_at", (time_t) sqlite3_column_int64(st, 10)) < 0 ||
            table_set_time(t, "delivered_at", (time_t) sqlite3_column_int64(st, 11)) < 0)
                return -ENOMEM;
        return 0;
}

int ctl_notifications(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "pending", no_argument, NULL, ARG_PENDING },
                { "failed", no_argument, NULL, ARG_FAILED },
                CTL_COMMON_OPTIONS,
                {},
        };
        static const char *const hidden[] = { "change_id", "created_at", "delivered_at" };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_table_ Table *t = NULL;
        const char *sql = NOTIFICATIONS_SQL("");
        int c, rc, filters = 0;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_PENDING)
                        sql = NOTIFICATIONS_SQL(" WHERE o.state = 'pending'");
                else if (c == ARG_FAILED)
                        sql = NOTIFICATIONS_SQL(" WHERE o.state = 'failed'");
                else
                        return -EINVAL;
                filters++;
        }
        if (filters > 1)
                return ctl_usage_error("notifications takes one of --pending and --failed");
        if (optind != argc)
                return ctl_usage_error("notifications takes no arguments");
        if (store_prepare(ctl->store, sql, &st) < 0)
                return ctl_query_error(ctl, SQLITE_ERROR);
        if (!(t = table_new(notification_keys)))
                return log_oom();
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (notification_row(t, st) < 0)
                        return log_oom();
        if (rc != SQLITE_DONE)
                return ctl_query_error(ctl, rc);
        for (size_t i = 0; i < ELEMENTSOF(hidden); i++)
                table_hide(t, hidden[i]);
        if (table_set_header(t, "next_attempt", "NEXT ATTEMPT") < 0)
                return log_oom();
        ctl->style.max_width = 48;
        return ctl_print(ctl, t);
}
