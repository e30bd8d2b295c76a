/* manager.c: the daemon's owner object. One poller per enabled source, each with one CLOCK_BOOTTIME
 * timer; a poll's outcome updates the source's health and decides when the next poll runs
 * (interval plus jitter, or exponential back-off while failing, never before Retry-After). */
#include "manager.h"

#include <sys/random.h>
#include <systemd/sd-daemon.h>

#include "change.h"
#include "curl-glue.h"
#include "fetch.h"
#include "log.h"
#include "notify.h"
#include "poll.h"
#include "source.h"
#include "store.h"

#define BACKOFF_FIRST (60 * USEC_PER_SEC)
#define START_SPREAD (10 * USEC_PER_SEC)

typedef struct Poller {
        Manager *manager;
        const SourceConfig *config;
        const SourceType *type;
        sd_event_source *timer;
        Poll *poll;
        unsigned failures; /* consecutive failed polls, for back-off */
        time_t next;       /* wall clock of the next poll, for status */
} Poller;

struct Manager {
        sd_event *event;
        Config *config;
        ManagerOptions options;
        Store *store;
        CurlGlue *glue;
        Dispatcher *dispatcher;
        Poller *pollers;
        size_t n_pollers;
        unsigned polls_running;
        unsigned polls_failed; /* --once */
        bool exiting;
        char *status_note; /* appended to the status line, e.g. why the last reload failed */
};

static usec_t random_below(usec_t max) {
        uint64_t r = 0;
        if (max == 0)
                return 0;
        (void) getrandom(&r, sizeof(r), GRND_NONBLOCK);
        return r % max;
}

static usec_t poller_interval(const Poller *p) {
        return p->config->interval ? p->config->interval : p->manager->config->daemon.interval;
}

static int on_poll_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* A delay as people read it in the log: "1m4s", not "1m3s600ms" (jitter makes it uneven). */
static usec_t delay_to_read(usec_t delay) {
        if (delay < USEC_PER_SEC)
                return delay;
        return (delay + USEC_PER_SEC / 2) / USEC_PER_SEC * USEC_PER_SEC;
}

static int poller_schedule(Poller *p, usec_t delay) {
        Manager *m = p->manager;
        char buf[DURATION_MAX];
        int r;

        p->next = time(NULL) + (time_t) (delay / USEC_PER_SEC);
        if (!p->timer) {
                r = sd_event_add_time_relative(m->event, &p->timer, CLOCK_BOOTTIME, delay,
                                               USEC_PER_SEC, on_poll_timer, p);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(p->timer, "poll");
        } else {
                r = sd_event_source_set_time_relative(p->timer, delay);
                if (r >= 0)
                        r = sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
                if (r < 0)
                        return r;
        }
        r = store_set_next_poll(m->store, p->config->id, p->next);
        if (r < 0)
                log_debug_errno(r, "Failed to record the next poll of '%s', ignoring",
                                p->config->id);
        log_debug("Next poll of '%s' in %s.", p->config->id,
                  format_duration(buf, delay_to_read(delay)));
        return 0;
}

/* After a success: the interval plus up to `jitter`. After failures: 1m, 2m, 4m … up to the
 * interval, and never before the server's Retry-After. */
static usec_t poller_next_delay(const Poller *p, time_t retry_after) {
        usec_t interval = poller_interval(p), delay;

        if (p->failures == 0)
                return interval + random_below(p->manager->config->daemon.jitter + 1);
        delay = BACKOFF_FIRST;
        for (unsigned i = 1; i < p->failures && delay < interval; i++)
                delay *= 2;
        delay = MIN(delay, interval);
        delay += random_below(delay / 10 + 1);
        time_t now = time(NULL);
        if (retry_after > now)
                delay = MAX(delay, (usec_t) (retry_after - now) * USEC_PER_SEC);
        return delay;
}

static void manager_check_done(Manager *m) {
        if (!m->options.once || m->polls_running > 0 || m->exiting)
                return;
        (void) dispatcher_kick(m->dispatcher);
        if (!dispatcher_idle(m->dispatcher))
                return; /* on_dispatcher_idle() comes back here */
        m->exiting = true;
        sd_event_exit(m->event, 0);
}

static void on_dispatcher_idle(void *userdata) {
        manager_check_done(userdata);
}

static void on_recorded(void *userdata) {
        Poller *p = userdata;
        Manager *m = p->manager;
        if (!m->options.once)
                (void) dispatcher_kick(m->dispatcher);
}

static void poller_report(Poller *p, const PollOutcome *o) {
        const char *id = p->config->id;

        if (o->held > 0)
                log_warning("Polled '%s': changes held back as a suspected extraction fault (see "
                            "'advisoryctl sources').",
                            id);
        else if (o->recorded == 0)
                log_info("Polled '%s': not modified.", id);
        else if (o->baseline > 0 && o->baseline == o->countries)
                log_info("Polled '%s': baseline of %zu countries recorded (no notifications for a "
                         "first observation).",
                         id, o->baseline);
        else
                log_info("Polled '%s': %u document%s, %zu countries, %zu change%s%s.", id,
                         o->recorded, o->recorded == 1 ? "" : "s", o->countries, o->changes,
                         o->changes == 1 ? "" : "s",
                         o->baseline ? " (and new countries recorded as baseline)" : "");
}

static void poller_record_health(Poller *p, const PollOutcome *o) {
        Manager *m = p->manager;
        time_t now = time(NULL);
        int r;

        if (o->failed > 0) {
                r = store_record_failure(m->store, p->config->id, o->failure, o->error, now,
                                         m->config->daemon.failure_threshold, notify_route,
                                         m->config);
                /* the store counts failures across runs (--once, restarts); this poller only
                 * since it started: the store says when the threshold was just reached */
                if (r > 0)
                        log_warning("Source '%s' is failing: %u consecutive failed polls.",
                                    p->config->id, m->config->daemon.failure_threshold);
        } else if (o->held > 0)
                r = 0; /* the guard recorded the 'held' state */
        else if (!o->health_recorded) {
                /* a 304, or a source read page by page: the poll as a whole succeeded */
                r = store_record_unchanged(m->store, p->config->id, now, notify_route, m->config);
                if (r > 0)
                        log_notice("Source '%s' recovered.", p->config->id);
        } else
                r = 0; /* the document's transaction recorded the success */
        if (r < 0)
                log_warning_errno(r, "Failed to record the health of '%s': %s, ignoring",
                                  p->config->id, store_error(m->store));
}

static void manager_notify_status(Manager *m) {
        _cleanup_free_ char *status = manager_status(m);
        if (status)
                (void) sd_notifyf(false, "STATUS=%s", status);
}

static void on_poll_finished(Poll *poll, void *userdata) {
        Poller *p = userdata;
        Manager *m = p->manager;
        const PollOutcome *o = poll_outcome(poll);
        char buf[DURATION_MAX];
        usec_t delay;

        p->failures = o->failed > 0 ? p->failures + 1 : 0;
        poller_record_health(p, o);
        delay = poller_next_delay(p, o->retry_after);
        /* stored before the lines that tell of this poll: who reads them finds that state */
        if (!m->options.once && poller_schedule(p, delay) < 0)
                log_error("Failed to schedule the next poll of '%s'.", p->config->id);
        if (o->failed > 0) {
                m->polls_failed++;
                log_warning("Failed to poll '%s': %s (%s)%s%s.", p->config->id, o->error,
                            failure_class_to_string(o->failure),
                            m->options.once ? "" : ", retrying in ",
                            m->options.once ? "" : format_duration(buf, delay_to_read(delay)));
        }
        if (o->recorded > 0 || o->failed == 0)
                poller_report(p, o);
        p->poll = poll_free(p->poll);
        m->polls_running--;
        (void) dispatcher_kick(m->dispatcher);
        if (m->options.once)
                manager_check_done(m);
        else
                manager_notify_status(m);
}

static int poller_start_poll(Poller *p) {
        Manager *m = p->manager;
        PollEnv env = {
                .event = m->event,
                .glue = m->glue,
                .store = m->store,
                .config = m->config,
                .on_recorded = on_recorded,
                .on_finished = on_poll_finished,
                .userdata = p,
        };
        int r;

        if (p->poll)
                return 0; /* still running: a slow poll is not started twice */
        r = poll_new(&p->poll, &env, p->config, p->type);
        if (r < 0)
                return r;
        m->polls_running++;
        log_debug("Polling '%s'.", p->config->id);
        return poll_start(p->poll);
}

static int on_poll_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Poller *p = userdata;
        int r = poller_start_poll(p);
        if (r < 0) {
                log_error_errno(r, "Failed to start polling '%s': %m", p->config->id);
                (void) poller_schedule(p, BACKOFF_FIRST);
        }
        return 0;
}

/* First poll after start or reload: when it is due by the last attempt recorded, spread over a
 * few seconds so that sources do not all start at once. */
static usec_t poller_first_delay(Poller *p) {
        time_t last_attempt = 0, last_success = 0, now = time(NULL);
        usec_t interval = poller_interval(p);

        (void) store_source_times(p->manager->store, p->config->id, &last_attempt, &last_success);
        usec_t spread = random_below(MIN(p->manager->config->daemon.jitter, START_SPREAD) + 1);
        if (last_attempt <= 0 || last_attempt > now ||
            (usec_t) (now - last_attempt) * USEC_PER_SEC >= interval)
                return spread;
        return interval - (usec_t) (now - last_attempt) * USEC_PER_SEC + spread;
}

static void manager_drop_pollers(Manager *m) {
        for (size_t i = 0; i < m->n_pollers; i++) {
                Poller *p = &m->pollers[i];
                if (p->poll) {
                        p->poll = poll_free(p->poll);
                        m->polls_running--;
                }
                p->timer = sd_event_source_disable_unref(p->timer);
        }
        free(m->pollers);
        m->pollers = NULL;
        m->n_pollers = 0;
}

static int manager_build_pollers(Manager *m) {
        size_t n = 0;

        if (!(m->pollers = calloc(MAX(m->config->n_sources, (size_t) 1), sizeof(Poller))))
                return -ENOMEM;
        for (size_t i = 0; i < m->config->n_sources; i++) {
                const SourceConfig *sc = &m->config->sources[i];
                const SourceType *t = source_type_for(sc);
                if (!sc->enabled)
                        continue;
                if (!t) {
                        log_warning("Source '%s' has no extractor in this build, skipping.", sc->id);
                        continue;
                }
                m->pollers[n++] = (Poller) { .manager = m, .config = sc, .type = t };
        }
        m->n_pollers = n;
        return 0;
}

static int manager_arm(Manager *m) {
        int r;

        for (size_t i = 0; i < m->n_pollers; i++) {
                Poller *p = &m->pollers[i];
                r = m->options.once ? poller_start_poll(p) : poller_schedule(p, poller_first_delay(p));
                if (r < 0)
                        return log_error_errno(r, "Failed to arm source '%s': %m", p->config->id);
        }
        return 0;
}

static CurlLimits manager_limits(const Manager *m) {
        return (CurlLimits) {
                .max_connections = m->config->daemon.max_connections,
                .max_connections_per_host = m->config->daemon.max_connections_per_host,
        };
}

int manager_new(Manager **ret, sd_event *event, Config *config, const ManagerOptions *options) {
        Manager *m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        *m = (Manager) { .event = sd_event_ref(event), .config = config, .options = *options };
        *ret = m;
        return 0;
}

int manager_start(Manager *m) {
        const char *db = m->options.database ? m->options.database : m->config->daemon.database;
        CurlLimits limits = manager_limits(m);
        int r;

        r = store_open(db, STORE_READ_WRITE, &m->store);
        if (r < 0)
                return log_error_errno(r, "Failed to open the database %s: %m", db);
        r = curl_glue_new(&m->glue, m->event, &limits);
        if (r < 0)
                return log_error_errno(r, "Failed to set up libcurl: %m");
        r = dispatcher_new(&m->dispatcher, m->event, m->store, m->glue, m->config);
        if (r < 0)
                return log_error_errno(r, "Failed to set up notifications: %m");
        dispatcher_on_idle(m->dispatcher, on_dispatcher_idle, m);
        r = manager_build_pollers(m);
        if (r < 0)
                return log_oom();
        if (m->n_pollers == 0)
                log_warning("No source is enabled in %s; nothing to poll.", m->config->path);
        else
                log_info("Polling %zu source%s; database %s.", m->n_pollers,
                         m->n_pollers == 1 ? "" : "s", db);
        r = manager_arm(m);
        if (r < 0)
                return r;
        /* deliver what an earlier run left queued */
        (void) dispatcher_kick(m->dispatcher);
        manager_notify_status(m);
        if (m->options.once)
                manager_check_done(m);
        return 0;
}

int manager_reload(Manager *m, Config *config) {
        Config *old = m->config;
        CurlLimits limits;
        int r;

        if (!streq(old->daemon.database, config->daemon.database) && !m->options.database)
                log_warning("The database path changed to %s; it takes effect at the next restart.",
                            config->daemon.database);
        manager_drop_pollers(m);
        m->config = config;
        dispatcher_set_config(m->dispatcher, config);
        limits = manager_limits(m);
        (void) curl_glue_set_limits(m->glue, &limits);
        config_free(old);
        r = manager_build_pollers(m);
        if (r < 0)
                return log_oom();
        r = manager_arm(m);
        manager_notify_status(m);
        return r;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        manager_drop_pollers(m);
        dispatcher_free(m->dispatcher);
        curl_glue_free(m->glue);
        store_free(m->store);
        config_free(m->config);
        sd_event_unref(m->event);
        free(m->status_note);
        free(m);
        return NULL;
}

int manager_exit_status(Manager *m) {
        return m->polls_failed > 0 ? 3 : 0;
}

static char *manager_status_polls(Manager *m) {
        const Poller *next = NULL;
        unsigned failing = 0;
        char buf[DURATION_MAX];

        for (size_t i = 0; i < m->n_pollers; i++) {
                const Poller *p = &m->pollers[i];
                failing += p->failures > 0;
                if (!p->poll && (!next || p->next < next->next))
                        next = p;
        }
        if (!next)
                return strprintf("Polling %zu source%s; %u failing", m->n_pollers,
                                 m->n_pollers == 1 ? "" : "s", failing);
        time_t now = time(NULL);
        return strprintf("Polling %zu source%s; next poll of %s in %s; %u failing", m->n_pollers,
                         m->n_pollers == 1 ? "" : "s", next->config->id,
                         format_duration(buf, (usec_t) MAX(next->next - now, (time_t) 0) *
                                                      USEC_PER_SEC),
                         failing);
}

char *manager_status(Manager *m) {
        char *polls = manager_status_polls(m), *s;

        if (!polls || !m->status_note)
                return polls;
        s = strprintf("%s; %s", polls, m->status_note);
        free(polls);
        return s;
}

int manager_set_status_note(Manager *m, const char *note) {
        char *copy = NULL;

        if (note && !(copy = strdup(note)))
                return -ENOMEM;
        free(m->status_note);
        m->status_note = copy;
        return 0;
}
