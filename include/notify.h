/* notify.h: routing of events to notifiers (pure), and the dispatcher that delivers outbox rows
 * through their channels, retrying with exponential back-off until retry_max_age. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "curl-glue.h"
#include "store.h"

/* Does this notifier want this event? For changes, min_level is met when the old or new level or
 * regional level reaches it. */
bool notify_wants(const NotifyConfig *n, OutboxEvent event, const char *source, const Change *c);
/* A StoreRouter over a Config (userdata). */
int notify_route(void *userdata, OutboxEvent event, const char *source, const Change *c,
                 char ***ret);

/* Delay before attempt number `attempts + 1`: 30 s doubling up to 1 h, ±10 % jitter. */
usec_t notify_retry_delay(unsigned attempts, unsigned random);

typedef struct Dispatcher Dispatcher;

/* What a channel gets to deliver one outbox row, or (an e-mail digest) several rows at once. */
typedef struct Delivery {
        const OutboxItem *item; /* the row; for a digest the oldest, whose id names the group */
        const Change *change;   /* NULL for source events */
        const NotifyConfig *config; /* borrowed for the call only: a reload may free it */
        /* every row and its change, oldest first; for a single row, item and change */
        const OutboxItem *items;
        const Change *changes;
        size_t n_items;
} Delivery;

/* A channel returns 0 when delivered, 1 when it started an asynchronous delivery (after
 * dispatcher_attach(); it later calls dispatcher_complete()), or a negative errno with the
 * reason in err. -EPERM means retrying cannot help. */
typedef int (*NotifyDeliverFn)(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);
/* Aborts an asynchronous delivery and frees it, without completing it (the rows stay pending). */
typedef void (*NotifyCancelFn)(void *job);

int notify_journal_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);
int notify_syslog_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);
int notify_email_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);
int notify_webhook_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);
int notify_exec_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);

/* glue: the daemon's libcurl multi handle, for e-mail over SMTP and webhooks. */
int dispatcher_new(Dispatcher **ret, sd_event *event, Store *store, CurlGlue *glue,
                   const Config *config);
Dispatcher *dispatcher_free(Dispatcher *d);
/* Reload: notifiers are looked up by name in the new configuration. */
void dispatcher_set_config(Dispatcher *d, const Config *config);
/* Delivers what is due now; arms a timer for the next retry. */
int dispatcher_kick(Dispatcher *d);
/* No delivery in flight. */
bool dispatcher_idle(Dispatcher *d);
/* Called whenever the last delivery in flight has completed. */
void dispatcher_on_idle(Dispatcher *d, void (*fn)(void *userdata), void *userdata);
/* An asynchronous delivery of dl: job is cancelled (cancel(job)) if the dispatcher goes away
 * before dispatcher_complete() is called for dl->item->id. */
void dispatcher_attach(Dispatcher *d, const Delivery *dl, void *job, NotifyCancelFn cancel);
/* Completion of an asynchronous delivery (r as for NotifyDeliverFn); outbox_id is dl->item->id.
 * Every row of the delivery is recorded; the channel must not touch job afterwards. */
void dispatcher_complete(Dispatcher *d, int64_t outbox_id, int r, const char *error);
sd_event *dispatcher_event(Dispatcher *d);
Store *dispatcher_store(Dispatcher *d);
CurlGlue *dispatcher_glue(Dispatcher *d);
const Config *dispatcher_config(Dispatcher *d);
