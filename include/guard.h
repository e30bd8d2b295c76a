/* guard.h: the mass-change guard. A document that would change an implausible share of a
 * source's countries at once is more likely a broken page or extractor than a real worldwide
 * move: it is held back until the same result has been seen on `confirmations` further polls (or
 * an operator accepts it). Pure: the caller keeps the GuardState between polls. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "diff.h"

/* Sources that know fewer countries are never held: a share means little there. */
#define GUARD_MIN_KNOWN 10

typedef struct GuardSettings {
        double threshold;       /* share of known countries, 0..1 (0.3) */
        unsigned confirmations; /* further identical results before accepting (2) */
} GuardSettings;

typedef struct GuardState {
        uint64_t fingerprint; /* of the held result; 0: nothing held */
        unsigned seen;        /* how many polls gave it */
        uint64_t accepted;    /* an operator accepted this fingerprint */
} GuardState;

typedef enum GuardVerdict {
        GUARD_PASS,     /* record it (and forget what was held) */
        GUARD_HOLD_NEW, /* hold it: a new suspicious result (raise one event) */
        GUARD_HOLD,     /* hold it: the same suspicious result again, not yet confirmed */
        GUARD_CONFIRMED, /* record it: seen often enough, or accepted */
} GuardVerdict;

/* Identifies a document's result by its changes: (country, level, regional level), in order. */
uint64_t guard_fingerprint(const Diff *d);
/* Decides about d and updates state. */
GuardVerdict guard_check(const GuardSettings *s, GuardState *state, const Diff *d);

/* "fingerprint seen accepted" as stored in the database, and back. */
int guard_state_parse(const char *s, GuardState *ret);
char *guard_state_format(const GuardState *s);
