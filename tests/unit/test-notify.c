/* test-notify.c: routing — which notifiers want which events (countries, sources, min_level on
 * the old and new level and regional level, events) — and the retry back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "notify.h"

static Change change(int prev, int prev_regional, int level, int regional) {
        return (Change) { .id = 1, .source = (char *) "no", .country = "KZ", .level = level,
                          .regional_level = regional, .previous_level = prev,
                          .previous_regional_level = prev_regional };
}

static NotifyConfig notifier(void) {
        return (NotifyConfig) { .name = (char *) "ops", .type = NOTIFY_EMAIL, .min_level = 1,
                                .events = NOTIFY_EVENT_CHANGE };
}

static void test_min_level_either_side(void **state) {
        NotifyConfig n = notifier();
        Change up = change(1, 0, 3, 0), down = change(3, 0, 1, 0), low = change(1, 0, 2, 0);
        Change regional = change(2, 0, 2, 4), regional_gone = change(2, 4, 2, 0);

        n.min_level = 3;
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &up));
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &down)); /* the old level counts */
        assert_false(notify_wants(&n, OUTBOX_CHANGE, "no", &low));
        n.min_level = 4;
        assert_false(notify_wants(&n, OUTBOX_CHANGE, "no", &up));
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &regional));      /* new regional */
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &regional_gone)); /* old regional */
        n.min_level = 1;
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &low));
}

static void test_countries_sources_events(void **state) {
        char *kz[] = { "KZ", NULL }, *ua[] = { "UA", "RU", NULL }, *no[] = { "no", NULL };
        char *us[] = { "us", NULL };
        NotifyConfig n = notifier();
        Change c = change(1, 0, 3, 0);

        n.countries = kz;
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &c));
        n.countries = ua;
        assert_false(notify_wants(&n, OUTBOX_CHANGE, "no", &c));
        n.countries = NULL;
        n.sources = no;
        assert_true(notify_wants(&n, OUTBOX_CHANGE, "no", &c));
        n.sources = us;
        assert_false(notify_wants(&n, OUTBOX_CHANGE, "no", &c));
        n.sources = NULL;

        /* events: changes only by default */
        assert_false(notify_wants(&n, OUTBOX_SOURCE_FAILING, "no", NULL));
        n.events = NOTIFY_EVENT_SOURCE_FAILING | NOTIFY_EVENT_SOURCE_RECOVERED;
        assert_false(notify_wants(&n, OUTBOX_CHANGE, "no", &c));
        assert_true(notify_wants(&n, OUTBOX_SOURCE_FAILING, "no", NULL));
        assert_true(notify_wants(&n, OUTBOX_SOURCE_RECOVERED, "no", NULL));
        /* a source event has no country: the countries filter does not hide it; sources does */
        n.countries = ua;
        assert_true(notify_wants(&n, OUTBOX_SOURCE_FAILING, "no", NULL));
        n.sources = us;
        assert_false(notify_wants(&n, OUTBOX_SOURCE_FAILING, "no", NULL));
}

static void test_route(void **state) {
        char *kz[] = { "KZ", NULL };
        NotifyConfig ns[3] = { notifier(), notifier(), notifier() };
        Config config = { .notifiers = ns, .n_notifiers = 3 };
        Change c = change(1, 0, 2, 0);
        char **names = NULL;

        ns[0].name = (char *) "all";
        ns[1].name = (char *) "kz";
        ns[1].countries = kz;
        ns[2].name = (char *) "serious";
        ns[2].min_level = 3;
        assert_int_equal(notify_route(&config, OUTBOX_CHANGE, "no", &c, &names), 0);
        assert_int_equal(strv_length(names), 2);
        assert_string_equal(names[0], "all");
        assert_string_equal(names[1], "kz");
        strv_free(names);
        names = NULL;
        c.country[0] = 'U', c.country[1] = 'A';
        assert_int_equal(notify_route(&config, OUTBOX_CHANGE, "no", &c, &names), 0);
        assert_int_equal(strv_length(names), 1);
        strv_free(names);
}

static void test_retry_delay(void **state) {
        /* 30 s doubling to 1 h, ±10 % */
        assert_int_equal(notify_retry_delay(0, 500), 30 * USEC_PER_SEC);
        assert_int_equal(notify_retry_delay(1, 500), 60 * USEC_PER_SEC);
        assert_int_equal(notify_retry_delay(0, 0), 27 * USEC_PER_SEC);
        assert_true(notify_retry_delay(0, 999) < 33 * USEC_PER_SEC);
        assert_int_equal(notify_retry_delay(7, 500), USEC_PER_HOUR);
        assert_int_equal(notify_retry_delay(1000, 500), USEC_PER_HOUR);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_min_level_either_side),
                cmocka_unit_test(test_countries_sources_events),
                cmocka_unit_test(test_route),
                cmocka_unit_test(test_retry_delay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
