/* store-import.c: backfilling history. A saved document (an archived copy of a government's page)
 * is recorded as observations at the time it was published, which may lie anywhere in the
 * history already recorded: before it, in a gap, or inside a period. Imports never queue
 * notifications and never count as polls for the source's health.
 *
 * History is a sequence of periods per (source, country), ordered by (first_seen, id), where two
 * neighbours never have the same level and regional level. first_seen and last_seen are times of
 * real observations; the observations in between are only counted. An observation at T of
 * level L, where P is the period in force at T (the last one with first_seen <= T) and N the next
 * one, is recorded so that this stays true:
 *
 *   - L equals P: P is extended (its last_seen and wording move forward if T is later);
 *   - no P, or T after P.last_seen, and L equals N: N is extended back to start at T (the
 *     change to N, if there is one, happened by T at the latest);
 *   - no P, or T after P.last_seen, otherwise: a new period [T, T] between P and N; N becomes a
 *     change relative to it;
 *   - P.first_seen < T < P.last_seen: the observation interrupts P, seen at its level before and
 *     after T. P is split in three: P up to its first observation, the new period [T, T], and P's
 *     level again from its last observation on (which of P's other observations lay before or
 *     after T is not recorded: with two observations the split is exact, with more, the caller
 *     is told so);
 *   - T equals P.first_seen or P.last_seen: two observations of the same second disagree; the
 *     recorded one stands (IMPORT_CONFLICT).
 *
 * A period keeps the wording (label, updated, url) of its latest observation, whichever order
 * the imports come in; both parts of a split period keep the one it had.
 *
 * Change ids stay stable: a period keeps its row id when it is extended or split (its first part
 * keeps it), so outbox rows and feed entries keep pointing at the same change. */
#include "store.h"

#include "log.h"

typedef struct ImportPeriod {
        int64_t id;
        int level, regional_level;
        time_t first_seen, last_seen;
        int64_t observations;
} ImportPeriod;

typedef struct ImportStatements {
        sqlite3_stmt *before, *after, *insert, *extend, *copy, *truncate;
} ImportStatements;

static const char *const import_sql[] = {
        /* before: the period in force at ?3 */
        "SELECT id, level, regional_level, first_seen, last_seen, observations FROM period"
        " WHERE source = ?1 AND country = ?2 AND first_seen <= ?3"
        " ORDER BY first_seen DESC, id DESC LIMIT 1",
        /* after: the next one */
        "SELECT id, level, regional_level, first_seen, last_seen, observations FROM period"
        " WHERE source = ?1 AND country = ?2 AND first_seen > ?3 ORDER BY first_seen, id LIMIT 1",
        /* insert */
        "INSERT INTO period (source, country, level, regional_level, label, updated, url,"
        " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        /* extend: the wording of the latest observation wins (SET sees the old row) */
        "UPDATE period SET first_seen = MIN(first_seen, ?2), last_seen = MAX(last_seen, ?2),"
        " observations = observations + 1,"
        " label = CASE WHEN ?2 >= last_seen THEN ?3 ELSE label END,"
        " updated = CASE WHEN ?2 >= last_seen THEN ?4 ELSE updated END,"
        " url = CASE WHEN ?2 >= last_seen THEN ?5 ELSE url END WHERE id = ?1",
        /* copy: the last part of a split period, from its last observation on */
        "INSERT INTO period (source, country, level, regional_level, label, updated, url,"
        " first_seen, last_seen, observations) SELECT source, country, level, regional_level,"
        " label, updated, url, last_seen, last_seen, MAX(observations - 1, 1) FROM period"
        " WHERE id = ?1",
        /* truncate: the first part keeps the row (and so the change id) */
        "UPDATE period SET last_seen = first_seen, observations = 1 WHERE id = ?1",
};

static void import_statements_done(ImportStatements *st) {
        sqlite3_finalize(st->before);
        sqlite3_finalize(st->after);
        sqlite3_finalize(st->insert);
        sqlite3_finalize(st->extend);
        sqlite3_finalize(st->copy);
        sqlite3_finalize(st->truncate);
}

static int import_statements_prepare(Store *s, ImportStatements *st) {
        sqlite3_stmt **all[] = { &st->before, &st->after, &st->insert,
                                 &st->extend, &st->copy,  &st->truncate };
        int r;

        _Static_assert(ELEMENTSOF(all) == ELEMENTSOF(import_sql), "one statement each");
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if ((r = store_prepare(s, import_sql[i], all[i])) < 0)
                        return r;
        return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows and resets it. */
static int import_step(sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : (store_errno(rc) ?: -EIO);
}

/* 1 with *ret filled, 0 when there is no such period. */
static int import_find(sqlite3_stmt *st, const char *source, const char *country, time_t at,
                       ImportPeriod *ret) {
        int rc;

        bind_text(st, 1, source);
        bind_text(st, 2, country);
        sqlite3_bind_int64(st, 3, at);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = (ImportPeriod) {
                        .id = sqlite3_column_int64(st, 0),
                        .level = sqlite3_column_int(st, 1),
                        .regional_level = sqlite3_column_int(st, 2),
                        .first_seen = (time_t) sqlite3_column_int64(st, 3),
                        .last_seen = (time_t) sqlite3_column_int64(st, 4),
                        .observations = sqlite3_column_int64(st, 5),
                };
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
                return 1;
        return rc == SQLITE_DONE ? 0 : (store_errno(rc) ?: -EIO);
}

static bool import_same(const ImportPeriod *p, const Advisory *a) {
        return p->level == a->level && p->regional_level == a->regional_level;
}

static int import_extend(ImportStatements *st, int64_t id, const Advisory *a, time_t at) {
        sqlite3_bind_int64(st->extend, 1, id);
        sqlite3_bind_int64(st->extend, 2, at);
        bind_text(st->extend, 3, a->label);
        bind_text(st->extend, 4, a->updated);
        bind_text(st->extend, 5, a->url);
        return import_step(st->extend);
}

static int import_insert(ImportStatements *st, const char *source, const Advisory *a, time_t at) {
        bind_text(st->insert, 1, source);
        bind_text(st->insert, 2, a->country);
        sqlite3_bind_int(st->insert, 3, a->level);
        if (a->regional_level > 0)
                sqlite3_bind_int(st->insert, 4, a->regional_level);
        else
                sqlite3_bind_null(st->insert, 4);
        bind_text(st->insert, 5, a->label);
        bind_text(st->insert, 6, a->updated);
        bind_text(st->insert, 7, a->url);
        sqlite3_bind_int64(st->insert, 8, at);
        return import_step(st->insert);
}

/* P.first_seen < at < P.last_seen and a differs from P: P, then a, then P again. */
static int import_split(ImportStatements *st, const char *source, const Advisory *a, time_t at,
                        const ImportPeriod *p) {
        int r;

        sqlite3_bind_int64(st->copy, 1, p->id);
        sqlite3_bind_int64(st->truncate, 1, p->id);
        if ((r = import_step(st->copy)) < 0 || (r = import_step(st->truncate)) < 0)
                return r;
        return import_insert(st, source, a, at);
}

static int import_record(ImportStatements *st, const char *source, const Advisory *a, time_t at,
                         ImportOutcome *ret) {
        ImportPeriod p = {}, n = {};
        int has_p, has_n;

        if ((has_p = import_find(st->before, source, a->country, at, &p)) < 0)
                return has_p;
        *ret = (ImportOutcome) { .level = p.level, .regional_level = p.regional_level,
                                 .first_seen = p.first_seen, .last_seen = p.last_seen,
                                 .observations = p.observations };
        if (has_p && import_same(&p, a)) {
                ret->kind = IMPORT_EXTENDED;
                return import_extend(st, p.id, a, at);
        }
        if (has_p && (at == p.first_seen || at == p.last_seen)) {
                ret->kind = IMPORT_CONFLICT;
                return 0;
        }
        if (has_p && at < p.last_seen) {
                ret->kind = IMPORT_SPLIT;
                return import_split(st, source, a, at, &p);
        }
        if ((has_n = import_find(st->after, source, a->country, at, &n)) < 0)
                return has_n;
        if (has_n && import_same(&n, a)) {
                ret->kind = IMPORT_EXTENDED;
                return import_extend(st, n.id, a, at);
        }
        ret->kind = IMPORT_INSERTED;
        return import_insert(st, source, a, at);
}

static int import_exec(Store *s, const char *sql) {
        int rc = sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                log_debug("SQL failed: %s", store_error(s));
        return store_errno(rc);
}

static int import_source_ensure(Store *s, const char *source) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "INSERT OR IGNORE INTO source (id) VALUES (?)", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        return import_step(st);
}

int store_import_document(Store *s, const char *source, const AdvisoryList *records, time_t at,
                          ImportOutcome *outcomes) {
        ImportStatements st = {};
        int r;

        r = import_exec(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        r = import_statements_prepare(s, &st);
        if (r >= 0)
                r = import_source_ensure(s, source);
        for (size_t i = 0; r >= 0 && i < records->n; i++) {
                ImportOutcome o;
                r = import_record(&st, source, &records->items[i], at, &o);
                if (r >= 0 && outcomes)
                        outcomes[i] = o;
        }
        import_statements_done(&st);
        if (r >= 0 && (r = import_exec(s, "COMMIT")) >= 0)
                return 0;
        /* after a failed COMMIT SQLite may already have rolled back */
        if (!sqlite3_get_autocommit(store_db(s)))
                (void) import_exec(s, "ROLLBACK");
        return r;
}
