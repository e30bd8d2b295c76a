/* notify-outbox.c: the notifier's own queries over the outbox and the periods. */
#include "notify-outbox.h"

#include "log.h"

static char *column_dup(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *) t) : NULL;
}

static int step_done(Store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
                log_debug("SQL step failed: %s", store_error(s));
                return store_errno(rc) ?: -EIO;
        }
        return 0;
}

static int outbox_row_read(sqlite3_stmt *st, OutboxItem *o) {
        *o = (OutboxItem) {
                .id = sqlite3_column_int64(st, 0),
                .notifier = column_dup(st, 1),
                .event = OUTBOX_CHANGE,
                .change_id = sqlite3_column_int64(st, 2),
                .source = column_dup(st, 3),
                .attempts = (unsigned) sqlite3_column_int(st, 4),
                .created_at = (time_t) sqlite3_column_int64(st, 5),
        };
        if (!o->notifier || !o->source) {
                outbox_item_done(o);
                return -ENOMEM;
        }
        return 0;
}

static void outbox_rows_free(OutboxItem *items, size_t n) {
        for (size_t i = 0; i < n; i++)
                outbox_item_done(&items[i]);
        free(items);
}

int notify_outbox_digest_group(Store *s, const char *notifier, usec_t window, size_t max,
                               OutboxItem **ret, size_t *ret_n, time_t *ret_ready_at) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        OutboxItem *items;
        size_t n = 0;
        time_t first = 0, ready = 0;
        int r, rc;

        r = store_prepare(s,
                          "SELECT id, notifier, change_id, source, attempts, created_at,"
                          " next_attempt FROM outbox WHERE notifier = ?1 AND state = 'pending'"
                          " AND event = 'change' ORDER BY created_at, id LIMIT ?2",
                          &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, notifier, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) max);
        if (!(items = calloc(MAX(max, (size_t) 1), sizeof(OutboxItem))))
                return -ENOMEM;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                time_t created = (time_t) sqlite3_column_int64(st, 5);
                if (n == 0)
                        first = created, ready = first + (time_t) (window / USEC_PER_SEC);
                else if (created >= first + (time_t) (window / USEC_PER_SEC))
                        break; /* the next window */
                r = outbox_row_read(st, &items[n]);
                if (r < 0)
                        break;
                n++;
                ready = MAX(ready, (time_t) sqlite3_column_int64(st, 6));
        }
        if (r < 0 || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
                outbox_rows_free(items, n);
                return r < 0 ? r : (store_errno(rc) ?: -EIO);
        }
        *ret = items;
        *ret_n = n;
        *ret_ready_at = ready;
        return 0;
}

int notify_outbox_defer(Store *s, const char *notifier, time_t until) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE outbox SET next_attempt = ?2 WHERE notifier = ?1"
                              " AND state = 'pending' AND event = 'change' AND next_attempt < ?2",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, notifier, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, until);
        return step_done(s, st);
}

int notify_outbox_next_due_after(Store *s, time_t after, time_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "SELECT MIN(next_attempt) FROM outbox WHERE state = 'pending'"
                              " AND next_attempt > ?",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, after);
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_errno(sqlite3_errcode(store_db(s))) ?: -EIO;
        *ret = (time_t) sqlite3_column_int64(st, 0);
        return 0;
}

int notify_outbox_begin(Store *s) {
        int rc = sqlite3_exec(store_db(s), "BEGIN IMMEDIATE", NULL, NULL, NULL);
        return store_errno(rc);
}

int notify_outbox_end(Store *s, bool commit) {
        int rc = sqlite3_exec(store_db(s), commit ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
        if (rc != SQLITE_OK && commit)
                (void) sqlite3_exec(store_db(s), "ROLLBACK", NULL, NULL, NULL);
        return store_errno(rc);
}

static int advice_read(sqlite3_stmt *st, GovernmentAdvice *a) {
        const unsigned char *cc = sqlite3_column_text(st, 1);

        *a = (GovernmentAdvice) {
                .source = column_dup(st, 0),
                .level = sqlite3_column_int(st, 2),
                .regional_level = sqlite3_column_int(st, 3),
                .label = column_dup(st, 4),
                .updated = column_dup(st, 5),
                .url = column_dup(st, 6),
        };
        snprintf(a->country, sizeof(a->country), "%s", cc ? (const char *) cc : "");
        if (!a->source || !a->label) {
                government_advice_done(a);
                return -ENOMEM;
        }
        return 0;
}

int notify_outbox_current_advice(Store *s, char *const *countries, char *const *sources,
                                 GovernmentAdvice **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        GovernmentAdvice *list = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        /* the current period is the latest by (first_seen, id), as store_current_states() */
        r = store_prepare(s,
                          "SELECT p.source, p.country, p.level, p.regional_level, p.label,"
                          " p.updated, p.url FROM period p WHERE p.country = ?1 AND p.id = ("
                          "   SELECT q.id FROM period q WHERE q.source = p.source"
                          "   AND q.country = p.country ORDER BY q.first_seen DESC, q.id DESC"
                          "   LIMIT 1)"
                          " ORDER BY p.source",
                          &st);
        if (r < 0)
                return r;
        STRV_FOREACH(c, countries) {
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, *c, -1, SQLITE_TRANSIENT);
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                        const char *src = (const char *) sqlite3_column_text(st, 0);
                        if (sources && !strv_contains(sources, strempty(src)))
                                continue;
                        if (n == allocated) {
                                allocated = MAX(allocated * 2, (size_t) 8);
                                GovernmentAdvice *a = realloc(list, allocated * sizeof(*a));
                                if (!a)
                                        goto oom;
                                list = a;
                        }
                        if (advice_read(st, &list[n]) < 0)
                                goto oom;
                        n++;
                }
                if (rc != SQLITE_DONE) {
                        government_advice_free_many(list, n);
                        return store_errno(rc) ?: -EIO;
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
oom:
        government_advice_free_many(list, n);
        return -ENOMEM;
}
