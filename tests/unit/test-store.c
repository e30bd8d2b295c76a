/* test-store.c: the SQLite store in a temporary directory: schema and migrations, databases that
 * are not ours, validators, recording documents (baseline, changes, unchanged) with their outbox
 * rows in one transaction, source health, and the delivery queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>

#include "store.h"
#include "util.h"

#define T0 ((time_t) 1767225600) /* 2026-01-01 */

typedef struct Fixture {
        char dir[64];
        char *path;
        Store *store;
} Fixture;

/* Routes every event to the same notifiers; fails on the fail_on-th call (1-based, 0: never). */
typedef struct Router {
        const char *const *notifiers;
        unsigned calls, fail_on;
        unsigned events[_OUTBOX_EVENT_MAX];
        int64_t last_change_id;
        int last_previous_level;
} Router;

static const char *const two_notifiers[] = { "ops", "hook", NULL };

static int route(void *userdata, OutboxEvent event, const char *source, const Change *c,
                 char ***ret) {
        Router *r = userdata;

        r->calls++;
        if (r->fail_on > 0 && r->calls == r->fail_on)
                return -EIO;
        r->events[event]++;
        assert_non_null(source);
        if (event == OUTBOX_CHANGE) {
                assert_non_null(c);
                assert_true(c->id > 0);
                r->last_change_id = c->id;
                r->last_previous_level = c->previous_level;
        } else
                assert_null(c);
        *ret = strv_copy((char *const *) r->notifiers);
        return *ret ? 0 : -ENOMEM;
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-store-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->path = strprintf("%s/advisoryd.db", f->dir);
        assert_non_null(f->path);
        assert_int_equal(store_open(f->path, STORE_READ_WRITE, &f->store), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        DIR *d;

        store_free(f->store);
        /* the database, its -wal and -shm, and whatever a test made beside it */
        d = opendir(f->dir);
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        assert_int_equal(unlinkat(dirfd(d), de->d_name, 0), 0);
        closedir(d);
        assert_int_equal(rmdir(f->dir), 0);
        free(f->path);
        free(f);
        return 0;
}

static int64_t query_int(Store *s, const char *sql) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        assert_int_equal(store_prepare(s, sql, &st), 0);
        if (sqlite3_step(st) != SQLITE_ROW)
                fail_msg("no row for: %s", sql);
        return sqlite3_column_int64(st, 0);
}

static char *query_text(Store *s, const char *sql) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        const unsigned char *t;

        assert_int_equal(store_prepare(s, sql, &st), 0);
        if (sqlite3_step(st) != SQLITE_ROW)
                fail_msg("no row for: %s", sql);
        t = sqlite3_column_text(st, 0);
        return t ? strdup((const char *) t) : NULL;
}

static void raw_exec(const char *path, const char *sql) {
        sqlite3 *db = NULL;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        sqlite3_close(db);
}

static void add(AdvisoryList *l, const char *country, int level, int regional, const char *label) {
        assert_int_equal(advisory_list_add(l, country, level, regional, label, "2026-01-01",
                                           "https://example.org/"),
                         0);
}

/* extract → diff → record, as a poll does. */
static int record(Store *s, const char *source, const AdvisoryList *l, time_t now, Router *router,
                  RecordStats *ret_stats, Change **ret_changes, size_t *ret_n) {
        _cleanup_free_ StoredState *prev = NULL;
        size_t n_prev = 0;
        Diff d = {};
        int r;

        assert_int_equal(store_current_states(s, source, &prev, &n_prev), 0);
        assert_int_equal(diff_compute(prev, n_prev, l, &d), 0);
        r = store_record_document(s, source, &d, now, router ? route : NULL, router, ret_stats,
                                  ret_changes, ret_n);
        diff_done(&d);
        return r;
}

static void changes_free(Change *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                change_done(&c[i]);
        free(c);
}

/* ---- opening ---- */

/* A database left by schema version 1 is migrated in place and keeps its history. */
static void test_migrate_from_v1(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *value = NULL;

        f->store = store_free(f->store);
        unlink(f->path);
        raw_exec(f->path, "PRAGMA journal_mode = DELETE;"
                          "CREATE TABLE source (id TEXT PRIMARY KEY, state TEXT NOT NULL DEFAULT 'ok',"
                          " consecutive_failures INTEGER NOT NULL DEFAULT 0, last_attempt INTEGER,"
                          " last_success INTEGER, last_error TEXT, last_error_class TEXT,"
                          " documents INTEGER NOT NULL DEFAULT 0, next_poll INTEGER);"
                          "CREATE TABLE period (id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
                          " country TEXT NOT NULL, level INTEGER NOT NULL, regional_level INTEGER,"
                          " label TEXT NOT NULL, updated TEXT, url TEXT, first_seen INTEGER NOT NULL,"
                          " last_seen INTEGER NOT NULL, observations INTEGER NOT NULL DEFAULT 1);"
                          "CREATE TABLE validator (url TEXT PRIMARY KEY, etag TEXT,"
                          " last_modified TEXT) WITHOUT ROWID;"
                          "CREATE TABLE outbox (id INTEGER PRIMARY KEY, notifier TEXT NOT NULL,"
                          " event TEXT NOT NULL, change_id INTEGER, source TEXT NOT NULL, detail TEXT,"
                          " state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
                          " created_at INTEGER NOT NULL, next_attempt INTEGER NOT NULL,"
                          " delivered_at INTEGER, last_error TEXT);"
                          "INSERT INTO period (source, country, level, label, first_seen, last_seen)"
                          " VALUES ('us', 'KZ', 1, 'Level 1', 1, 1);"
                          "PRAGMA user_version = 1");
        assert_int_equal(store_open(f->path, STORE_READ_WRITE, &f->store), 0);
        assert_int_equal(query_int(f->store, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(query_int(f->store, "SELECT count(*) FROM period WHERE country = 'KZ'"), 1);
        assert_int_equal(store_set_value(f->store, "no", "last_sweep", "1700000000"), 0);
        assert_int_equal(store_get_value(f->store, "no", "last_sweep", &value), 1);
        assert_string_equal(value, "1700000000");
}

/* A driver's memory: per source and key, replaced on write, deleted by NULL. */
static void test_values(void **state) {
        Fixture *f = *state;
        char *v = NULL;

        assert_int_equal(store_get_value(f->store, "no", "pages", &v), 0);
        assert_null(v);
        assert_int_equal(store_set_value(f->store, "no", "pages", "[1]"), 0);
        assert_int_equal(store_set_value(f->store, "no", "pages", "[1,2]"), 0);
        assert_int_equal(store_set_value(f->store, "uk", "pages", "other"), 0);
        assert_int_equal(store_get_value(f->store, "no", "pages", &v), 1);
        assert_string_equal(v, "[1,2]");
        v = mfree(v);
        assert_int_equal(store_set_value(f->store, "no", "pages", NULL), 0);
        assert_int_equal(store_get_value(f->store, "no", "pages", &v), 0);
        assert_int_equal(store_get_value(f->store, "uk", "pages", &v), 1);
        assert_string_equal(v, "other");
        free(v);
}

static void test_open_creates_schema(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *mode = NULL;

        assert_int_equal(query_int(f->store, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(query_int(f->store, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                             " AND name IN ('source', 'period', 'validator', 'outbox')"),
                         4);
        mode = query_text(f->store, "PRAGMA journal_mode");
        assert_string_equal(mode, "wal");
        assert_int_equal(query_int(f->store, "PRAGMA foreign_keys"), 1);
}

static void test_reopen_keeps_data(void **state) {
        Fixture *f = *state;
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ StoredState *states = NULL;
        _cleanup_free_ char *etag = NULL, *lm = NULL;
        Store *ro = NULL;
        size_t n;

        add(&l, "KZ", 3, LEVEL_NONE, "Level 3");
        assert_int_equal(record(f->store, "no", &l, T0, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(store_set_validators(f->store, "https://a/", "\"e1\"", NULL), 0);
        f->store = store_free(f->store);

        /* migrations run again and change nothing */
        assert_int_equal(store_open(f->path, STORE_READ_WRITE, &f->store), 0);
        assert_int_equal(query_int(f->store, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(store_current_states(f->store, "no", &states, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(states[0].country, "KZ");
        assert_int_equal(states[0].level, 3);
        assert_int_equal(store_get_validators(f->store, "https://a/", &etag, &lm), 1);
        assert_string_equal(etag, "\"e1\"");

        /* a reader beside the writer sees the same */
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &ro), 0);
        assert_int_equal(query_int(ro, "SELECT count(*) FROM period"), 1);
        /* and cannot write */
        assert_true(store_set_validators(ro, "https://b/", "x", NULL) < 0);
        store_free(ro);
}

static void test_newer_schema_refused(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *sql = strprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
        _cleanup_free_ char *path = strprintf("%s/newer.db", f->dir);
        Store *s = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;

        assert_non_null(sql);
        f->store = store_free(f->store);
        raw_exec(f->path, sql);
        assert_int_equal(store_open(f->path, STORE_READ_WRITE, &s), -EPROTO);
        assert_null(s);
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &s), -EPROTO);
        assert_null(s);

        /* refused before anything is written: a rollback-journal database stays one */
        raw_exec(path, "PRAGMA journal_mode = DELETE; CREATE TABLE future (x); PRAGMA user_version = 99");
        assert_int_equal(store_open(path, STORE_READ_WRITE, &s), -EPROTO);
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(st, 0), "delete");
        sqlite3_finalize(st);
        sqlite3_close(db);
}

static void test_foreign_database_refused(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *other = strprintf("%s/other.db", f->dir);
        _cleanup_free_ char *text = strprintf("%s/notes.txt", f->dir);
        _cleanup_free_ char *missing = strprintf("%s/missing.db", f->dir);
        Store *s = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        FILE *fp;

        /* another program's SQLite database */
        raw_exec(other, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x')");
        assert_true(store_open(other, STORE_READ_ONLY, &s) < 0);
        assert_null(s);
        /* not even the daemon may add its tables to it */
        assert_true(store_open(other, STORE_READ_WRITE, &s) < 0);
        assert_null(s);
        assert_int_equal(sqlite3_open_v2(other, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 1);
        sqlite3_finalize(st);
        sqlite3_close(db);

        /* not SQLite at all */
        fp = fopen(text, "we");
        assert_non_null(fp);
        fputs("This is not a database, it is a shopping list. Eggs, milk, bread, coffee.\n", fp);
        fclose(fp);
        assert_true(store_open(text, STORE_READ_ONLY, &s) < 0);
        assert_true(store_open(text, STORE_READ_WRITE, &s) < 0);
        assert_null(s);

        /* a reader never creates the database */
        assert_true(store_open(missing, STORE_READ_ONLY, &s) < 0);
        assert_int_equal(access(missing, F_OK), -1);

        /* an empty database file is ours to initialise (the daemon's first start) */
        fp = fopen(missing, "we");
        assert_non_null(fp);
        fclose(fp);
        assert_int_equal(store_open(missing, STORE_READ_ONLY, &s), -ENOMEDIUM);
        assert_int_equal(store_open(missing, STORE_READ_WRITE, &s), 0);
        assert_int_equal(query_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        store_free(s);
}

/* ---- validators ---- */

static void test_validators(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        char *etag = (char *) "sentinel", *lm = (char *) "sentinel";

        assert_int_equal(store_get_validators(s, "https://a/", &etag, &lm), 0);
        assert_null(etag);
        assert_null(lm);

        assert_int_equal(store_set_validators(s, "https://a/", "\"v1\"", NULL), 0);
        assert_int_equal(store_set_validators(s, "https://b/", NULL, "Mon, 09 Jun 2026 10:00:00 GMT"),
                         0);
        assert_int_equal(store_get_validators(s, "https://a/", &etag, &lm), 1);
        assert_string_equal(etag, "\"v1\"");
        assert_null(lm);
        free(etag);
        assert_int_equal(store_get_validators(s, "https://b/", &etag, &lm), 1);
        assert_null(etag);
        assert_string_equal(lm, "Mon, 09 Jun 2026 10:00:00 GMT");
        free(lm);

        /* replaced, not added */
        assert_int_equal(store_set_validators(s, "https://a/", "\"v2\"", "Tue, 10 Jun 2026"), 0);
        assert_int_equal(store_get_validators(s, "https://a/", &etag, &lm), 1);
        assert_string_equal(etag, "\"v2\"");
        assert_string_equal(lm, "Tue, 10 Jun 2026");
        free(etag);
        free(lm);
        assert_int_equal(query_int(s, "SELECT count(*) FROM validator"), 2);

        /* none: deleted; the other URL keeps its own */
        assert_int_equal(store_set_validators(s, "https://a/", NULL, NULL), 0);
        assert_int_equal(store_get_validators(s, "https://a/", &etag, &lm), 0);
        assert_null(etag);
        assert_null(lm);
        assert_int_equal(store_get_validators(s, "https://b/", &etag, &lm), 1);
        free(lm);
        /* deleting what is not there is no error */
        assert_int_equal(store_set_validators(s, "https://nowhere/", NULL, NULL), 0);
}

/* ---- documents ---- */

static void test_baseline_document(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_advisory_list_ AdvisoryList l = {};
        _cleanup_free_ StoredState *states = NULL;
        Router router = { .notifiers = two_notifiers };
        RecordStats stats = {};
        Change *changes = NULL;
        size_t n = 99;
        time_t attempt, success;

        add(&l, "UA", 4, LEVEL_NONE, "Level 4");
        add(&l, "KZ", 1, LEVEL_NONE, "Level 1");
        add(&l, "ET", 2, 4, "Level 2, parts 4");
        assert_int_equal(record(s, "no", &l, T0, &router, &stats, &changes, &n), 0);
        assert_int_equal(stats.baseline, 3);
        assert_int_equal(stats.changed, 0);
        assert_int_equal(stats.unchanged, 0);
        assert_int_equal(stats.queued, 0);
        assert_int_equal(n, 0);
        free(changes);
        /* a first sight is no change: nobody is told */
        assert_int_equal(router.calls, 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox"), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM period WHERE source = 'no'"), 3);
        assert_int_equal(query_int(s, "SELECT regional_level FROM period WHERE country = 'ET'"), 4);
        assert_int_equal(query_int(s, "SELECT regional_level IS NULL FROM period WHERE country = 'KZ'"),
                         1);
        assert_int_equal(query_int(s, "SELECT documents FROM source WHERE id = 'no'"), 1);

        assert_int_equal(store_source_times(s, "no", &attempt, &success), 1);
        assert_int_equal(attempt, T0);
        assert_int_equal(success, T0);
        assert_int_equal(store_source_times(s, "us", &attempt, &success), 0);
        assert_int_equal(attempt, 0);
        assert_int_equal(success, 0);

        /* sorted by country, whatever the document's order */
        assert_int_equal(store_current_states(s, "no", &states, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(states[0].country, "ET");
        assert_int_equal(states[0].regional_level, 4);
        assert_string_equal(states[1].country, "KZ");
        assert_int_equal(states[1].regional_level, LEVEL_NONE);
        assert_string_equal(states[2].country, "UA");
        assert_int_equal(states[2].level, 4);
        free(states);
        states = NULL;
        /* other sources are apart */
        assert_int_equal(store_current_states(s, "us", &states, &n), 0);
        assert_int_equal(n, 0);
}

static void test_changed_document(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_advisory_list_ AdvisoryList a = {}, b = {};
        _cleanup_free_ StoredState *states = NULL;
        Router router = { .notifiers = two_notifiers };
        RecordStats stats = {};
        Change *changes = NULL, loaded = {};
        size_t n = 0;
        int64_t kz_old;

        add(&a, "KZ", 1, LEVEL_NONE, "Level 1");
        add(&a, "NO", 1, LEVEL_NONE, "Level 1");
        add(&a, "UA", 3, LEVEL_NONE, "Level 3");
        assert_int_equal(record(s, "us", &a, T0, &router, NULL, NULL, NULL), 0);
        kz_old = query_int(s, "SELECT id FROM period WHERE country = 'KZ'");

        add(&b, "KZ", 3, LEVEL_NONE, "Level 3: Reconsider Travel");
        add(&b, "NO", 1, LEVEL_NONE, "Level 1");
        add(&b, "UA", 3, 4, "Level 3, parts 4");
        assert_int_equal(record(s, "us", &b, T0 + 3600, &router, &stats, &changes, &n), 0);
        assert_int_equal(stats.changed, 2);
        assert_int_equal(stats.unchanged, 1);
        assert_int_equal(stats.baseline, 0);
        assert_int_equal(stats.queued, 4);
        assert_int_equal(n, 2);
        assert_int_equal(router.events[OUTBOX_CHANGE], 2);

        /* the changes as handed back, ids included */
        assert_string_equal(changes[0].country, "KZ");
        assert_string_equal(changes[0].source, "us");
        assert_int_equal(changes[0].previous_level, 1);
        assert_int_equal(changes[0].level, 3);
        assert_int_equal(changes[0].observed_at, T0 + 3600);
        assert_string_equal(changes[0].label, "Level 3: Reconsider Travel");
        assert_string_equal(changes[1].country, "UA");
        assert_int_equal(changes[1].previous_regional_level, LEVEL_NONE);
        assert_int_equal(changes[1].regional_level, 4);
        assert_true(changes[0].id > kz_old);

        /* the same, loaded back from the database */
        assert_int_equal(store_load_change(s, changes[0].id, &loaded), 0);
        assert_string_equal(loaded.country, "KZ");
        assert_int_equal(loaded.level, 3);
        assert_int_equal(loaded.previous_level, 1);
        assert_int_equal(loaded.previous_regional_level, LEVEL_NONE);
        assert_int_equal(loaded.observed_at, T0 + 3600);
        assert_string_equal(loaded.label, "Level 3: Reconsider Travel");
        assert_string_equal(loaded.url, "https://example.org/");
        change_done(&loaded);
        assert_int_equal(store_load_change(s, changes[1].id, &loaded), 0);
        assert_int_equal(loaded.level, 3);
        assert_int_equal(loaded.regional_level, 4);
        assert_int_equal(loaded.previous_level, 3);
        assert_int_equal(loaded.previous_regional_level, LEVEL_NONE);
        change_done(&loaded);
        /* a first period has no previous level */
        assert_int_equal(store_load_change(s, kz_old, &loaded), 0);
        assert_int_equal(loaded.previous_level, 0);
        change_done(&loaded);
        assert_int_equal(store_load_change(s, 999999, &loaded), -ENOENT);

        /* one period per change, one outbox row per change and notifier */
        assert_int_equal(query_int(s, "SELECT count(*) FROM period"), 5);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox WHERE event = 'change'"
                                      " AND state = 'pending'"),
                         4);
        assert_int_equal(query_int(s, "SELECT count(DISTINCT change_id) FROM outbox"), 2);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox WHERE notifier = 'ops'"), 2);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox o JOIN period p"
                                      " ON p.id = o.change_id WHERE p.country IN ('KZ', 'UA')"
                                      " AND p.first_seen = o.created_at"),
                         4);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox WHERE change_id = (SELECT id"
                                      " FROM period WHERE country = 'NO')"),
                         0);
        /* the old KZ period ends where it was last seen */
        assert_int_equal(query_int(s, "SELECT last_seen FROM period WHERE country = 'KZ' AND level = 1"),
                         T0);

        /* the current state follows */
        assert_int_equal(store_current_states(s, "us", &states, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(states[0].level, 3);
        assert_int_equal(states[0].period, changes[0].id);
        assert_int_equal(states[2].regional_level, 4);
        assert_int_equal(states[2].period, changes[1].id);
        changes_free(changes, 2);
}

static void test_unchanged_document(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_advisory_list_ AdvisoryList a = {}, b = {};
        Router router = { .notifiers = two_notifiers };
        RecordStats stats = {};
        _cleanup_free_ char *label = NULL;

        add(&a, "KZ", 2, LEVEL_NONE, "Level 2: old wording");
        assert_int_equal(record(s, "us", &a, T0, &router, NULL, NULL, NULL), 0);
        assert_int_equal(record(s, "us", &a, T0 + 60, &router, NULL, NULL, NULL), 0);
        /* new wording, same level: not a change, but the latest wording is kept */
        add(&b, "KZ", 2, LEVEL_NONE, "Level 2: new wording");
        assert_int_equal(record(s, "us", &b, T0 + 120, &router, &stats, NULL, NULL), 0);
        assert_int_equal(stats.unchanged, 1);
        assert_int_equal(stats.changed, 0);
        assert_int_equal(router.calls, 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM period"), 1);
        assert_int_equal(query_int(s, "SELECT observations FROM period"), 3);
        assert_int_equal(query_int(s, "SELECT first_seen FROM period"), T0);
        assert_int_equal(query_int(s, "SELECT last_seen FROM period"), T0 + 120);
        label = query_text(s, "SELECT label FROM period");
        assert_string_equal(label, "Level 2: new wording");
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox"), 0);
        assert_int_equal(query_int(s, "SELECT documents FROM source WHERE id = 'us'"), 3);
}

/* Everything one document produces commits together or not at all: the router failing at the
 * second change leaves no trace of the document. */
static void test_document_is_one_transaction(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_advisory_list_ AdvisoryList a = {}, b = {};
        Router router = { .notifiers = two_notifiers };
        Router failing = { .notifiers = two_notifiers, .fail_on = 2 };
        RecordStats stats = { .changed = 77 };
        Change sentinel = {}, *changes = &sentinel; /* out-parameters: untouched on failure */
        size_t n = 77;
        _cleanup_free_ char *before = NULL, *after = NULL;
        const char *health = "SELECT state || ',' || consecutive_failures || ',' ||"
                             " ifnull(last_attempt, '') || ',' || ifnull(last_success, '') || ','"
                             " || documents FROM source WHERE id = 'us'";

        add(&a, "AF", 4, LEVEL_NONE, "a");
        add(&a, "KZ", 1, LEVEL_NONE, "k");
        add(&a, "NO", 1, LEVEL_NONE, "n");
        add(&a, "UA", 3, LEVEL_NONE, "u");
        assert_int_equal(record(s, "us", &a, T0, &router, NULL, NULL, NULL), 0);
        before = query_text(s, health);

        add(&b, "AF", 3, LEVEL_NONE, "a2"); /* change 1 */
        add(&b, "KZ", 3, LEVEL_NONE, "k2"); /* change 2: the router fails */
        add(&b, "NO", 1, LEVEL_NONE, "n2"); /* unchanged */
        add(&b, "UA", 4, LEVEL_NONE, "u2"); /* change 3 */
        add(&b, "XK", 2, LEVEL_NONE, "x");  /* baseline */
        assert_int_equal(record(s, "us", &b, T0 + 60, &failing, &stats, &changes, &n), -EIO);
        assert_int_equal(failing.calls, 2);
        assert_ptr_equal(changes, &sentinel);
        assert_int_equal(n, 77);
        assert_int_equal(stats.changed, 77);

        assert_int_equal(query_int(s, "SELECT count(*) FROM period"), 4);
        assert_int_equal(query_int(s, "SELECT count(*) FROM period WHERE first_seen > 1767225600"),
                         0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM period WHERE country = 'XK'"), 0);
        assert_int_equal(query_int(s, "SELECT max(last_seen) FROM period"), T0);
        assert_int_equal(query_int(s, "SELECT max(observations) FROM period"), 1);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox"), 0);
        after = query_text(s, health);
        assert_string_equal(after, before);

        /* the store is usable afterwards: the same document, routed, goes in whole */
        assert_int_equal(record(s, "us", &b, T0 + 120, &router, &stats, NULL, NULL), 0);
        assert_int_equal(stats.changed, 3);
        assert_int_equal(stats.baseline, 1);
        assert_int_equal(stats.unchanged, 1);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox"), 6);
        assert_int_equal(query_int(s, "SELECT count(*) FROM period"), 8);
}

/* ---- source health ---- */

static int64_t outbox_count(Store *s, const char *event) {
        _cleanup_free_ char *sql = strprintf("SELECT count(*) FROM outbox WHERE event = '%s'", event);
        assert_non_null(sql);
        return query_int(s, sql);
}

static void test_health(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_advisory_list_ AdvisoryList l = {};
        Router router = { .notifiers = two_notifiers };
        _cleanup_free_ char *error = NULL, *class = NULL, *detail = NULL;
        time_t attempt, success;
        int results[6];

        add(&l, "KZ", 1, LEVEL_NONE, "k");
        assert_int_equal(record(s, "no", &l, T0, &router, NULL, NULL, NULL), 0);

        /* raised once, exactly when the threshold is reached */
        for (int i = 0; i < 6; i++)
                results[i] = store_record_failure(s, "no", FAILURE_BLOCKED, "Cloudflare challenge",
                                                  T0 + 60 * (i + 1), 3, route, &router);
        assert_int_equal(results[0], 0);
        assert_int_equal(results[1], 0);
        assert_int_equal(results[2], 1);
        assert_int_equal(results[3], 0);
        assert_int_equal(results[4], 0);
        assert_int_equal(results[5], 0);
        assert_int_equal(router.events[OUTBOX_SOURCE_FAILING], 1);
        assert_int_equal(outbox_count(s, "source-failing"), 2);
        detail = query_text(s, "SELECT detail FROM outbox WHERE event = 'source-failing' LIMIT 1");
        assert_string_equal(detail, "Cloudflare challenge");
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox WHERE change_id IS NOT NULL"), 0);
        assert_int_equal(query_int(s, "SELECT consecutive_failures FROM source WHERE id = 'no'"), 6);
        error = query_text(s, "SELECT state || ':' || last_error FROM source WHERE id = 'no'");
        assert_string_equal(error, "failing:Cloudflare challenge");
        class = query_text(s, "SELECT last_error_class FROM source WHERE id = 'no'");
        assert_string_equal(class, "blocked");
        assert_int_equal(store_source_times(s, "no", &attempt, &success), 1);
        assert_int_equal(attempt, T0 + 360);
        assert_int_equal(success, T0);

        /* a 304 is a success: recovered once */
        assert_int_equal(store_record_unchanged(s, "no", T0 + 400, route, &router), 1);
        assert_int_equal(outbox_count(s, "source-recovered"), 2);
        assert_int_equal(store_record_unchanged(s, "no", T0 + 500, route, &router), 0);
        assert_int_equal(outbox_count(s, "source-recovered"), 2);
        assert_int_equal(query_int(s, "SELECT consecutive_failures FROM source WHERE id = 'no'"), 0);
        assert_int_equal(store_source_times(s, "no", &attempt, &success), 1);
        assert_int_equal(success, T0 + 500);

        /* failures below the threshold, then a success: the count starts again, nobody told */
        assert_int_equal(store_record_failure(s, "no", FAILURE_TIMEOUT, "timeout", T0 + 600, 3,
                                              route, &router),
                         0);
        assert_int_equal(store_record_failure(s, "no", FAILURE_TIMEOUT, "timeout", T0 + 700, 3,
                                              route, &router),
                         0);
        assert_int_equal(record(s, "no", &l, T0 + 800, &router, NULL, NULL, NULL), 0);
        assert_int_equal(outbox_count(s, "source-recovered"), 2);
        assert_int_equal(store_record_failure(s, "no", FAILURE_TIMEOUT, "timeout", T0 + 900, 3,
                                              route, &router),
                         0);
        assert_int_equal(store_record_failure(s, "no", FAILURE_TIMEOUT, "timeout", T0 + 1000, 3,
                                              route, &router),
                         0);
        assert_int_equal(outbox_count(s, "source-failing"), 2);

        /* failing again; a document (not only a 304) recovers it, in its own transaction */
        assert_int_equal(store_record_failure(s, "no", FAILURE_TIMEOUT, "timeout", T0 + 1100, 3,
                                              route, &router),
                         1);
        assert_int_equal(outbox_count(s, "source-failing"), 4);
        assert_int_equal(record(s, "no", &l, T0 + 1200, &router, NULL, NULL, NULL), 0);
        assert_int_equal(outbox_count(s, "source-recovered"), 4);
        assert_int_equal(router.events[OUTBOX_SOURCE_RECOVERED], 2);
        assert_int_equal(query_int(s, "SELECT state = 'ok' FROM source WHERE id = 'no'"), 1);
}

/* Raising source-failing is part of the failure's transaction too. */
static void test_health_one_transaction(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        Router router = { .notifiers = two_notifiers, .fail_on = 1 };

        assert_int_equal(store_record_failure(s, "uk", FAILURE_HTTP_5XX, "HTTP 503", T0, 2, route,
                                              &router),
                         0);
        assert_int_equal(router.calls, 0);
        /* the router fails when the source would become failing: nothing of it is kept */
        assert_int_equal(store_record_failure(s, "uk", FAILURE_HTTP_5XX, "HTTP 502", T0 + 60, 2,
                                              route, &router),
                         -EIO);
        assert_int_equal(query_int(s, "SELECT consecutive_failures FROM source WHERE id = 'uk'"), 1);
        assert_int_equal(query_int(s, "SELECT state = 'ok' AND last_attempt = 1767225600"
                                      " FROM source WHERE id = 'uk'"),
                         1);
        assert_int_equal(query_int(s, "SELECT count(*) FROM outbox"), 0);
        /* and it is raised when it works */
        assert_int_equal(store_record_failure(s, "uk", FAILURE_HTTP_5XX, "HTTP 502", T0 + 120, 2,
                                              route, &router),
                         1);
        assert_int_equal(outbox_count(s, "source-failing"), 2);

        /* recovering likewise */
        router.fail_on = router.calls + 1;
        assert_int_equal(store_record_unchanged(s, "uk", T0 + 180, route, &router), -EIO);
        assert_int_equal(query_int(s, "SELECT state = 'failing' FROM source WHERE id = 'uk'"), 1);
        assert_int_equal(outbox_count(s, "source-recovered"), 0);
        assert_int_equal(store_record_unchanged(s, "uk", T0 + 240, route, &router), 1);
        assert_int_equal(outbox_count(s, "source-recovered"), 2);
}

static void test_next_poll(void **state) {
        Fixture *f = *state;

        assert_int_equal(store_set_next_poll(f->store, "ca", T0 + 3600), 0);
        assert_int_equal(query_int(f->store, "SELECT next_poll FROM source WHERE id = 'ca'"), T0 + 3600);
        assert_int_equal(store_set_next_poll(f->store, "ca", T0 + 7200), 0);
        assert_int_equal(query_int(f->store, "SELECT next_poll FROM source WHERE id = 'ca'"), T0 + 7200);
        assert_int_equal(query_int(f->store, "SELECT count(*) FROM source"), 1);
}

/* ---- the delivery queue ---- */

static void test_outbox(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_advisory_list_ AdvisoryList a = {}, b = {};
        Router router = { .notifiers = two_notifiers };
        OutboxItem *items = NULL, item = {};
        size_t n = 0;
        time_t due = 1;
        int64_t first, second;
        _cleanup_free_ char *row = NULL;

        assert_int_equal(store_outbox_next_due(s, &due), 0);
        assert_int_equal(due, 0);
        assert_int_equal(store_outbox_due(s, T0, 10, &items, &n), 0);
        assert_int_equal(n, 0);
        free(items);

        add(&a, "KZ", 1, LEVEL_NONE, "k");
        add(&b, "KZ", 3, LEVEL_NONE, "k");
        assert_int_equal(record(s, "no", &a, T0, &router, NULL, NULL, NULL), 0);
        assert_int_equal(record(s, "no", &b, T0 + 10, &router, NULL, NULL, NULL), 0);
        assert_int_equal(store_outbox_next_due(s, &due), 0);
        assert_int_equal(due, T0 + 10);

        /* not due before it was queued */
        assert_int_equal(store_outbox_due(s, T0 + 9, 10, &items, &n), 0);
        assert_int_equal(n, 0);
        free(items);
        /* at most max, oldest first */
        assert_int_equal(store_outbox_due(s, T0 + 10, 1, &items, &n), 0);
        assert_int_equal(n, 1);
        first = items[0].id;
        assert_string_equal(items[0].notifier, "ops");
        assert_int_equal(items[0].event, OUTBOX_CHANGE);
        assert_string_equal(items[0].source, "no");
        assert_int_equal(items[0].attempts, 0);
        assert_int_equal(items[0].created_at, T0 + 10);
        assert_int_equal(items[0].change_id, router.last_change_id);
        assert_null(items[0].detail);
        outbox_item_done(&items[0]);
        free(items);
        assert_int_equal(store_outbox_due(s, T0 + 10, 10, &items, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(items[0].id, first);
        second = items[1].id;
        assert_string_equal(items[1].notifier, "hook");
        for (size_t i = 0; i < n; i++)
                outbox_item_done(&items[i]);
        free(items);

        /* delivered: gone from the queue */
        assert_int_equal(store_outbox_delivered(s, first, T0 + 11), 0);
        assert_int_equal(store_outbox_get(s, first, &item), 0);
        assert_int_equal(item.attempts, 1);
        outbox_item_done(&item);
        row = query_text(s, "SELECT state || ',' || delivered_at FROM outbox ORDER BY id LIMIT 1");
        assert_string_equal(row, "delivered,1767225611");

        /* a failed attempt: retried at the time given, not before */
        assert_int_equal(store_outbox_attempt_failed(s, second, "connection refused", T0 + 40), 0);
        assert_int_equal(store_outbox_due(s, T0 + 39, 10, &items, &n), 0);
        assert_int_equal(n, 0);
        free(items);
        assert_int_equal(store_outbox_next_due(s, &due), 0);
        assert_int_equal(due, T0 + 40);
        assert_int_equal(store_outbox_due(s, T0 + 40, 10, &items, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(items[0].id, second);
        assert_int_equal(items[0].attempts, 1);
        outbox_item_done(&items[0]);
        free(items);

        /* given up: failed, never due again, the error kept */
        assert_int_equal(store_outbox_attempt_failed(s, second, "HTTP 500", 0), 0);
        assert_int_equal(store_outbox_due(s, T0 + 1000000, 10, &items, &n), 0);
        assert_int_equal(n, 0);
        free(items);
        assert_int_equal(store_outbox_next_due(s, &due), 0);
        assert_int_equal(due, 0);
        free(row);
        row = query_text(s, "SELECT state || ',' || attempts || ',' || last_error FROM outbox"
                            " WHERE state != 'delivered'");
        assert_string_equal(row, "failed,2,HTTP 500");
        assert_int_equal(store_outbox_get(s, second, &item), 0);
        assert_int_equal(item.attempts, 2);
        outbox_item_done(&item);

        assert_int_equal(store_outbox_get(s, 424242, &item), -ENOENT);
}

/* ---- current state ---- */

static void test_current_states(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        static const char *const codes[] = { "ZW", "AF", "KZ", "XK", "BR", "NO", "CD", "AA" };
        _cleanup_advisory_list_ AdvisoryList a = {}, b = {};
        _cleanup_free_ StoredState *states = NULL;
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(codes); i++)
                add(&a, codes[i], 1 + (int) (i % 4), LEVEL_NONE, codes[i]);
        assert_int_equal(record(s, "de", &a, T0, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(store_current_states(s, "de", &states, &n), 0);
        assert_int_equal(n, ELEMENTSOF(codes));
        for (size_t i = 1; i < n; i++)
                if (strcmp(states[i - 1].country, states[i].country) >= 0)
                        fail_msg("not sorted: %s before %s", states[i - 1].country, states[i].country);
        free(states);
        states = NULL;

        /* two documents in the same second (after 2038): the later one is the current state */
        add(&b, "KZ", 4, LEVEL_NONE, "k");
        assert_int_equal(record(s, "au", &b, (time_t) 4102444800, NULL, NULL, NULL, NULL), 0);
        b.items[0].level = 2;
        assert_int_equal(record(s, "au", &b, (time_t) 4102444800, NULL, NULL, NULL, NULL), 0);
        b.items[0].level = 3;
        assert_int_equal(record(s, "au", &b, (time_t) 4102444800, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(store_current_states(s, "au", &states, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(states[0].level, 3);
        assert_int_equal(states[0].period,
                         query_int(s, "SELECT max(id) FROM period WHERE source = 'au'"));
        free(states);
        states = NULL;

        /* an older period recorded later (an import) does not become the current state */
        b.items[0].level = 1;
        assert_int_equal(record(s, "au", &b, (time_t) 4102444800 - 86400, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(store_current_states(s, "au", &states, &n), 0);
        assert_int_equal(states[0].level, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
                cmocka_unit_test_setup_teardown(test_values, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_database_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_validators, setup, teardown),
                cmocka_unit_test_setup_teardown(test_baseline_document, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_document, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unchanged_document, setup, teardown),
                cmocka_unit_test_setup_teardown(test_document_is_one_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_health, setup, teardown),
                cmocka_unit_test_setup_teardown(test_health_one_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_next_poll, setup, teardown),
                cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
                cmocka_unit_test_setup_teardown(test_current_states, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
