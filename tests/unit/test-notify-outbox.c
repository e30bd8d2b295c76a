/* test-notify-outbox.c: the notifier's queries on a real database: which rows make up a digest
 * and when it may go, holding rows back without counting an attempt, the next due time, and the
 * current advice of every government for a country. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>

#include "notify-outbox.h"

#define T0 ((time_t) 1767225600) /* 2026-01-01 */
#define MIN15 (15 * USEC_PER_MINUTE)

typedef struct Fixture {
        char dir[64];
        char *path;
        Store *store;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-notify-outbox-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->path = strprintf("%s/advisoryd.db", f->dir);
        assert_int_equal(store_open(f->path, STORE_READ_WRITE, &f->store), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        DIR *d;

        store_free(f->store);
        assert_non_null(d = opendir(f->dir));
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        assert_int_equal(unlinkat(dirfd(d), de->d_name, 0), 0);
        closedir(d);
        assert_int_equal(rmdir(f->dir), 0);
        free(f->path);
        free(f);
        return 0;
}

static void sql(Store *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *q = strvprintf(fmt, ap);
        va_end(ap);
        if (sqlite3_exec(store_db(s), q, NULL, NULL, NULL) != SQLITE_OK)
                fail_msg("%s: %s", q, store_error(s));
}

static void row(Store *s, int64_t id, const char *notifier, const char *event, time_t created,
                time_t next, const char *state) {
        sql(s, "INSERT INTO outbox (id, notifier, event, change_id, source, created_at, next_attempt,"
               " state) VALUES (%lld, '%s', '%s', NULL, 'us', %lld, %lld, '%s')",
            (long long) id, notifier, event, (long long) created, (long long) next, state);
}

static int64_t query_int(Store *s, const char *fmt, ...) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *q = strvprintf(fmt, ap);
        va_end(ap);
        assert_int_equal(store_prepare(s, q, &st), 0);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        return sqlite3_column_int64(st, 0);
}

static void group(Store *s, const char *notifier, size_t expect_n, const int64_t *expect_ids,
                  time_t expect_ready) {
        OutboxItem *items = NULL;
        size_t n = 0;
        time_t ready = 0;

        assert_int_equal(notify_outbox_digest_group(s, notifier, MIN15, 200, &items, &n, &ready), 0);
        assert_int_equal(n, expect_n);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(items[i].id, expect_ids[i]);
                outbox_item_done(&items[i]);
        }
        free(items);
        if (n > 0)
                assert_int_equal(ready, expect_ready);
}

static void test_digest_group(void **state) {
        Store *s = ((Fixture *) *state)->store;

        /* nothing pending */
        group(s, "ops", 0, NULL, 0);
        /* the first window: rows 1, 2, 4 (14 min 59 s); row 5 opens the next; row 3 is another
         * notifier's, row 6 a source event, row 7 delivered already */
        row(s, 1, "ops", "change", T0, T0, "pending");
        row(s, 2, "ops", "change", T0 + 60, T0 + 60, "pending");
        row(s, 3, "hook", "change", T0 + 60, T0 + 60, "pending");
        row(s, 4, "ops", "change", T0 + 899, T0 + 899, "pending");
        row(s, 5, "ops", "change", T0 + 900, T0 + 900, "pending");
        row(s, 6, "ops", "source-failing", T0 + 10, T0 + 10, "pending");
        row(s, 7, "ops", "change", T0 - 100, T0 - 100, "delivered");
        group(s, "ops", 3, (const int64_t[]) { 1, 2, 4 }, T0 + 900);

        /* holding back: every pending change row of the notifier, not an attempt */
        assert_int_equal(notify_outbox_defer(s, "ops", T0 + 900), 0);
        assert_int_equal(query_int(s, "SELECT COUNT(*) FROM outbox WHERE next_attempt = %lld",
                                   (long long) (T0 + 900)), 4);
        assert_int_equal(query_int(s, "SELECT next_attempt FROM outbox WHERE id = 6"), T0 + 10);
        assert_int_equal(query_int(s, "SELECT next_attempt FROM outbox WHERE id = 3"), T0 + 60);
        assert_int_equal(query_int(s, "SELECT SUM(attempts) FROM outbox"), 0);
        /* never earlier than it was */
        sql(s, "UPDATE outbox SET next_attempt = %lld WHERE id = 5", (long long) (T0 + 5000));
        assert_int_equal(notify_outbox_defer(s, "ops", T0 + 900), 0);
        assert_int_equal(query_int(s, "SELECT next_attempt FROM outbox WHERE id = 5"), T0 + 5000);

        /* a group in back-off is ready only when every row's next attempt has come */
        sql(s, "UPDATE outbox SET next_attempt = %lld WHERE id IN (1, 2, 4)", (long long) (T0 + 2000));
        group(s, "ops", 3, (const int64_t[]) { 1, 2, 4 }, T0 + 2000);

        /* once delivered, the next window begins with row 5 */
        sql(s, "UPDATE outbox SET state = 'delivered' WHERE id IN (1, 2, 4)");
        group(s, "ops", 1, (const int64_t[]) { 5 }, T0 + 5000);
}

static void test_next_due_after(void **state) {
        Store *s = ((Fixture *) *state)->store;
        time_t next = -1;

        assert_int_equal(notify_outbox_next_due_after(s, T0, &next), 0);
        assert_int_equal(next, 0);
        row(s, 1, "ops", "change", T0, T0, "pending");             /* due: not "after" */
        row(s, 2, "ops", "change", T0, T0 + 30, "pending");
        row(s, 3, "ops", "change", T0, T0 + 10, "failed");
        assert_int_equal(notify_outbox_next_due_after(s, T0, &next), 0);
        assert_int_equal(next, T0 + 30);
}

static void test_transaction(void **state) {
        Store *s = ((Fixture *) *state)->store;

        row(s, 1, "ops", "change", T0, T0, "pending");
        assert_int_equal(notify_outbox_begin(s), 0);
        assert_int_equal(store_outbox_delivered(s, 1, T0), 0);
        assert_int_equal(notify_outbox_end(s, false), 0);
        assert_int_equal(query_int(s, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 1);
        assert_int_equal(notify_outbox_begin(s), 0);
        assert_int_equal(store_outbox_delivered(s, 1, T0), 0);
        assert_int_equal(notify_outbox_end(s, true), 0);
        assert_int_equal(query_int(s, "SELECT COUNT(*) FROM outbox WHERE state = 'delivered'"), 1);
}

static void period(Store *s, const char *source, const char *country, int level, int regional,
                   const char *label, time_t first) {
        sql(s, "INSERT INTO period (source, country, level, regional_level, label, first_seen,"
               " last_seen) VALUES ('%s', '%s', %d, %s, '%s', %lld, %lld)",
            source, country, level, regional ? "4" : "NULL", label, (long long) first,
            (long long) first);
}

static void test_current_advice(void **state) {
        Store *s = ((Fixture *) *state)->store;
        char *countries[] = { "KZ", "AZ", NULL }, *sources[] = { "us", "ca", NULL };
        GovernmentAdvice *a = NULL;
        size_t n = 0;

        period(s, "us", "KZ", 1, 0, "old", T0);
        period(s, "us", "KZ", 3, 0, "now", T0 + 100);
        period(s, "ca", "KZ", 2, 1, "ca now", T0 + 50);
        period(s, "de", "KZ", 4, 0, "not watched", T0);
        period(s, "ca", "AZ", 2, 0, "az", T0);
        period(s, "ca", "UA", 4, 0, "not asked", T0);
        /* an import of an older period, recorded later, is not the current one */
        period(s, "ca", "AZ", 4, 0, "older", T0 - 1000);

        assert_int_equal(notify_outbox_current_advice(s, countries, sources, &a, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(a[0].country, "KZ");
        assert_string_equal(a[0].source, "ca");
        assert_int_equal(a[0].regional_level, 4);
        assert_string_equal(a[1].source, "us");
        assert_string_equal(a[1].label, "now");
        assert_int_equal(a[1].level, 3);
        assert_string_equal(a[2].country, "AZ");
        assert_string_equal(a[2].label, "az");
        government_advice_free_many(a, n);

        /* sources NULL: every source */
        assert_int_equal(notify_outbox_current_advice(s, countries, NULL, &a, &n), 0);
        assert_int_equal(n, 4);
        government_advice_free_many(a, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_digest_group, setup, teardown),
                cmocka_unit_test_setup_teardown(test_next_due_after, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_current_advice, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
