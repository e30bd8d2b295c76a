/* diff.c: previous state + new records → changes. Pure. */
#include "diff.h"

static int state_compare(const void *key, const void *elem) {
        return strcmp(key, ((const StoredState *) elem)->country);
}

int diff_compute(const StoredState *prev, size_t n_prev, const AdvisoryList *records, Diff *ret) {
        Diff d = { .n_known = n_prev };

        if (records->n > 0 && !(d.entries = calloc(records->n, sizeof(DiffEntry))))
                return -ENOMEM;
        for (size_t i = 0; i < records->n; i++) {
                const Advisory *a = &records->items[i];
                const StoredState *p =
                        n_prev ? bsearch(a->country, prev, n_prev, sizeof(StoredState), state_compare)
                               : NULL;
                DiffEntry *e = &d.entries[d.n++];

                *e = (DiffEntry) { .record = a, .previous = p };
                if (!p) {
                        e->kind = DIFF_BASELINE;
                        d.n_baseline++;
                } else if (p->level == a->level && p->regional_level == a->regional_level) {
                        e->kind = DIFF_UNCHANGED;
                        d.n_unchanged++;
                } else {
                        e->kind = DIFF_CHANGED;
                        d.n_changed++;
                }
        }
        *ret = d;
        return 0;
}

void diff_done(Diff *d) {
        free(d->entries);
        *d = (Diff) {};
}

double diff_change_share(const Diff *d) {
        return d->n_known ? (double) d->n_changed / (double) d->n_known : 0.0;
}

const char *diff_direction(int previous_level, int previous_regional, int level, int regional) {
        int before = MAX(previous_level, previous_regional), after = MAX(level, regional);

        if (level != previous_level)
                return level > previous_level ? "raised" : "lowered";
        if (after != before)
                return after > before ? "raised" : "lowered";
        return "changed";
}
