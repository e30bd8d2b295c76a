/* test-guard.c: the mass-change guard holds implausible documents, and lets the same result
 * through once it has been confirmed or accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "guard.h"

static const GuardSettings settings = { .threshold = 0.3, .confirmations = 2 };

/* A source that knows `known` countries (AA, AB, …) at level 1, and a document in which the first
 * `changed` of them are at `level`. */
typedef struct Scenario {
        StoredState prev[64];
        AdvisoryList records;
        Diff diff;
} Scenario;

static void scenario(Scenario *s, size_t known, size_t changed, int level) {
        *s = (Scenario) {};
        for (size_t i = 0; i < known; i++) {
                char cc[3] = { (char) ('A' + i / 26), (char) ('A' + i % 26), 0 };
                s->prev[i] = (StoredState) { .level = 1, .period = (int64_t) i + 1 };
                memcpy(s->prev[i].country, cc, 3);
                assert_int_equal(advisory_list_add(&s->records, cc, i < changed ? level : 1, 0,
                                                   "label", NULL, NULL),
                                 0);
        }
        assert_int_equal(diff_compute(s->prev, known, &s->records, &s->diff), 0);
}

static void scenario_done(Scenario *s) {
        diff_done(&s->diff);
        advisory_list_clear(&s->records);
}

static void test_plausible_documents_pass(void **state) {
        Scenario s;
        GuardState g = { .fingerprint = 42, .seen = 1 };

        scenario(&s, 40, 12, 4); /* 30 %: not above the threshold */
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_PASS);
        assert_int_equal(g.fingerprint, 0); /* a plausible document ends a hold */
        scenario_done(&s);

        scenario(&s, 9, 9, 4); /* too few countries to judge */
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_PASS);
        scenario_done(&s);
}

static void test_hold_then_confirm(void **state) {
        Scenario s;
        GuardState g = {};

        scenario(&s, 40, 32, 4); /* 80 % flip */
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_HOLD_NEW);
        assert_int_equal(g.seen, 1);
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_HOLD);
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_CONFIRMED);
        assert_int_equal(g.fingerprint, 0);
        scenario_done(&s);
}

static void test_different_result_restarts(void **state) {
        Scenario a, b;
        GuardState g = {};

        scenario(&a, 40, 32, 4);
        scenario(&b, 40, 32, 3);
        assert_int_not_equal(guard_fingerprint(&a.diff), guard_fingerprint(&b.diff));
        assert_int_equal(guard_check(&settings, &g, &a.diff), GUARD_HOLD_NEW);
        assert_int_equal(guard_check(&settings, &g, &a.diff), GUARD_HOLD);
        assert_int_equal(guard_check(&settings, &g, &b.diff), GUARD_HOLD_NEW);
        assert_int_equal(guard_check(&settings, &g, &b.diff), GUARD_HOLD);
        assert_int_equal(guard_check(&settings, &g, &b.diff), GUARD_CONFIRMED);
        scenario_done(&a);
        scenario_done(&b);
}

static void test_operator_accepts(void **state) {
        Scenario s;
        GuardState g = {};

        scenario(&s, 40, 32, 4);
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_HOLD_NEW);
        g.accepted = g.fingerprint;
        assert_int_equal(guard_check(&settings, &g, &s.diff), GUARD_CONFIRMED);
        scenario_done(&s);
}

static void test_state_round_trip(void **state) {
        GuardState g = { .fingerprint = 0xdeadbeefcafe0001ULL, .seen = 3, .accepted = 7 }, h;
        _cleanup_free_ char *s = guard_state_format(&g);

        assert_non_null(s);
        assert_int_equal(guard_state_parse(s, &h), 0);
        assert_memory_equal(&g, &h, sizeof(g));
        assert_int_equal(guard_state_parse("garbage", &h), -EINVAL);
        assert_int_equal(guard_state_parse(NULL, &h), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plausible_documents_pass),
                cmocka_unit_test(test_hold_then_confirm),
                cmocka_unit_test(test_different_result_restarts),
                cmocka_unit_test(test_operator_accepts),
                cmocka_unit_test(test_state_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
