/* diff.h: pure comparison of a document's records with the last known state of its source.
 * A change is a different level or regional_level; a country seen for the first time is a silent
 * baseline; the rest are unchanged (their wording may still have been edited). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "advisory.h"

typedef struct StoredState {
        char country[3];
        int level;
        int regional_level; /* LEVEL_NONE for null */
        int64_t period;     /* the store's row for the current period */
} StoredState;

typedef enum DiffKind {
        DIFF_BASELINE,  /* no previous state */
        DIFF_UNCHANGED, /* same level and regional level */
        DIFF_CHANGED,
} DiffKind;

typedef struct DiffEntry {
        const Advisory *record; /* borrowed from the AdvisoryList */
        DiffKind kind;
        const StoredState *previous; /* borrowed; NULL for a baseline */
} DiffEntry;

typedef struct Diff {
        DiffEntry *entries;
        size_t n;
        size_t n_baseline, n_unchanged, n_changed;
        size_t n_known; /* countries the source had a state for before this document */
} Diff;

/* prev must be sorted by country (the store returns it so). Borrows from prev and records. */
int diff_compute(const StoredState *prev, size_t n_prev, const AdvisoryList *records, Diff *ret);
void diff_done(Diff *d);

/* Share (0..1) of the source's known countries that this document would change. */
double diff_change_share(const Diff *d);

/* "raised" or "lowered": by the level when it moved, else by the strongest advice (the regional
 * level, or the level when there is none); "changed" when neither moved. */
const char *diff_direction(int previous_level, int previous_regional, int level, int regional);
