/* test-store-import.c: saved documents recorded as observations at a given time, wherever that
 * time falls in the recorded history: into an empty database, after, before, in a gap, inside a
 * period (a split), at the second of another observation (a conflict); never a notification,
 * one transaction per document, and the daemon carries on from the imported state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>

#include "store.h"
#include "util.h"

#define DAY ((time_t) 86400)
#define T0 ((time_t) 1640995200) /* 2022-01-01 */

typedef struct Fixture {
        char dir[64];
        char *path;
        Store *store;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-store-import-XXXXXX");
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
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        return sqlite3_column_int64(st, 0);
}

/* Imports one record for KZ at `at`; returns what happened to it. */
static ImportKind import_kz(Store *s, int level, int regional, const char *label, time_t at) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        ImportOutcome o[1];

        assert_int_equal(advisory_list_add(&l, "KZ", level, regional, label, NULL, NULL), 0);
        assert_int_equal(store_import_document(s, "us", &l, at, o), 0);
        return o[0].kind;
}

/* The periods of us/KZ in order, as "level[/regional]@first..last×observations" joined by ' '. */
static char *periods(Store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_(buffer_done) Buffer b = {};

        assert_int_equal(store_prepare(s,
                                       "SELECT level, regional_level, (first_seen - 1640995200) / 86400,"
                                       " (last_seen - 1640995200) / 86400, observations FROM period"
                                       " WHERE source = 'us' AND country = 'KZ'"
                                       " ORDER BY first_seen, id",
                                       &st),
                         0);
        while (sqlite3_step(st) == SQLITE_ROW) {
                if (b.size)
                        assert_int_equal(buffer_puts(&b, " "), 0);
                assert_int_equal(buffer_printf(&b, "%d", sqlite3_column_int(st, 0)), 0);
                if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                        assert_int_equal(buffer_printf(&b, "/%d", sqlite3_column_int(st, 1)), 0);
                assert_int_equal(buffer_printf(&b, "@%lld..%lld×%lld",
                                               (long long) sqlite3_column_int64(st, 2),
                                               (long long) sqlite3_column_int64(st, 3),
                                               (long long) sqlite3_column_int64(st, 4)),
                                 0);
        }
        return buffer_steal(&b) ?: strdup("");
}

static void assert_periods(Store *s, const char *expected) {
        _cleanup_free_ char *got = periods(s);
        assert_string_equal(got, expected);
}

static void test_into_an_empty_database(void **state) {
        Fixture *f = *state;

        assert_int_equal(import_kz(f->store, 1, 0, "one", T0), IMPORT_INSERTED);
        assert_periods(f->store, "1@0..0×1");
        /* a source row exists for `sources`, but nothing counts as a poll */
        assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM source WHERE id = 'us'"
                                             " AND last_attempt IS NULL AND documents = 0"),
                         1);
        assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM outbox"), 0);
}

static void test_later_same_level_extends(void **state) {
        Fixture *f = *state;

        import_kz(f->store, 1, 0, "old words", T0);
        assert_int_equal(import_kz(f->store, 1, 0, "new words", T0 + 5 * DAY), IMPORT_EXTENDED);
        assert_periods(f->store, "1@0..5×2");
        /* the latest observation's wording wins, whatever the order of the imports */
        assert_int_equal(import_kz(f->store, 1, 0, "older words", T0 + 2 * DAY), IMPORT_EXTENDED);
        assert_periods(f->store, "1@0..5×3");
        assert_int_equal(query_int(f->store, "SELECT label = 'new words' FROM period"), 1);
}

static void test_later_other_level_is_a_change(void **state) {
        Fixture *f = *state;
        Change c = {};

        import_kz(f->store, 1, 0, "one", T0);
        assert_int_equal(import_kz(f->store, 3, 0, "three", T0 + 4 * DAY), IMPORT_INSERTED);
        assert_periods(f->store, "1@0..0×1 3@4..4×1");
        assert_int_equal(store_load_change(f->store, query_int(f->store, "SELECT MAX(id) FROM period"),
                                           &c),
                         0);
        assert_int_equal(c.previous_level, 1);
        assert_int_equal(c.level, 3);
        assert_int_equal(c.observed_at, T0 + 4 * DAY);
        change_done(&c);
        assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM outbox"), 0);
}

static void test_before_the_history(void **state) {
        Fixture *f = *state;
        Change c = {};
        int64_t first;

        import_kz(f->store, 3, 0, "three", T0 + 10 * DAY);
        first = query_int(f->store, "SELECT id FROM period");
        /* the same level earlier: the period started earlier */
        assert_int_equal(import_kz(f->store, 3, 0, "older three", T0 + 8 * DAY), IMPORT_EXTENDED);
        assert_periods(f->store, "3@8..10×2");
        assert_int_equal(query_int(f->store, "SELECT label = 'three' FROM period"), 1);
        /* another level earlier still: the first period becomes a change, with the same id */
        assert_int_equal(import_kz(f->store, 1, 0, "one", T0), IMPORT_INSERTED);
        assert_periods(f->store, "1@0..0×1 3@8..10×2");
        assert_int_equal(store_load_change(f->store, first, &c), 0);
        assert_int_equal(c.previous_level, 1);
        assert_int_equal(c.level, 3);
        assert_int_equal(c.observed_at, T0 + 8 * DAY);
        change_done(&c);
}

static void test_in_a_gap(void **state) {
        Fixture *f = *state;

        import_kz(f->store, 1, 0, "one", T0);
        import_kz(f->store, 4, 0, "four", T0 + 10 * DAY);
        /* like the next period: the change happened by then at the latest */
        assert_int_equal(import_kz(f->store, 4, 0, "four", T0 + 6 * DAY), IMPORT_EXTENDED);
        assert_periods(f->store, "1@0..0×1 4@6..10×2");
        /* like the previous one: it lasted longer */
        assert_int_equal(import_kz(f->store, 1, 0, "one", T0 + 2 * DAY), IMPORT_EXTENDED);
        assert_periods(f->store, "1@0..2×2 4@6..10×2");
        /* like neither: a period of its own, and the next one changes from it */
        assert_int_equal(import_kz(f->store, 3, 4, "three", T0 + 4 * DAY), IMPORT_INSERTED);
        assert_periods(f->store, "1@0..2×2 3/4@4..4×1 4@6..10×2");
        /* a regional level alone makes a different period */
        assert_int_equal(import_kz(f->store, 3, 0, "three", T0 + 5 * DAY), IMPORT_INSERTED);
        assert_periods(f->store, "1@0..2×2 3/4@4..4×1 3@5..5×1 4@6..10×2");
}

static void test_inside_a_period_splits_it(void **state) {
        Fixture *f = *state;
        ImportOutcome o[1];
        _cleanup_advisory_list_ AdvisoryList l = {};
        int64_t id;

        import_kz(f->store, 1, 0, "one", T0);
        import_kz(f->store, 1, 0, "one", T0 + 10 * DAY);
        id = query_int(f->store, "SELECT id FROM period");
        assert_int_equal(advisory_list_add(&l, "KZ", 3, 0, "three", NULL, NULL), 0);
        assert_int_equal(store_import_document(f->store, "us", &l, T0 + 5 * DAY, o), 0);
        assert_int_equal(o[0].kind, IMPORT_SPLIT);
        assert_int_equal(o[0].level, 1);
        assert_int_equal(o[0].first_seen, T0);
        assert_int_equal(o[0].last_seen, T0 + 10 * DAY);
        assert_int_equal(o[0].observations, 2);
        assert_periods(f->store, "1@0..0×1 3@5..5×1 1@10..10×1");
        /* the first part keeps the row, so a change id stays what it was */
        assert_int_equal(query_int(f->store, "SELECT first_seen = 1640995200 FROM period WHERE id ="
                                             " (SELECT MIN(id) FROM period)"),
                         1);
        assert_int_equal(query_int(f->store, "SELECT MIN(id) FROM period"), id);

        /* the daemon's current state is the last part */
        StoredState *states = NULL;
        size_t n;
        assert_int_equal(store_current_states(f->store, "us", &states, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(states[0].level, 1);
        assert_int_equal(states[0].period,
                         query_int(f->store, "SELECT id FROM period ORDER BY first_seen DESC LIMIT 1"));
        free(states);
}

static void test_same_second_conflict(void **state) {
        Fixture *f = *state;

        import_kz(f->store, 1, 0, "one", T0);
        import_kz(f->store, 1, 0, "one", T0 + 2 * DAY);
        assert_int_equal(import_kz(f->store, 2, 0, "two", T0), IMPORT_CONFLICT);
        assert_int_equal(import_kz(f->store, 2, 0, "two", T0 + 2 * DAY), IMPORT_CONFLICT);
        assert_periods(f->store, "1@0..2×2");
        /* the same document again is just another observation */
        assert_int_equal(import_kz(f->store, 1, 0, "one", T0 + 2 * DAY), IMPORT_EXTENDED);
        assert_periods(f->store, "1@0..2×3");
}

static void test_document_is_one_transaction(void **state) {
        Fixture *f = *state;
        _cleanup_advisory_list_ AdvisoryList l = {};

        assert_int_equal(advisory_list_add(&l, "KZ", 2, 0, "two", NULL, NULL), 0);
        assert_int_equal(advisory_list_add(&l, "NO", 1, 0, "one", NULL, NULL), 0);
        l.items[1].level = 7; /* the schema refuses it: nothing of the document is kept */
        assert_true(store_import_document(f->store, "us", &l, T0, NULL) < 0);
        assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM period"), 0);
        assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM source"), 0);
        /* and the connection is usable afterwards */
        l.items[1].level = 1;
        assert_int_equal(store_import_document(f->store, "us", &l, T0, NULL), 0);
        assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM period"), 2);
}

static void test_daemon_continues_from_imports(void **state) {
        Fixture *f = *state;
        _cleanup_advisory_list_ AdvisoryList l = {};
        StoredState *prev = NULL;
        size_t n_prev;
        Diff d = {};
        RecordStats stats;

        import_kz(f->store, 1, 0, "one", T0);
        import_kz(f->store, 3, 0, "three", T0 + 20 * DAY);
        import_kz(f->store, 2, 0, "two", T0 + 10 * DAY); /* out of order */
        assert_int_equal(advisory_list_add(&l, "KZ", 3, 0, "three", NULL, NULL), 0);
        assert_int_equal(store_current_states(f->store, "us", &prev, &n_prev), 0);
        assert_int_equal(diff_compute(prev, n_prev, &l, &d), 0);
        assert_int_equal(d.n_unchanged, 1);
        assert_int_equal(store_record_document(f->store, "us", &d, T0 + 30 * DAY, NULL, NULL, &stats,
                                               NULL, NULL),
                         0);
        diff_done(&d);
        free(prev);
        assert_periods(f->store, "1@0..0×1 2@10..10×1 3@20..30×2");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_into_an_empty_database, setup, teardown),
                cmocka_unit_test_setup_teardown(test_later_same_level_extends, setup, teardown),
                cmocka_unit_test_setup_teardown(test_later_other_level_is_a_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_before_the_history, setup, teardown),
                cmocka_unit_test_setup_teardown(test_in_a_gap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_inside_a_period_splits_it, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_second_conflict, setup, teardown),
                cmocka_unit_test_setup_teardown(test_document_is_one_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_daemon_continues_from_imports, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
