/* guard.c: hold back documents that change too many countries at once. */
#include "guard.h"

#include <inttypes.h>
#include <stdio.h>

#include "util.h"

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
        const unsigned char *c = p;
        for (size_t i = 0; i < n; i++) {
                h ^= c[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

uint64_t guard_fingerprint(const Diff *d) {
        uint64_t h = 0xcbf29ce484222325ULL;

        /* entries follow the extractor's record order, which is sorted by country */
        for (size_t i = 0; i < d->n; i++) {
                const DiffEntry *e = &d->entries[i];
                unsigned char levels[2] = { (unsigned char) e->record->level,
                                            (unsigned char) e->record->regional_level };
                if (e->kind != DIFF_CHANGED)
                        continue;
                h = fnv1a(h, e->record->country, 2);
                h = fnv1a(h, levels, sizeof(levels));
        }
        return h ? h : 1; /* 0 means "nothing held" */
}

static bool guard_suspicious(const GuardSettings *s, const Diff *d) {
        return d->n_known >= GUARD_MIN_KNOWN && d->n_changed > 0 &&
               diff_change_share(d) > s->threshold;
}

GuardVerdict guard_check(const GuardSettings *s, GuardState *state, const Diff *d) {
        uint64_t fp;

        if (!guard_suspicious(s, d)) {
                *state = (GuardState) {};
                return GUARD_PASS;
        }
        fp = guard_fingerprint(d);
        if (state->accepted == fp || (state->fingerprint == fp && state->seen >= s->confirmations)) {
                *state = (GuardState) {};
                return GUARD_CONFIRMED;
        }
        if (state->fingerprint != fp) {
                *state = (GuardState) { .fingerprint = fp, .seen = 1, .accepted = state->accepted };
                return GUARD_HOLD_NEW;
        }
        state->seen++;
        return GUARD_HOLD;
}

int guard_state_parse(const char *s, GuardState *ret) {
        uint64_t fp, accepted;
        unsigned seen;

        if (!s || sscanf(s, "%" SCNx64 " %u %" SCNx64, &fp, &seen, &accepted) != 3)
                return -EINVAL;
        *ret = (GuardState) { .fingerprint = fp, .seen = seen, .accepted = accepted };
        return 0;
}

char *guard_state_format(const GuardState *s) {
        return strprintf("%016" PRIx64 " %u %016" PRIx64, s->fingerprint, s->seen, s->accepted);
}
