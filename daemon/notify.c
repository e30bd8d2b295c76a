/* notify.c: routing (pure) and the outbox dispatcher. The dispatcher reads due rows, hands each to
 * its notifier's channel, and records the outcome: delivered, or retried later with back-off, or
 * failed for good once retry_max_age has passed. Rows stay 'pending' in the database while a
 * delivery is in flight, so a crash at any point leaves them to be delivered again. */
#include "notify.h"

#include <sys/random.h>

#include "change.h"
#include "log.h"

#define OUTBOX_BATCH 64
#define RETRY_FIRST (30 * USEC_PER_SEC)
#define RETRY_MAX USEC_PER_HOUR

struct Dispatcher {
        sd_event *event;
        Store *store;
        const Config *config;
        sd_event_source *timer;
        int64_t *inflight;
        size_t n_inflight, allocated;
        bool kicking;
        void (*on_idle)(void *userdata);
        void *idle_userdata;
};

static const NotifyDeliverFn channels[_NOTIFY_TYPE_MAX] = {
        [NOTIFY_JOURNAL] = notify_journal_deliver,
        [NOTIFY_SYSLOG] = notify_syslog_deliver,
};

/* ---- routing ---- */

static bool change_reaches(const Change *c, int min_level) {
        return c->level >= min_level || c->previous_level >= min_level ||
               c->regional_level >= min_level || c->previous_regional_level >= min_level;
}

bool notify_wants(const NotifyConfig *n, OutboxEvent event, const char *source, const Change *c) {
        static const unsigned masks[_OUTBOX_EVENT_MAX] = {
                [OUTBOX_CHANGE] = NOTIFY_EVENT_CHANGE,
                [OUTBOX_SOURCE_FAILING] = NOTIFY_EVENT_SOURCE_FAILING,
                [OUTBOX_SOURCE_RECOVERED] = NOTIFY_EVENT_SOURCE_RECOVERED,
        };

        if (!(n->events & masks[event]))
                return false;
        if (n->sources && !strv_contains(n->sources, source))
                return false;
        if (event != OUTBOX_CHANGE)
                return true;
        if (n->countries && !strv_contains(n->countries, c->country))
                return false;
        return change_reaches(c, n->min_level);
}

int notify_route(void *userdata, OutboxEvent event, const char *source, const Change *c,
                 char ***ret) {
        const Config *config = userdata;
        _cleanup_strv_free_ char **names = NULL;

        for (size_t i = 0; i < config->n_notifiers; i++)
                if (notify_wants(&config->notifiers[i], event, source, c) &&
                    strv_extend(&names, config->notifiers[i].name) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(names);
        return 0;
}

usec_t notify_retry_delay(unsigned attempts, unsigned random) {
        usec_t d = RETRY_FIRST;
        for (unsigned i = 0; i < attempts && d < RETRY_MAX; i++)
                d *= 2;
        d = MIN(d, RETRY_MAX);
        /* ±10 %, so that many rows failing together do not retry together */
        return d - d / 10 + (d / 5) * (random % 1000) / 1000;
}

/* ---- dispatcher ---- */

sd_event *dispatcher_event(Dispatcher *d) {
        return d->event;
}

static const NotifyConfig *dispatcher_notifier(Dispatcher *d, const char *name) {
        for (size_t i = 0; i < d->config->n_notifiers; i++)
                if (streq(d->config->notifiers[i].name, name))
                        return &d->config->notifiers[i];
        return NULL;
}

static bool dispatcher_in_flight(Dispatcher *d, int64_t id) {
        for (size_t i = 0; i < d->n_inflight; i++)
                if (d->inflight[i] == id)
                        return true;
        return false;
}

static int dispatcher_track(Dispatcher *d, int64_t id) {
        if (d->n_inflight == d->allocated) {
                size_t n = MAX(d->allocated * 2, (size_t) 16);
                int64_t *a = realloc(d->inflight, n * sizeof(int64_t));
                if (!a)
                        return -ENOMEM;
                d->inflight = a;
                d->allocated = n;
        }
        d->inflight[d->n_inflight++] = id;
        return 0;
}

static void dispatcher_untrack(Dispatcher *d, int64_t id) {
        for (size_t i = 0; i < d->n_inflight; i++)
                if (d->inflight[i] == id) {
                        d->inflight[i] = d->inflight[--d->n_inflight];
                        return;
                }
}

static void dispatcher_record(Dispatcher *d, const OutboxItem *o, int r, const char *error) {
        time_t now = time(NULL);
        int k;

        if (r >= 0) {
                k = store_outbox_delivered(d->store, o->id, now);
                if (k < 0)
                        log_warning_errno(k, "Failed to mark notification %lld delivered: %s, "
                                             "it may be sent again",
                                          (long long) o->id, store_error(d->store));
                return;
        }
        unsigned rnd = 0;
        (void) getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK);
        time_t next = now + (time_t) (notify_retry_delay(o->attempts, rnd) / USEC_PER_SEC);
        bool give_up = r == -EPERM ||
                       (usec_t) (now - o->created_at) * USEC_PER_SEC >= d->config->daemon.retry_max_age;
        k = store_outbox_attempt_failed(d->store, o->id, error, give_up ? 0 : next);
        if (k < 0)
                log_warning_errno(k, "Failed to record a failed delivery: %s", store_error(d->store));
        if (give_up)
                log_error("Notification %lld to '%s' failed for good after %u attempts: %s",
                          (long long) o->id, o->notifier, o->attempts + 1, strna(error));
        else
                log_warning("Notification %lld to '%s' failed: %s; retrying in %llds",
                            (long long) o->id, o->notifier, strna(error), (long long) (next - now));
}

static void dispatcher_deliver_one(Dispatcher *d, const OutboxItem *o) {
        const NotifyConfig *n = dispatcher_notifier(d, o->notifier);
        Change change = {};
        char err[512] = "";
        int r;

        if (!n) {
                dispatcher_record(d, o, -EPERM, "notifier no longer in the configuration");
                return;
        }
        if (o->change_id > 0 && (r = store_load_change(d->store, o->change_id, &change)) < 0) {
                dispatcher_record(d, o, r == -ENOENT ? -EPERM : r, "cannot load the change");
                return;
        }
        Delivery dl = { .item = o, .change = o->change_id > 0 ? &change : NULL, .config = n };
        r = channels[n->type] ? channels[n->type](d, &dl, err, sizeof(err))
                              : (snprintf(err, sizeof(err), "channel %s not available",
                                          notify_type_to_string(n->type)),
                                 -EPERM);
        change_done(&change);
        if (r == 1) {
                if (dispatcher_track(d, o->id) < 0)
                        log_oom();
                return;
        }
        dispatcher_record(d, o, r, err);
}

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) dispatcher_kick(userdata);
        return 0;
}

static int dispatcher_arm(Dispatcher *d) {
        time_t next = 0;
        int r = store_outbox_next_due(d->store, &next);

        if (r < 0 || next == 0)
                return sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
        r = sd_event_source_set_time(d->timer, (uint64_t) MAX(next, time(NULL)) * USEC_PER_SEC);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

int dispatcher_kick(Dispatcher *d) {
        int r = 0;

        if (d->kicking)
                return 0;
        d->kicking = true;
        for (unsigned round = 0; round < 64; round++) {
                OutboxItem *items = NULL;
                size_t n = 0, handled = 0;

                r = store_outbox_due(d->store, time(NULL), OUTBOX_BATCH + d->n_inflight, &items, &n);
                if (r < 0) {
                        log_warning_errno(r, "Failed to read the outbox: %s", store_error(d->store));
                        break;
                }
                for (size_t i = 0; i < n; i++) {
                        if (!dispatcher_in_flight(d, items[i].id)) {
                                dispatcher_deliver_one(d, &items[i]);
                                handled++;
                        }
                        outbox_item_done(&items[i]);
                }
                free(items);
                if (handled == 0)
                        break;
        }
        d->kicking = false;
        (void) dispatcher_arm(d);
        return r;
}

void dispatcher_complete(Dispatcher *d, int64_t outbox_id, int r, const char *error) {
        OutboxItem o = {};

        dispatcher_untrack(d, outbox_id);
        /* re-read the row: attempts and created_at decide about back-off */
        if (store_outbox_get(d->store, outbox_id, &o) >= 0)
                dispatcher_record(d, &o, r, error);
        outbox_item_done(&o);
        (void) dispatcher_arm(d);
        if (d->n_inflight == 0 && d->on_idle)
                d->on_idle(d->idle_userdata);
}

void dispatcher_on_idle(Dispatcher *d, void (*fn)(void *userdata), void *userdata) {
        d->on_idle = fn;
        d->idle_userdata = userdata;
}

bool dispatcher_idle(Dispatcher *d) {
        return d->n_inflight == 0;
}

void dispatcher_set_config(Dispatcher *d, const Config *config) {
        d->config = config;
}

int dispatcher_new(Dispatcher **ret, sd_event *event, Store *store, const Config *config) {
        Dispatcher *d = calloc(1, sizeof(Dispatcher));
        int r;

        if (!d)
                return -ENOMEM;
        *d = (Dispatcher) { .event = sd_event_ref(event), .store = store, .config = config };
        r = sd_event_add_time(event, &d->timer, CLOCK_REALTIME, UINT64_MAX, USEC_PER_SEC,
                              on_retry_timer, d);
        if (r < 0) {
                dispatcher_free(d);
                return r;
        }
        (void) sd_event_source_set_description(d->timer, "outbox-retry");
        (void) sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
        *ret = d;
        return 0;
}

Dispatcher *dispatcher_free(Dispatcher *d) {
        if (!d)
                return NULL;
        sd_event_source_disable_unref(d->timer);
        sd_event_unref(d->event);
        free(d->inflight);
        free(d);
        return NULL;
}
