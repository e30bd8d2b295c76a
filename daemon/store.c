/* store.c: SQLite schema, migrations and the daemon's writes. Readers (advisoryctl) run their own
 * SELECTs over the same connection type; see ctl-*.c. */
#include "store.h"

#include <assert.h>
#include <sys/stat.h>

#include "log.h"

/* The statements the daemon runs for every request or document are prepared once per connection:
 * SQLite's parser and planner cost more than the statements themselves (bench/: sqlite3_prepare
 * was 7 % of a cold poll's CPU and 11 % of a warm one's). Keyed by the address of the SQL literal. */
#define STORE_CACHE_MAX 24

struct Store {
        sqlite3 *db;
        StoreMode mode;
        struct {
                const char *sql;
                sqlite3_stmt *st;
        } cache[STORE_CACHE_MAX];
        size_t n_cache;
};

/* Each entry moves the schema from version i to i + 1. Never edit a released entry: append. */
static const char *const migrations[] = {
        /* 0 → 1 */
        "CREATE TABLE source ("
        "  id TEXT PRIMARY KEY,"
        "  state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'failing', 'held')),"
        "  consecutive_failures INTEGER NOT NULL DEFAULT 0,"
        "  last_attempt INTEGER,"
        "  last_success INTEGER,"
        "  last_error TEXT,"
        "  last_error_class TEXT,"
        "  documents INTEGER NOT NULL DEFAULT 0,"
        "  next_poll INTEGER"
        ");"
        "CREATE TABLE period ("
        "  id INTEGER PRIMARY KEY,"
        "  source TEXT NOT NULL,"
        "  country TEXT NOT NULL CHECK (length(country) = 2),"
        "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),"
        "  regional_level INTEGER CHECK (regional_level IS NULL OR regional_level BETWEEN 2 AND 4),"
        "  label TEXT NOT NULL,"
        "  updated TEXT,"
        "  url TEXT,"
        "  first_seen INTEGER NOT NULL,"
        "  last_seen INTEGER NOT NULL,"
        "  observations INTEGER NOT NULL DEFAULT 1"
        ");"
        "CREATE INDEX period_by_source ON period(source, country, first_seen, id);"
        "CREATE INDEX period_by_country ON period(country, source, first_seen);"
        "CREATE INDEX period_by_time ON period(first_seen);"
        "CREATE TABLE validator ("
        "  url TEXT PRIMARY KEY,"
        "  etag TEXT,"
        "  last_modified TEXT"
        ") WITHOUT ROWID;"
        "CREATE TABLE outbox ("
        "  id INTEGER PRIMARY KEY,"
        "  notifier TEXT NOT NULL,"
        "  event TEXT NOT NULL CHECK (event IN ('change', 'source-failing', 'source-recovered')),"
        "  change_id INTEGER REFERENCES period(id),"
        "  source TEXT NOT NULL,"
        "  detail TEXT,"
        "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  created_at INTEGER NOT NULL,"
        "  next_attempt INTEGER NOT NULL,"
        "  delivered_at INTEGER,"
        "  last_error TEXT"
        ");"
        "CREATE INDEX outbox_pending ON outbox(next_attempt) WHERE state = 'pending';"
        "CREATE INDEX outbox_by_change ON outbox(change_id);",
        /* 1 → 2: what a source's driver remembers between polls (page lists, last sweep) */
        "CREATE TABLE source_value ("
        "  source TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  value TEXT NOT NULL,"
        "  PRIMARY KEY (source, key)"
        ") WITHOUT ROWID;",
};

_Static_assert(ELEMENTSOF(migrations) == STORE_SCHEMA_VERSION, "one migration per schema version");

int store_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_CANTOPEN:
                return -ENOENT;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_CONSTRAINT:
                return -EINVAL;
        default:
                return -EIO;
        }
}

sqlite3 *store_db(Store *s) {
        return s->db;
}

const char *store_error(Store *s) {
        return sqlite3_errmsg(s->db);
}

int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        if (rc != SQLITE_OK)
                log_debug("SQL prepare failed: %s", sqlite3_errmsg(s->db));
        return store_errno(rc);
}

/* A statement from the cache: the caller resets it (_cleanup_reset_, step_done), never finalizes
 * it. sql must be a literal: its address is the key. */
static int store_cached(Store *s, const char *sql, sqlite3_stmt **ret) {
        sqlite3_stmt *st;
        int rc;

        for (size_t i = 0; i < s->n_cache; i++)
                if (s->cache[i].sql == sql) {
                        *ret = s->cache[i].st;
                        return 0;
                }
        assert(s->n_cache < STORE_CACHE_MAX);
        rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) {
                log_debug("SQL prepare failed: %s", sqlite3_errmsg(s->db));
                return store_errno(rc);
        }
        s->cache[s->n_cache].sql = sql;
        s->cache[s->n_cache++].st = st;
        *ret = st;
        return 0;
}

static void stmt_resetp(sqlite3_stmt **st) {
        if (*st) {
                sqlite3_reset(*st);
                sqlite3_clear_bindings(*st);
        }
}
#define _cleanup_reset_ _cleanup_(stmt_resetp)

/* Runs a cached statement that returns no rows. */
static int store_exec_cached(Store *s, const char *sql) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = store_cached(s, sql, &st);
        if (r < 0)
                return r;
        r = sqlite3_step(st);
        if (r != SQLITE_DONE) {
                log_debug("SQL failed: %s", sqlite3_errmsg(s->db));
                return store_errno(r) ?: -EIO;
        }
        return 0;
}

static int store_exec(Store *s, const char *sql) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                log_debug("SQL failed: %s", sqlite3_errmsg(s->db));
        return store_errno(rc);
}

static int store_user_version(Store *s, int *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "PRAGMA user_version", &st);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_errno(sqlite3_errcode(s->db));
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

static int store_begin(Store *s) {
        return store_exec_cached(s, "BEGIN IMMEDIATE");
}

static int store_commit(Store *s, int r) {
        if (r >= 0) {
                r = store_exec_cached(s, "COMMIT");
                if (r >= 0)
                        return 0;
        }
        /* after a failed COMMIT SQLite may already have rolled back: ignore the result */
        if (!sqlite3_get_autocommit(s->db))
                (void) store_exec_cached(s, "ROLLBACK");
        return r;
}

/* Whether the file is ours: version 0 is a new, empty database; anything else at version 0 belongs
 * to some other program (a mistyped --database) and must not get our tables. */
static int store_check_version(Store *s, int version) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        if (version > STORE_SCHEMA_VERSION && s->mode == STORE_READ_ONLY)
                return -EPROTO; /* advisoryctl says so itself */
        if (version > STORE_SCHEMA_VERSION)
                return log_error_errno(EPROTO,
                                       "Database schema version %d is newer than this advisoryd "
                                       "(%d); refusing to touch it.",
                                       version, STORE_SCHEMA_VERSION);
        if (version > 0)
                return 0;
        if (s->mode == STORE_READ_ONLY)
                return -ENOMEDIUM;
        r = store_prepare(s, "SELECT 1 FROM sqlite_master LIMIT 1", &st);
        if (r < 0)
                return r;
        switch (sqlite3_step(st)) {
        case SQLITE_DONE:
                return 0;
        case SQLITE_ROW:
                return log_error_errno(ENOMEDIUM,
                                       "The database holds tables but no advisoryd schema; "
                                       "refusing to touch it.");
        default:
                return store_errno(sqlite3_errcode(s->db)) ?: -EIO;
        }
}

static int store_migrate(Store *s, int version) {
        int r;

        for (; version < (int) ELEMENTSOF(migrations); version++) {
                _cleanup_free_ char *bump = strprintf("PRAGMA user_version = %d", version + 1);
                if (!bump)
                        return -ENOMEM;
                r = store_begin(s);
                if (r < 0)
                        return r;
                r = store_exec(s, migrations[version]);
                if (r >= 0)
                        r = store_exec(s, bump);
                r = store_commit(s, r);
                if (r < 0)
                        return log_error_errno(r, "Failed to migrate the database to version %d: %s",
                                               version + 1, store_error(s));
                log_debug("Database migrated to schema version %d.", version + 1);
        }
        return 0;
}

int store_open(const char *path, StoreMode mode, Store **ret) {
        Store *s;
        int flags = mode == STORE_READ_ONLY ? SQLITE_OPEN_READONLY
                                            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        int version = 0, rc, r;

        if (!(s = calloc(1, sizeof(Store))))
                return -ENOMEM;
        s->mode = mode;
        rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK) {
                r = store_errno(rc);
                store_free(s);
                return r;
        }
        sqlite3_busy_timeout(s->db, 2000);
        /* checked before anything is written: journal_mode below already changes the file */
        r = store_user_version(s, &version);
        if (r >= 0)
                r = store_check_version(s, version);
        if (r >= 0 && mode == STORE_READ_ONLY && version != STORE_SCHEMA_VERSION)
                r = -EPROTO; /* older: the daemon has not migrated it yet */
        if (r >= 0 && mode == STORE_READ_WRITE) {
                /* WAL: readers (advisoryctl) never block the daemon. NORMAL: an application crash
                 * loses nothing; a power loss may lose the last transactions, which then are
                 * detected again at the next poll since state and outbox commit together. */
                r = store_exec(s, "PRAGMA journal_mode = WAL");
                if (r >= 0)
                        r = store_exec(s, "PRAGMA synchronous = NORMAL");
                if (r >= 0)
                        r = store_exec(s, "PRAGMA foreign_keys = ON");
                if (r >= 0)
                        r = store_migrate(s, version);
        }
        if (r < 0) {
                store_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_cache; i++)
                sqlite3_finalize(s->cache[i].st);
        sqlite3_close_v2(s->db);
        free(s);
        return NULL;
}

/* ---- small binding helpers ---- */

static int bind_text(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static int bind_level(sqlite3_stmt *st, int i, int level) {
        return level > 0 ? sqlite3_bind_int(st, i, level) : sqlite3_bind_null(st, i);
}

static char *column_strdup(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *) t) : NULL;
}

/* Steps a statement that returns no rows, then resets it for reuse. */
static int step_done(Store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
                log_debug("SQL step failed: %s", sqlite3_errmsg(s->db));
                return store_errno(rc) ?: -EIO;
        }
        return 0;
}

/* ---- validators ---- */

int store_get_validators(Store *s, const char *url, char **ret_etag, char **ret_last_modified) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r, rc;

        *ret_etag = *ret_last_modified = NULL;
        r = store_cached(s, "SELECT etag, last_modified FROM validator WHERE url = ?", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, url);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_errno(rc);
        *ret_etag = column_strdup(st, 0);
        *ret_last_modified = column_strdup(st, 1);
        return 1;
}

int store_set_validators(Store *s, const char *url, const char *etag, const char *last_modified) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (!etag && !last_modified)
                r = store_cached(s, "DELETE FROM validator WHERE url = ?1", &st);
        else
                r = store_cached(s,
                                 "INSERT INTO validator (url, etag, last_modified) VALUES (?1, ?2, ?3)"
                                 " ON CONFLICT (url) DO UPDATE SET etag = ?2, last_modified = ?3",
                                 &st);
        if (r < 0)
                return r;
        bind_text(st, 1, url);
        if (etag || last_modified) {
                bind_text(st, 2, etag);
                bind_text(st, 3, last_modified);
        }
        return step_done(s, st);
}

/* ---- current state ---- */

/* A row of (country, level, regional_level, period id). */
static void state_read(sqlite3_stmt *st, StoredState *c) {
        const unsigned char *cc = sqlite3_column_text(st, 0);

        snprintf(c->country, sizeof(c->country), "%s", cc ? (const char *) cc : "");
        c->level = sqlite3_column_int(st, 1);
        c->regional_level = sqlite3_column_int(st, 2);
        c->period = sqlite3_column_int64(st, 3);
}

int store_current_states(Store *s, const char *source, StoredState **ret, size_t *ret_n) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        _cleanup_free_ StoredState *states = NULL;
        size_t n = 0, allocated = 0;
        int r, rc;

        /* The current period is the latest by (first_seen, id): imports may add older periods
         * after newer ones. (MAX(first_seen * 2^32 + id) would overflow int64 after 2038.) */
        r = store_cached(s,
                         "SELECT p.country, p.level, p.regional_level, p.id FROM period p"
                         " WHERE p.source = ?1 AND p.id = ("
                         "   SELECT q.id FROM period q WHERE q.source = p.source"
                         "   AND q.country = p.country ORDER BY q.first_seen DESC, q.id DESC LIMIT 1)"
                         " ORDER BY p.country",
                         &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == allocated) {
                        allocated = MAX(allocated * 2, (size_t) 64);
                        StoredState *a = realloc(states, allocated * sizeof(StoredState));
                        if (!a)
                                return -ENOMEM;
                        states = a;
                }
                state_read(st, &states[n++]);
        }
        if (rc != SQLITE_DONE)
                return store_errno(rc);
        *ret = TAKE_PTR(states);
        *ret_n = n;
        return 0;
}

int store_current_state(Store *s, const char *source, const char *country, StoredState *ret) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_cached(s,
                         "SELECT country, level, regional_level, id FROM period"
                         " WHERE source = ?1 AND country = ?2 ORDER BY first_seen DESC, id DESC LIMIT 1",
                         &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        bind_text(st, 2, country);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_errno(rc) ?: -EIO;
        state_read(st, ret);
        return 1;
}

int store_data_version(Store *s, int64_t *ret) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = store_cached(s, "PRAGMA data_version", &st);

        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_errno(sqlite3_errcode(s->db)) ?: -EIO;
        *ret = sqlite3_column_int64(st, 0);
        return 0;
}

/* ---- events and outbox ---- */

static const char *const outbox_events[_OUTBOX_EVENT_MAX] = {
        [OUTBOX_CHANGE] = "change",
        [OUTBOX_SOURCE_FAILING] = "source-failing",
        [OUTBOX_SOURCE_RECOVERED] = "source-recovered",
};

const char *outbox_event_to_string(OutboxEvent e) {
        return e >= 0 && e < _OUTBOX_EVENT_MAX ? outbox_events[e] : "unknown";
}

int outbox_event_from_string(const char *s) {
        for (int i = 0; i < _OUTBOX_EVENT_MAX; i++)
                if (streq_ptr(s, outbox_events[i]))
                        return i;
        return -EINVAL;
}

void change_done(Change *c) {
        free(c->source);
        free(c->label);
        free(c->updated);
        free(c->url);
        *c = (Change) {};
}

void outbox_item_done(OutboxItem *o) {
        free(o->notifier);
        free(o->source);
        free(o->detail);
        *o = (OutboxItem) {};
}

/* Queues one row per routed notifier. Returns how many. */
static int store_enqueue(Store *s, OutboxEvent event, const char *source, const Change *c,
                         const char *detail, time_t now, StoreRouter router, void *userdata) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **notifiers = NULL;
        int r, n = 0;

        if (!router)
                return 0;
        r = router(userdata, event, source, c, &notifiers);
        if (r < 0)
                return r;
        if (strv_length(notifiers) == 0)
                return 0;
        r = store_cached(s,
                         "INSERT INTO outbox (notifier, event, change_id, source, detail, created_at,"
                         " next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         &st);
        if (r < 0)
                return r;
        STRV_FOREACH(name, notifiers) {
                bind_text(st, 1, *name);
                bind_text(st, 2, outbox_event_to_string(event));
                if (c)
                        sqlite3_bind_int64(st, 3, c->id);
                else
                        sqlite3_bind_null(st, 3);
                bind_text(st, 4, source);
                bind_text(st, 5, detail);
                sqlite3_bind_int64(st, 6, now);
                sqlite3_bind_int64(st, 7, now);
                r = step_done(s, st);
                if (r < 0)
                        return r;
                n++;
        }
        return n;
}

/* ---- source health ---- */

static int store_source_ensure(Store *s, const char *source) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = store_cached(s, "INSERT OR IGNORE INTO source (id) VALUES (?)", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        return step_done(s, st);
}

/* Marks a success; returns 1 when the source was failing and is now recovered. */
static int store_source_success(Store *s, const char *source, time_t now, bool document,
                                StoreRouter router, void *userdata) {
        _cleanup_reset_ sqlite3_stmt *q = NULL, *u = NULL;
        bool recovered;
        int r;

        r = store_source_ensure(s, source);
        if (r < 0)
                return r;
        r = store_cached(s, "SELECT state FROM source WHERE id = ?", &q);
        if (r < 0)
                return r;
        bind_text(q, 1, source);
        if (sqlite3_step(q) != SQLITE_ROW)
                return store_errno(sqlite3_errcode(s->db)) ?: -EIO;
        recovered = streq_ptr((const char *) sqlite3_column_text(q, 0), "failing");
        r = store_cached(s,
                         "UPDATE source SET state = 'ok', consecutive_failures = 0,"
                         " last_attempt = ?2, last_success = ?2, documents = documents + ?3"
                         " WHERE id = ?1",
                         &u);
        if (r < 0)
                return r;
        bind_text(u, 1, source);
        sqlite3_bind_int64(u, 2, now);
        sqlite3_bind_int(u, 3, document ? 1 : 0);
        r = step_done(s, u);
        if (r < 0)
                return r;
        if (!recovered)
                return 0;
        r = store_enqueue(s, OUTBOX_SOURCE_RECOVERED, source, NULL, NULL, now, router, userdata);
        return r < 0 ? r : 1;
}

int store_record_unchanged(Store *s, const char *source, time_t now, StoreRouter router,
                           void *userdata) {
        int r = store_begin(s);
        if (r < 0)
                return r;
        r = store_source_success(s, source, now, false, router, userdata);
        int k = store_commit(s, r);
        return k < 0 ? k : r;
}

int store_record_failure(Store *s, const char *source, FailureClass failure, const char *message,
                         time_t now, unsigned threshold, StoreRouter router, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *u = NULL, *q = NULL;
        bool became_failing = false;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_source_ensure(s, source);
        if (r >= 0)
                r = store_prepare(s,
                                  "UPDATE source SET consecutive_failures = consecutive_failures + 1,"
                                  " last_attempt = ?2, last_error = ?3, last_error_class = ?4"
                                  " WHERE id = ?1",
                                  &u);
        if (r >= 0) {
                bind_text(u, 1, source);
                sqlite3_bind_int64(u, 2, now);
                bind_text(u, 3, message);
                bind_text(u, 4, failure_class_to_string(failure));
                r = step_done(s, u);
        }
        if (r >= 0)
                r = store_prepare(s,
                                  "UPDATE source SET state = 'failing' WHERE id = ?1 AND state = 'ok'"
                                  " AND consecutive_failures >= ?2 RETURNING id",
                                  &q);
        if (r >= 0) {
                bind_text(q, 1, source);
                sqlite3_bind_int(q, 2, (int) threshold);
                int rc = sqlite3_step(q);
                became_failing = rc == SQLITE_ROW;
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                        r = store_errno(rc);
                sqlite3_reset(q);
        }
        if (r >= 0 && became_failing)
                r = store_enqueue(s, OUTBOX_SOURCE_FAILING, source, NULL, message, now, router,
                                  userdata);
        r = store_commit(s, r);
        return r < 0 ? r : became_failing;
}

int store_get_value(Store *s, const char *source, const char *key, char **ret) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r, rc;

        *ret = NULL;
        r = store_cached(s, "SELECT value FROM source_value WHERE source = ? AND key = ?", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        bind_text(st, 2, key);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_errno(rc) ?: -EIO;
        *ret = column_strdup(st, 0);
        return *ret ? 1 : -ENOMEM;
}

int store_set_value(Store *s, const char *source, const char *key, const char *value) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r;

        if (value)
                r = store_cached(s,
                                 "INSERT INTO source_value (source, key, value) VALUES (?1, ?2, ?3)"
                                 " ON CONFLICT (source, key) DO UPDATE SET value = ?3",
                                 &st);
        else
                r = store_cached(s, "DELETE FROM source_value WHERE source = ?1 AND key = ?2", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        bind_text(st, 2, key);
        if (value)
                bind_text(st, 3, value);
        return step_done(s, st);
}

int store_source_times(Store *s, const char *source, time_t *ret_last_attempt,
                       time_t *ret_last_success) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        *ret_last_attempt = *ret_last_success = 0;
        r = store_prepare(s, "SELECT last_attempt, last_success FROM source WHERE id = ?", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                *ret_last_attempt = (time_t) sqlite3_column_int64(st, 0);
                *ret_last_success = (time_t) sqlite3_column_int64(st, 1);
                return 1;
        }
        return rc == SQLITE_DONE ? 0 : (store_errno(rc) ?: -EIO);
}

int store_record_held(Store *s, const char *source, const char *reason, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_source_ensure(s, source);

        if (r >= 0)
                r = store_prepare(s,
                                  "UPDATE source SET state = 'held', last_attempt = ?2, last_error = ?3,"
                                  " last_error_class = NULL WHERE id = ?1",
                                  &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        sqlite3_bind_int64(st, 2, now);
        bind_text(st, 3, reason);
        return step_done(s, st);
}

int store_set_next_poll(Store *s, const char *source, time_t next) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_source_ensure(s, source);
        if (r >= 0)
                r = store_prepare(s, "UPDATE source SET next_poll = ? WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, next);
        bind_text(st, 2, source);
        return step_done(s, st);
}

/* ---- documents ---- */

typedef struct RecordStatements {
        sqlite3_stmt *insert, *extend;
} RecordStatements;

static int record_insert_period(Store *s, RecordStatements *rs, const char *source,
                                const Advisory *a, time_t now, int64_t *ret_id) {
        sqlite3_stmt *st = rs->insert;
        int r;

        bind_text(st, 1, source);
        bind_text(st, 2, a->country);
        sqlite3_bind_int(st, 3, a->level);
        bind_level(st, 4, a->regional_level);
        bind_text(st, 5, a->label);
        bind_text(st, 6, a->updated);
        bind_text(st, 7, a->url);
        sqlite3_bind_int64(st, 8, now);
        r = step_done(s, st);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int record_extend_period(Store *s, RecordStatements *rs, const Advisory *a, int64_t id,
                                time_t now) {
        sqlite3_stmt *st = rs->extend;

        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        bind_text(st, 3, a->label);
        bind_text(st, 4, a->updated);
        bind_text(st, 5, a->url);
        return step_done(s, st);
}

static int change_fill(Change *c, int64_t id, const char *source, const DiffEntry *e, time_t now) {
        const Advisory *a = e->record;

        *c = (Change) {
                .id = id,
                .level = a->level,
                .regional_level = a->regional_level,
                .previous_level = e->previous->level,
                .previous_regional_level = e->previous->regional_level,
                .observed_at = now,
        };
        memcpy(c->country, a->country, 3);
        if (!(c->source = strdup(source)) || (a->label && !(c->label = strdup(a->label))) ||
            (a->updated && !(c->updated = strdup(a->updated))) ||
            (a->url && !(c->url = strdup(a->url)))) {
                change_done(c);
                return -ENOMEM;
        }
        return 0;
}

static void changes_free(Change *changes, size_t n) {
        for (size_t i = 0; i < n; i++)
                change_done(&changes[i]);
        free(changes);
}

static int record_entries(Store *s, const char *source, const Diff *diff, time_t now,
                          StoreRouter router, void *userdata, RecordStats *stats,
                          Change *changes, size_t *n_changes) {
        RecordStatements rs = {};
        int r;

        r = store_cached(s,
                         "INSERT INTO period (source, country, level, regional_level, label, updated,"
                         " url, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                         &rs.insert);
        if (r >= 0)
                r = store_cached(s,
                                 "UPDATE period SET last_seen = MAX(last_seen, ?2), observations ="
                                 " observations + 1, label = ?3, updated = ?4, url = ?5 WHERE id = ?1",
                                 &rs.extend);
        for (size_t i = 0; r >= 0 && i < diff->n; i++) {
                const DiffEntry *e = &diff->entries[i];
                int64_t id;

                if (e->kind == DIFF_UNCHANGED) {
                        r = record_extend_period(s, &rs, e->record, e->previous->period, now);
                        stats->unchanged++;
                        continue;
                }
                r = record_insert_period(s, &rs, source, e->record, now, &id);
                if (r < 0 || e->kind == DIFF_BASELINE) {
                        stats->baseline += e->kind == DIFF_BASELINE;
                        continue;
                }
                Change *c = &changes[(*n_changes)];
                r = change_fill(c, id, source, e, now);
                if (r < 0)
                        break;
                (*n_changes)++;
                stats->changed++;
                r = store_enqueue(s, OUTBOX_CHANGE, source, c, NULL, now, router, userdata);
                if (r > 0)
                        stats->queued += (size_t) r;
        }
        stmt_resetp(&rs.insert);
        stmt_resetp(&rs.extend);
        return r < 0 ? r : 0;
}

/* A page of a source read page by page: counted, but its health is the poll's (see
 * store_record_page). */
static int store_count_document(Store *s, const char *source) {
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = store_source_ensure(s, source);

        if (r >= 0)
                r = store_cached(s, "UPDATE source SET documents = documents + 1 WHERE id = ?", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, source);
        return step_done(s, st);
}

static int store_record(Store *s, const char *source, const Diff *diff, time_t now, bool health,
                        StoreRouter router, void *userdata, RecordStats *ret_stats,
                        Change **ret_changes, size_t *ret_n_changes) {
        RecordStats stats = {};
        Change *changes = NULL;
        size_t n_changes = 0;
        int r;

        if (diff->n_changed > 0 && !(changes = calloc(diff->n_changed, sizeof(Change))))
                return -ENOMEM;
        r = store_begin(s);
        if (r < 0) {
                free(changes);
                return r;
        }
        r = record_entries(s, source, diff, now, router, userdata, &stats, changes, &n_changes);
        if (r >= 0) {
                int k = health ? store_source_success(s, source, now, true, router, userdata)
                               : store_count_document(s, source);
                r = k < 0 ? k : 0;
        }
        r = store_commit(s, r);
        if (r < 0) {
                changes_free(changes, n_changes);
                return r;
        }
        if (ret_stats)
                *ret_stats = stats;
        if (ret_changes) {
                *ret_changes = changes;
                *ret_n_changes = n_changes;
        } else
                changes_free(changes, n_changes);
        return 0;
}

int store_record_document(Store *s, const char *source, const Diff *diff, time_t now,
                          StoreRouter router, void *userdata, RecordStats *ret_stats,
                          Change **ret_changes, size_t *ret_n_changes) {
        return store_record(s, source, diff, now, true, router, userdata, ret_stats, ret_changes,
                            ret_n_changes);
}

int store_record_page(Store *s, const char *source, const Diff *diff, time_t now,
                      StoreRouter router, void *userdata, RecordStats *ret_stats,
                      Change **ret_changes, size_t *ret_n_changes) {
        return store_record(s, source, diff, now, false, router, userdata, ret_stats, ret_changes,
                            ret_n_changes);
}

/* ---- delivery ---- */

#define OUTBOX_COLUMNS "id, notifier, event, change_id, source, detail, attempts, created_at"

static int outbox_item_read(sqlite3_stmt *st, OutboxItem *o) {
        int event = outbox_event_from_string((const char *) sqlite3_column_text(st, 2));

        *o = (OutboxItem) {
                .id = sqlite3_column_int64(st, 0),
                .notifier = column_strdup(st, 1),
                .event = event < 0 ? OUTBOX_CHANGE : (OutboxEvent) event,
                .change_id = sqlite3_column_int64(st, 3),
                .source = column_strdup(st, 4),
                .detail = column_strdup(st, 5),
                .attempts = (unsigned) sqlite3_column_int(st, 6),
                .created_at = (time_t) sqlite3_column_int64(st, 7),
        };
        if (!o->notifier || !o->source) {
                outbox_item_done(o);
                return -ENOMEM;
        }
        return 0;
}

int store_outbox_due(Store *s, time_t now, size_t max, OutboxItem **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        OutboxItem *items;
        size_t n = 0;
        int r, rc;

        r = store_prepare(s,
                          "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'pending'"
                          " AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?",
                          &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) max);
        if (!(items = calloc(MAX(max, (size_t) 1), sizeof(OutboxItem))))
                return -ENOMEM;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = outbox_item_read(st, &items[n]);
                if (r < 0)
                        break;
                n++;
        }
        if (r < 0 || rc != SQLITE_DONE) {
                for (size_t i = 0; i < n; i++)
                        outbox_item_done(&items[i]);
                free(items);
                return r < 0 ? r : (store_errno(rc) ?: -EIO);
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

int store_outbox_get(Store *s, int64_t id, OutboxItem *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_prepare(s, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_errno(rc) ?: -EIO;
        return outbox_item_read(st, ret);
}

int store_outbox_next_due(Store *s, time_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s, "SELECT MIN(next_attempt) FROM outbox WHERE state = 'pending'", &st);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_errno(sqlite3_errcode(s->db)) ?: -EIO;
        *ret = (time_t) sqlite3_column_int64(st, 0);
        return 0;
}

int store_outbox_delivered(Store *s, int64_t id, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE outbox SET state = 'delivered', delivered_at = ?2,"
                              " attempts = attempts + 1, last_error = NULL WHERE id = ?1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        return step_done(s, st);
}

int store_outbox_attempt_failed(Store *s, int64_t id, const char *error, time_t next_attempt) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(s,
                              "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
                              " state = CASE WHEN ?3 = 0 THEN 'failed' ELSE 'pending' END,"
                              " next_attempt = CASE WHEN ?3 = 0 THEN next_attempt ELSE ?3 END"
                              " WHERE id = ?1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, error);
        sqlite3_bind_int64(st, 3, next_attempt);
        return step_done(s, st);
}

int store_load_change(Store *s, int64_t id, Change *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        Change c = {};
        int r, rc;

        r = store_prepare(s,
                          "SELECT p.source, p.country, p.level, p.regional_level, p.label, p.updated,"
                          " p.url, p.first_seen, q.level, q.regional_level"
                          " FROM period p LEFT JOIN period q ON q.id = ("
                          "   SELECT id FROM period WHERE source = p.source AND country = p.country"
                          "   AND (first_seen, id) < (p.first_seen, p.id)"
                          "   ORDER BY first_seen DESC, id DESC LIMIT 1)"
                          " WHERE p.id = ?",
                          &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_errno(rc) ?: -EIO;
        c.id = id;
        c.source = column_strdup(st, 0);
        snprintf(c.country, sizeof(c.country), "%s", (const char *) sqlite3_column_text(st, 1));
        c.level = sqlite3_column_int(st, 2);
        c.regional_level = sqlite3_column_int(st, 3);
        c.label = column_strdup(st, 4);
        c.updated = column_strdup(st, 5);
        c.url = column_strdup(st, 6);
        c.observed_at = (time_t) sqlite3_column_int64(st, 7);
        c.previous_level = sqlite3_column_int(st, 8);
        c.previous_regional_level = sqlite3_column_int(st, 9);
        if (!c.source || !c.label) {
                change_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}
