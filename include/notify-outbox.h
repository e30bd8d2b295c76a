/* notify-outbox.h: the outbox queries of the notifier that the store does not offer: a digest's
 * group of rows, holding rows back until a digest window closes, marking several rows in one
 * transaction, the next attempt after a dispatch, and what the governments currently advise
 * (for the cross-government view of an e-mail). SQL through store_prepare() only. */
#pragma once

#include "mail-compose.h"
#include "store.h"
#include "timeutil.h"

/* The oldest pending change rows of a notifier that fall into one digest window: those created
 * less than `window` after the oldest one, at most max, oldest first. ret_ready_at: when the
 * group may be sent (the window closed and every row's back-off passed). *ret_n may be 0. */
int notify_outbox_digest_group(Store *s, const char *notifier, usec_t window, size_t max,
                               OutboxItem **ret, size_t *ret_n, time_t *ret_ready_at);
/* Holds every pending change row of a notifier back until `until` (not an attempt). */
int notify_outbox_defer(Store *s, const char *notifier, time_t until);
/* The earliest next attempt of a pending row after `after`; 0 when there is none. */
int notify_outbox_next_due_after(Store *s, time_t after, time_t *ret);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on the store's connection. */
int notify_outbox_begin(Store *s);
int notify_outbox_end(Store *s, bool commit);

/* The current period of every source in `sources` (NULL: any) for each of the countries,
 * sorted by country and source. */
int notify_outbox_current_advice(Store *s, char *const *countries, char *const *sources,
                                 GovernmentAdvice **ret, size_t *ret_n);
