/* notify.c: routing (pure) and the outbox dispatcher. The dispatcher reads due rows, hands each to
 * its notifier's channel, and records the outcome: delivered, or retried later with back-off, or
 * failed for good once retry_max_age has passed. Rows stay 'pending' in the database while a
 * delivery is in flight, so a crash at any point leaves them to be delivered again.
 *
 * E-mail notifiers with a digest window collect their change rows: the rows wait until the
 * window since the oldest pending one has closed and then go out as one message; they are
 * recorded together. Asynchronous deliveries (SMTP, webhooks, programs) are tracked as jobs
 * keyed by their first row, cancelled if the dispatcher goes away first. */
#include "notify.h"

#include <assert.h>
#include <sys/random.h>

#include "change.h"
#include "exec-job.h"
#include "log.h"
#include "notify-outbox.h"

#define OUTBOX_BATCH 64
#define DIGEST_MAX 200 /* changes in one digest message; more go into the next */
/* Deliveries in flight per notifier: a backlog after an outage does not open 64 SMTP
 * connections or start 64 programs at once. */
#define NOTIFIER_PARALLEL 4
#define RETRY_FIRST (30 * USEC_PER_SEC)
#define RETRY_MAX USEC_PER_HOUR

/* One delivery in flight: its rows (ids[0] is the key), its notifier and the channel's job. */
typedef struct Inflight {
        int64_t *ids;
        size_t n_ids;
        char *notifier;
        void *job;
        NotifyCancelFn cancel;
} Inflight;

struct Dispatcher {
        sd_event *event;
        Store *store;
        CurlGlue *glue;
        const Config *config;
        sd_event_source *timer;
        Inflight *inflight;
        size_t n_inflight, allocated;
        /* delivered, but the database could not say so (disk full): not sent again while we run,
         * marked at the next kick that can write */
        int64_t *unmarked;
        size_t n_unmarked;
        bool kicking;
        void (*on_idle)(void *userdata);
        void *idle_userdata;
};

/* How soon to try again to mark deliveries the database could not record (seconds). */
#define UNMARKED_RETRY 30

static const NotifyDeliverFn channels[_NOTIFY_TYPE_MAX] = {
        [NOTIFY_JOURNAL] = notify_journal_deliver,
        [NOTIFY_SYSLOG] = notify_syslog_deliver,
        [NOTIFY_EMAIL] = notify_email_deliver,
        [NOTIFY_WEBHOOK] = notify_webhook_deliver,
        [NOTIFY_EXEC] = notify_exec_deliver,
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

Store *dispatcher_store(Dispatcher *d) {
        return d->store;
}

CurlGlue *dispatcher_glue(Dispatcher *d) {
        return d->glue;
}

const Config *dispatcher_config(Dispatcher *d) {
        return d->config;
}

static const NotifyConfig *dispatcher_notifier(Dispatcher *d, const char *name) {
        for (size_t i = 0; i < d->config->n_notifiers; i++)
                if (streq(d->config->notifiers[i].name, name))
                        return &d->config->notifiers[i];
        return NULL;
}

static bool dispatcher_unmarked(Dispatcher *d, int64_t id) {
        for (size_t i = 0; i < d->n_unmarked; i++)
                if (d->unmarked[i] == id)
                        return true;
        return false;
}

static void dispatcher_remember_unmarked(Dispatcher *d, const int64_t *ids, size_t n) {
        int64_t *a = realloc(d->unmarked, (d->n_unmarked + n) * sizeof(int64_t));

        if (!a) {
                log_oom(); /* then they may be sent again: at least once still holds */
                return;
        }
        d->unmarked = a;
        for (size_t i = 0; i < n; i++)
                if (!dispatcher_unmarked(d, ids[i]))
                        d->unmarked[d->n_unmarked++] = ids[i];
}

/* Tries again to mark what was delivered while the database could not be written. */
static void dispatcher_mark_unmarked(Dispatcher *d, time_t now) {
        size_t kept = 0;

        for (size_t i = 0; i < d->n_unmarked; i++)
                if (store_outbox_delivered(d->store, d->unmarked[i], now) < 0)
                        d->unmarked[kept++] = d->unmarked[i];
        d->n_unmarked = kept;
}

static bool dispatcher_in_flight(Dispatcher *d, int64_t id) {
        if (dispatcher_unmarked(d, id))
                return true;
        for (size_t i = 0; i < d->n_inflight; i++)
                for (size_t j = 0; j < d->inflight[i].n_ids; j++)
                        if (d->inflight[i].ids[j] == id)
                                return true;
        return false;
}

static unsigned dispatcher_in_flight_for(Dispatcher *d, const char *notifier) {
        unsigned n = 0;
        for (size_t i = 0; i < d->n_inflight; i++)
                n += streq(d->inflight[i].notifier, notifier);
        return n;
}

static Inflight *dispatcher_find(Dispatcher *d, int64_t key) {
        for (size_t i = 0; i < d->n_inflight; i++)
                if (d->inflight[i].ids[0] == key)
                        return &d->inflight[i];
        return NULL;
}

static int dispatcher_track(Dispatcher *d, const Delivery *dl) {
        int64_t *ids;

        if (d->n_inflight == d->allocated) {
                size_t n = MAX(d->allocated * 2, (size_t) 16);
                Inflight *a = realloc(d->inflight, n * sizeof(Inflight));
                if (!a)
                        return -ENOMEM;
                d->inflight = a;
                d->allocated = n;
        }
        char *notifier = strdup(dl->item->notifier);
        if (!notifier || !(ids = calloc(dl->n_items, sizeof(int64_t)))) {
                free(notifier);
                return -ENOMEM;
        }
        for (size_t i = 0; i < dl->n_items; i++)
                ids[i] = dl->items[i].id;
        d->inflight[d->n_inflight++] = (Inflight) { .ids = ids, .n_ids = dl->n_items,
                                                    .notifier = notifier };
        return 0;
}

/* Removes the entry (not its job); returns its ids, owned by the caller. */
static int64_t *dispatcher_untrack(Dispatcher *d, int64_t key, size_t *ret_n) {
        Inflight *f = dispatcher_find(d, key);
        int64_t *ids;

        if (!f)
                return NULL;
        ids = f->ids;
        *ret_n = f->n_ids;
        free(f->notifier);
        *f = d->inflight[--d->n_inflight];
        return ids;
}

void dispatcher_attach(Dispatcher *d, const Delivery *dl, void *job, NotifyCancelFn cancel) {
        Inflight *f = dispatcher_find(d, dl->item->id);
        assert(f);
        f->job = job;
        f->cancel = cancel;
}

/* Records the outcome of one delivery for all its rows in one transaction: delivered, or failed
 * with the same next attempt for every row (a digest stays together), or failed for good. first
 * is the oldest row; its age and attempts decide. */
static void dispatcher_record(Dispatcher *d, const OutboxItem *first, const int64_t *ids, size_t n,
                              int r, const char *error) {
        time_t now = time(NULL), next = 0;
        unsigned rnd = 0;
        bool give_up = false, tx;
        int k = 0;

        if (r < 0) {
                (void) getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK);
                next = now + (time_t) (notify_retry_delay(first->attempts, rnd) / USEC_PER_SEC);
                give_up = r == -EPERM || (usec_t) (now - first->created_at) * USEC_PER_SEC >=
                                                 d->config->daemon.retry_max_age;
        }
        tx = n > 1 && notify_outbox_begin(d->store) >= 0;
        for (size_t i = 0; i < n && k >= 0; i++)
                k = r >= 0 ? store_outbox_delivered(d->store, ids[i], now)
                           : store_outbox_attempt_failed(d->store, ids[i], error, give_up ? 0 : next);
        if (tx && k >= 0)
                k = notify_outbox_end(d->store, true);
        else if (tx)
                (void) notify_outbox_end(d->store, false);
        if (k < 0)
                log_warning_errno(k, "Failed to record the delivery of notification %lld: %s%s",
                                  (long long) first->id, store_error(d->store),
                                  r >= 0 ? "; it is marked later (after a restart it may be sent "
                                           "again)"
                                         : "");
        if (k < 0 && r >= 0)
                dispatcher_remember_unmarked(d, ids, n);
        if (r >= 0)
                return;
        if (give_up)
                /* catalogued: journalctl -x explains what to check */
                log_struct(LOG_ERR, MESSAGE_ID_NOTIFICATION_FAILED, first->source,
                           "Notification %lld to '%s' failed for good after %u attempts: %s",
                           (long long) first->id, first->notifier, first->attempts + 1,
                           strna(error));
        else
                log_warning("Notification %lld to '%s' failed: %s; retrying in %llds",
                            (long long) first->id, first->notifier, strna(error),
                            (long long) (next - now));
}

static void dispatcher_record_one(Dispatcher *d, const OutboxItem *o, int r, const char *error) {
        dispatcher_record(d, o, &o->id, 1, r, error);
}

/* Hands a delivery to its channel and records a synchronous outcome. */
static void dispatcher_run(Dispatcher *d, const Delivery *dl) {
        char err[512] = "";
        int r;

        r = dispatcher_track(d, dl);
        if (r < 0) {
                log_oom();
                return;
        }
        if (channels[dl->config->type])
                r = channels[dl->config->type](d, dl, err, sizeof(err));
        else {
                snprintf(err, sizeof(err), "channel %s not available",
                         notify_type_to_string(dl->config->type));
                r = -EPERM;
        }
        if (r == 1) {
                assert(dispatcher_find(d, dl->item->id)->job);
                return;
        }
        size_t n = 0;
        free(dispatcher_untrack(d, dl->item->id, &n));
        int64_t ids[DIGEST_MAX];
        for (size_t i = 0; i < dl->n_items; i++)
                ids[i] = dl->items[i].id;
        dispatcher_record(d, dl->item, ids, dl->n_items, r, err);
}

static void changes_done(Change *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                change_done(&c[i]);
}

/* A digest notifier's change row is due: send the oldest window of its rows as one message when
 * the window has closed, else hold them back until it does. Returns false when nothing could be
 * done now (the group is in flight already). */
static bool dispatcher_deliver_digest(Dispatcher *d, const NotifyConfig *n) {
        _cleanup_free_ OutboxItem *items = NULL;
        Change changes[DIGEST_MAX] = {};
        size_t count = 0, loaded = 0;
        time_t ready_at = 0;
        int r;

        r = notify_outbox_digest_group(d->store, n->name, n->digest, DIGEST_MAX, &items, &count,
                                       &ready_at);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the digest of '%s': %s", n->name,
                                  store_error(d->store));
                return false;
        }
        bool busy = false;
        for (size_t i = 0; i < count; i++)
                busy = busy || dispatcher_in_flight(d, items[i].id);
        if (count > 0 && !busy && time(NULL) < ready_at) {
                r = notify_outbox_defer(d->store, n->name, ready_at);
                if (r < 0)
                        log_warning_errno(r, "Failed to hold back the digest of '%s': %s", n->name,
                                          store_error(d->store));
        } else if (count > 0 && !busy) {
                /* a row whose change is gone cannot be told: it fails alone */
                for (size_t i = 0; i < count; i++) {
                        r = store_load_change(d->store, items[i].change_id, &changes[loaded]);
                        if (r < 0)
                                dispatcher_record_one(d, &items[i], r == -ENOENT ? -EPERM : r,
                                                      "cannot load the change");
                        else {
                                OutboxItem t = items[loaded];
                                items[loaded++] = items[i];
                                items[i] = t;
                        }
                }
                if (loaded > 0)
                        dispatcher_run(d, &(Delivery) { .item = &items[0], .change = &changes[0],
                                                        .config = n, .items = items,
                                                        .changes = changes, .n_items = loaded });
        }
        changes_done(changes, loaded);
        for (size_t i = 0; i < count; i++)
                outbox_item_done(&items[i]);
        return count > 0 && !busy;
}

/* Returns whether the row was dealt with (delivered, failed, started, or held back). */
static bool dispatcher_deliver_one(Dispatcher *d, const OutboxItem *o) {
        const NotifyConfig *n = dispatcher_notifier(d, o->notifier);
        Change change = {};
        int r;

        if (!n) {
                dispatcher_record_one(d, o, -EPERM, "notifier no longer in the configuration");
                return true;
        }
        if (dispatcher_in_flight_for(d, n->name) >= NOTIFIER_PARALLEL)
                return false; /* a completion kicks again */
        if (n->type == NOTIFY_EMAIL && n->digest > 0 && o->event == OUTBOX_CHANGE)
                return dispatcher_deliver_digest(d, n);
        if (o->change_id > 0 && (r = store_load_change(d->store, o->change_id, &change)) < 0) {
                dispatcher_record_one(d, o, r == -ENOENT ? -EPERM : r, "cannot load the change");
                return true;
        }
        dispatcher_run(d, &(Delivery) { .item = o, .change = o->change_id > 0 ? &change : NULL,
                                        .config = n, .items = o, .changes = &change,
                                        .n_items = 1 });
        change_done(&change);
        return true;
}

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) dispatcher_kick(userdata);
        return 0;
}

/* After a kick every row due at `now` was dealt with or is in flight (its completion kicks
 * again): the timer is for the first row due later. `more`: the kick stopped early. */
static int dispatcher_arm(Dispatcher *d, time_t now, bool more) {
        time_t next = 0;
        int r = more ? 0 : notify_outbox_next_due_after(d->store, now, &next);

        if (d->n_unmarked > 0 && !more && (next == 0 || next > now + UNMARKED_RETRY))
                next = now + UNMARKED_RETRY; /* try to mark them again */
        if (r < 0 || (!more && next == 0))
                return sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
        r = sd_event_source_set_time(d->timer, (uint64_t) (more ? now : next) * USEC_PER_SEC);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

int dispatcher_kick(Dispatcher *d) {
        time_t now = time(NULL);
        bool more = true;
        int r = 0;

        if (d->kicking)
                return 0;
        d->kicking = true;
        dispatcher_mark_unmarked(d, now);
        for (unsigned round = 0; round < 64 && more; round++) {
                OutboxItem *items = NULL;
                size_t n = 0, handled = 0;

                r = store_outbox_due(d->store, now, OUTBOX_BATCH + d->n_inflight, &items, &n);
                if (r < 0) {
                        log_warning_errno(r, "Failed to read the outbox: %s", store_error(d->store));
                        break;
                }
                for (size_t i = 0; i < n; i++) {
                        if (!dispatcher_in_flight(d, items[i].id))
                                handled += dispatcher_deliver_one(d, &items[i]);
                        outbox_item_done(&items[i]);
                }
                free(items);
                more = handled > 0;
        }
        d->kicking = false;
        (void) dispatcher_arm(d, now, r >= 0 && more);
        return r;
}

void dispatcher_complete(Dispatcher *d, int64_t outbox_id, int r, const char *error) {
        _cleanup_free_ int64_t *ids = NULL;
        OutboxItem first = {};
        size_t n = 0;

        ids = dispatcher_untrack(d, outbox_id, &n);
        if (!ids)
                return;
        /* re-read the oldest row: attempts and created_at decide about back-off */
        if (store_outbox_get(d->store, outbox_id, &first) >= 0)
                dispatcher_record(d, &first, ids, n, r, error);
        outbox_item_done(&first);
        /* rows held behind this delivery (a digest's next window) may go now */
        (void) dispatcher_kick(d);
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

int dispatcher_new(Dispatcher **ret, sd_event *event, Store *store, CurlGlue *glue,
                   const Config *config) {
        Dispatcher *d = calloc(1, sizeof(Dispatcher));
        int r;

        if (!d)
                return -ENOMEM;
        *d = (Dispatcher) { .event = sd_event_ref(event), .store = store, .glue = glue,
                            .config = config };
        /* exec and sendmail run children, watched by sd-event child sources */
        r = exec_job_prepare();
        if (r >= 0)
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
        /* deliveries in flight are abandoned: their rows stay pending for the next start */
        for (size_t i = 0; i < d->n_inflight; i++) {
                if (d->inflight[i].cancel)
                        d->inflight[i].cancel(d->inflight[i].job);
                free(d->inflight[i].ids);
                free(d->inflight[i].notifier);
        }
        free(d->inflight);
        free(d->unmarked);
        sd_event_source_disable_unref(d->timer);
        sd_event_unref(d->event);
        free(d);
        return NULL;
}
