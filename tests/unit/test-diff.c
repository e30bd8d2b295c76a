/* test-diff.c: a document's records against the source's last known state: baseline, unchanged,
 * changed level, changed regional level only, the share of changed countries, and the words for
 * the direction of a change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "diff.h"
#include "util.h"

static void add(AdvisoryList *l, const char *country, int level, int regional) {
        assert_int_equal(advisory_list_add(l, country, level, regional, "label", NULL, NULL), 0);
}

static const DiffEntry *entry_for(const Diff *d, const char *country) {
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->entries[i].record->country, country))
                        return &d->entries[i];
        fail_msg("no diff entry for %s", country);
        return NULL;
}

static void test_baseline(void **state _unused_) {
        _cleanup_advisory_list_ AdvisoryList l = {};
        Diff d = {};

        add(&l, "KZ", 3, LEVEL_NONE);
        add(&l, "NO", 1, LEVEL_NONE);
        assert_int_equal(diff_compute(NULL, 0, &l, &d), 0);
        assert_int_equal(d.n, 2);
        assert_int_equal(d.n_baseline, 2);
        assert_int_equal(d.n_unchanged, 0);
        assert_int_equal(d.n_changed, 0);
        assert_int_equal(d.n_known, 0);
        for (size_t i = 0; i < d.n; i++) {
                assert_int_equal(d.entries[i].kind, DIFF_BASELINE);
                assert_null(d.entries[i].previous);
                /* borrowed, in the order of the records */
                assert_ptr_equal(d.entries[i].record, &l.items[i]);
        }
        /* nothing known: nothing changed, and no division by zero */
        assert_true(diff_change_share(&d) == 0.0);
        diff_done(&d);
        assert_null(d.entries);
        assert_int_equal(d.n, 0);
}

static void test_kinds(void **state _unused_) {
        /* sorted by country, as the store returns them */
        static const StoredState prev[] = {
                { "AF", 4, LEVEL_NONE, 11 }, /* not in the document */
                { "CN", 2, LEVEL_NONE, 12 }, /* unchanged */
                { "ET", 2, 4, 13 },          /* regional level removed */
                { "KZ", 1, LEVEL_NONE, 14 }, /* level raised */
                { "NP", 2, 3, 15 },          /* unchanged, with a regional level */
                { "UA", 3, LEVEL_NONE, 16 }, /* regional level added */
                { "YE", 4, LEVEL_NONE, 17 }, /* lowered */
        };
        _cleanup_advisory_list_ AdvisoryList l = {};
        Diff d = {};

        /* the document's order is not the store's */
        add(&l, "YE", 3, LEVEL_NONE);
        add(&l, "UA", 3, 4);
        add(&l, "NP", 2, 3);
        add(&l, "KZ", 3, LEVEL_NONE);
        add(&l, "ET", 2, LEVEL_NONE);
        add(&l, "CN", 2, LEVEL_NONE);
        add(&l, "XK", 2, LEVEL_NONE); /* new */
        assert_int_equal(diff_compute(prev, ELEMENTSOF(prev), &l, &d), 0);

        assert_int_equal(d.n, 7);
        assert_int_equal(d.n_known, 7);
        assert_int_equal(d.n_baseline, 1);
        assert_int_equal(d.n_unchanged, 2);
        assert_int_equal(d.n_changed, 4);

        assert_int_equal(entry_for(&d, "CN")->kind, DIFF_UNCHANGED);
        assert_int_equal(entry_for(&d, "NP")->kind, DIFF_UNCHANGED);
        assert_int_equal(entry_for(&d, "KZ")->kind, DIFF_CHANGED);
        assert_int_equal(entry_for(&d, "YE")->kind, DIFF_CHANGED);
        assert_int_equal(entry_for(&d, "UA")->kind, DIFF_CHANGED);
        assert_int_equal(entry_for(&d, "ET")->kind, DIFF_CHANGED);
        assert_int_equal(entry_for(&d, "XK")->kind, DIFF_BASELINE);
        assert_null(entry_for(&d, "XK")->previous);

        /* previous points at the right stored row: the store extends or follows that period */
        assert_ptr_equal(entry_for(&d, "KZ")->previous, &prev[3]);
        assert_int_equal(entry_for(&d, "KZ")->previous->period, 14);
        assert_ptr_equal(entry_for(&d, "CN")->previous, &prev[1]);
        assert_ptr_equal(entry_for(&d, "YE")->previous, &prev[6]);
        assert_ptr_equal(entry_for(&d, "ET")->previous, &prev[2]);
        diff_done(&d);
}

/* A regional level that is not above the level is no regional level (advisory_list_add drops
 * it), so it cannot make a change on its own. */
static void test_regional_not_above_level(void **state _unused_) {
        static const StoredState prev[] = { { "KZ", 3, LEVEL_NONE, 1 } };
        _cleanup_advisory_list_ AdvisoryList l = {};
        Diff d = {};

        add(&l, "KZ", 3, 3);
        assert_int_equal(diff_compute(prev, 1, &l, &d), 0);
        assert_int_equal(d.n_unchanged, 1);
        assert_int_equal(d.n_changed, 0);
        diff_done(&d);
}

static void test_change_share(void **state _unused_) {
        StoredState prev[10];
        _cleanup_advisory_list_ AdvisoryList l = {};
        Diff d = {};

        for (size_t i = 0; i < ELEMENTSOF(prev); i++) {
                prev[i] = (StoredState) { .level = 1, .period = (int64_t) i + 1 };
                snprintf(prev[i].country, sizeof(prev[i].country), "A%c", (char) ('A' + i));
        }
        /* 3 of 10 known countries change; 2 unchanged; 5 are missing; 4 are new */
        add(&l, "AA", 2, LEVEL_NONE);
        add(&l, "AB", 1, 2);
        add(&l, "AC", 4, LEVEL_NONE);
        add(&l, "AD", 1, LEVEL_NONE);
        add(&l, "AE", 1, LEVEL_NONE);
        add(&l, "BA", 4, LEVEL_NONE);
        add(&l, "BB", 4, LEVEL_NONE);
        add(&l, "BC", 4, LEVEL_NONE);
        add(&l, "BD", 4, LEVEL_NONE);
        assert_int_equal(diff_compute(prev, ELEMENTSOF(prev), &l, &d), 0);
        assert_int_equal(d.n_changed, 3);
        assert_int_equal(d.n_baseline, 4);
        assert_int_equal(d.n_unchanged, 2);
        /* new countries are not changes; missing ones still count as known */
        assert_float_equal(diff_change_share(&d), 0.3, 1e-9);
        diff_done(&d);

        /* every known country changed */
        advisory_list_clear(&l);
        for (size_t i = 0; i < ELEMENTSOF(prev); i++)
                add(&l, prev[i].country, 4, LEVEL_NONE);
        assert_int_equal(diff_compute(prev, ELEMENTSOF(prev), &l, &d), 0);
        assert_float_equal(diff_change_share(&d), 1.0, 1e-9);
        diff_done(&d);

        /* an empty document changes nothing */
        advisory_list_clear(&l);
        assert_int_equal(diff_compute(prev, ELEMENTSOF(prev), &l, &d), 0);
        assert_int_equal(d.n, 0);
        assert_int_equal(d.n_known, 10);
        assert_true(diff_change_share(&d) == 0.0);
        diff_done(&d);
}

static void test_direction(void **state _unused_) {
        static const struct {
                int previous_level, previous_regional, level, regional;
                const char *want;
        } cases[] = {
                { 1, LEVEL_NONE, 3, LEVEL_NONE, "raised" },
                { 3, LEVEL_NONE, 1, LEVEL_NONE, "lowered" },
                { 1, LEVEL_NONE, 2, LEVEL_NONE, "raised" },
                { 4, LEVEL_NONE, 3, LEVEL_NONE, "lowered" },
                /* the level decides, whatever the regional level does */
                { 2, 4, 3, LEVEL_NONE, "raised" },
                { 3, LEVEL_NONE, 2, 4, "lowered" },
                { 2, 3, 3, 4, "raised" },
                /* same level: the regional level decides */
                { 2, LEVEL_NONE, 2, 4, "raised" },
                { 2, 3, 2, 4, "raised" },
                { 2, 4, 2, 3, "lowered" },
                { 2, 4, 2, LEVEL_NONE, "lowered" },
                { 1, 3, 1, LEVEL_NONE, "lowered" },
                /* nothing moved */
                { 2, 3, 2, 3, "changed" },
                { 1, LEVEL_NONE, 1, LEVEL_NONE, "changed" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *got = diff_direction(cases[i].previous_level,
                                                 cases[i].previous_regional, cases[i].level,
                                                 cases[i].regional);
                if (!streq(got, cases[i].want))
                        fail_msg("diff_direction(%d, %d, %d, %d) = %s, want %s",
                                 cases[i].previous_level, cases[i].previous_regional,
                                 cases[i].level, cases[i].regional, got, cases[i].want);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_baseline),
                cmocka_unit_test(test_kinds),
                cmocka_unit_test(test_regional_not_above_level),
                cmocka_unit_test(test_change_share),
                cmocka_unit_test(test_direction),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
