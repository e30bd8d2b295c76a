/* notify.h: routing of events to notifiers (pure), and the dispatcher that delivers outbox rows
 * through their channels, retrying with exponential back-off until retry_max_age. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "config.h"
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

/* What a channel gets to deliver one outbox row. */
typedef struct Delivery {
        const OutboxItem *item;
        const Change *change; /* NULL for source events */
        const NotifyConfig *config;
} Delivery;

/* A channel returns 0 when delivered, 1 when it started an asynchronous delivery (and later
 * calls dispatcher_complete()), or a negative errno with the reason in err. -EPERM (or any
 * error with *ret_permanent set) means retrying cannot help. */
typedef int (*NotifyDeliverFn)(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);

int notify_journal_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);
int notify_syslog_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen);

int dispatcher_new(Dispatcher **ret, sd_event *event, Store *store, const Config *config);
Dispatcher *dispatcher_free(Dispatcher *d);
/* Reload: notifiers are looked up by name in the new configuration. */
void dispatcher_set_config(Dispatcher *d, const Config *config);
/* Delivers what is due now; arms a timer for the next retry. */
int dispatcher_kick(Dispatcher *d);
/* No delivery in flight. */
bool dispatcher_idle(Dispatcher *d);
/* Called whenever the last delivery in flight has completed. */
void dispatcher_on_idle(Dispatcher *d, void (*fn)(void *userdata), void *userdata);
/* Completion of an asynchronous delivery (r as for NotifyDeliverFn). */
void dispatcher_complete(Dispatcher *d, int64_t outbox_id, int r, const char *error);
sd_event *dispatcher_event(Dispatcher *d);
