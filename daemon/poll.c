/* poll.c: one poll of one source: fetches, documents, outcome. */
#include "poll.h"

#include <assert.h>

#include "change.h"
#include "diff.h"
#include "guard.h"
#include "log.h"
#include "notify.h"

struct Poll {
        PollEnv env;
        const SourceConfig *source;
        const SourceType *type;
        bool started, finished, cancelled;
        sd_event_source *finish; /* deferred end, so that poll_start() never reports inline */
        PollOutcome outcome;
        /* every request not yet reported: the first n_running are running, the rest wait */
        struct PollRequest **requests;
        size_t n_requests, n_running;
        unsigned concurrency;    /* 0: no limit of our own (curl's per-host limits apply) */
        usec_t delay;            /* between the starts of two requests */
        sd_event_source *pacer;  /* armed while waiting out the delay */
        char *first_failed_url;  /* of the first failure, for the summary of a multi-page poll */
        /* the source's driver (poll_set_driver) */
        void *driver_state;
        PollFinishFn driver_finish;
        void (*driver_free)(void *state);
        /* The source's current states, read once per poll and then kept up to date with what the
         * poll records: a page source records ~250 one-country documents per poll, and reading
         * every state for each of them was 9 % of a cold poll's CPU (bench/). Read again when
         * another connection (advisoryctl import) commits. */
        StoredState *known;
        size_t n_known;
        bool known_valid;
        int64_t known_version;
        /* Pages with changes, kept until the poll ends (see poll_record): a source read page by
         * page is judged by the mass-change guard as a whole, before anyone is told. */
        struct Staged *staged;
        size_t n_staged;
        struct PollRequest *current; /* the request whose document is being handled */
        int sweep_forced;            /* -1: not read yet */
};

typedef struct PollRequest {
        Poll *poll;
        PollFetchFn done;
        void *userdata;
        char *url;
        PollFetchFlags flags;
        FetchJob *job; /* NULL while waiting */
        char *etag, *last_modified; /* the response's validators, stored once it is recorded */
        bool staged;                /* its validators went with a staged page */
} PollRequest;

typedef struct Staged {
        char *url;
        AdvisoryList records;
        char *etag, *last_modified;
        bool validators; /* store them when it is recorded */
} Staged;

static bool poll_by_pages(const Poll *p) {
        return p->type->plan == SOURCE_PLAN_PAGES;
}

static void staged_done(Staged *st) {
        free(st->url);
        advisory_list_clear(&st->records);
        free(st->etag);
        free(st->last_modified);
        *st = (Staged) {};
}

const PollOutcome *poll_outcome(const Poll *p) {
        return &p->outcome;
}

const SourceConfig *poll_source(const Poll *p) {
        return p->source;
}

const SourceType *poll_type(const Poll *p) {
        return p->type;
}

Store *poll_store(const Poll *p) {
        return p->env.store;
}

const Config *poll_config(const Poll *p) {
        return p->env.config;
}

void poll_set_driver(Poll *p, void *state, PollFinishFn finish, void (*free_state)(void *state)) {
        assert(!p->driver_state);
        p->driver_state = state;
        p->driver_finish = finish;
        p->driver_free = free_state;
}

void *poll_driver_state(const Poll *p) {
        return p->driver_state;
}

const char *poll_url(const Poll *p) {
        return p->source->url ? p->source->url : p->type->default_url;
}

void poll_fail(Poll *p, const char *url, FailureClass failure, const char *fmt, ...) {
        PollOutcome *o = &p->outcome;
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        o->failed++;
        if (o->failure == FAILURE_NONE) {
                o->failure = failure;
                snprintf(o->error, sizeof(o->error), "%s", msg);
                p->first_failed_url = url ? strdup(url) : NULL;
        }
        log_debug("%s: %s: %s (%s)", p->source->id, strna(url), msg, failure_class_to_string(failure));
}

/* A poll of many pages says how many failed, and which one first: "one failed" alone would hide
 * whether a site is down or one page changed its layout. */
static void poll_summarize(Poll *p) {
        PollOutcome *o = &p->outcome;
        _cleanup_free_ char *summary = NULL;

        if (o->failed == 0 || o->requested <= 1 || !p->first_failed_url)
                return; /* one document, or a failure of the poll as a whole */
        summary = strprintf("%u of %u pages failed; first: %s: %s", MIN(o->failed, o->requested),
                            o->requested, p->first_failed_url, o->error);
        if (summary)
                snprintf(o->error, sizeof(o->error), "%s", summary); /* may cut the reason */
}

static void poll_commit_staged(Poll *p);

static int on_finish(sd_event_source *s, void *userdata) {
        Poll *p = userdata;
        sd_event_source_set_enabled(s, SD_EVENT_OFF);
        if (!p->finished) {
                p->finished = true;
                poll_commit_staged(p);
                if (p->driver_finish)
                        p->driver_finish(p, p->driver_state);
                poll_summarize(p);
                p->env.on_finished(p, p->env.userdata);
        }
        return 0;
}

static void poll_maybe_finish(Poll *p) {
        if (p->n_requests == 0 && p->started && !p->finished && !p->cancelled)
                (void) sd_event_source_set_enabled(p->finish, SD_EVENT_ONESHOT);
}

static void poll_forget(Poll *p, PollRequest *rq) {
        for (size_t i = 0; i < p->n_requests; i++)
                if (p->requests[i] == rq) {
                        if (rq->job)
                                p->n_running--;
                        /* keep the order: running first, then waiting in FIFO order */
                        memmove(&p->requests[i], &p->requests[i + 1],
                                (p->n_requests - i - 1) * sizeof(PollRequest *));
                        p->n_requests--;
                        break;
                }
        free(rq->url);
        free(rq->etag);
        free(rq->last_modified);
        free(rq);
}

void poll_set_pacing(Poll *p, unsigned concurrency, usec_t delay) {
        p->concurrency = concurrency;
        p->delay = delay;
}

static void poll_pump(Poll *p);

static void on_fetched(FetchJob *j, FetchResult *res, void *userdata) {
        PollRequest *rq = userdata;
        Poll *p = rq->poll;
        int r;

        if (res->failure != FAILURE_NONE && (rq->flags & POLL_FETCH_MAY_BE_ABSENT) &&
            (res->status == 404 || res->status == 410)) {
                p->outcome.absent++;
                log_debug("%s: %s: no such page (HTTP %ld)", p->source->id, rq->url, res->status);
        } else if (res->failure != FAILURE_NONE) {
                poll_fail(p, rq->url, res->failure, "%s", res->error);
                if (res->retry_after > p->outcome.retry_after)
                        p->outcome.retry_after = res->retry_after;
        } else {
                if (res->not_modified)
                        p->outcome.not_modified++;
                else
                        p->outcome.fetched++;
                rq->etag = TAKE_PTR(res->etag);
                rq->last_modified = TAKE_PTR(res->last_modified);
                p->current = rq;
                r = rq->done(p, rq->url, res, rq->userdata);
                p->current = NULL;
                /* stored after unconditional GETs too: the next conditional one uses them; a
                 * staged page's go with it */
                if (r >= 0 && !res->not_modified && !rq->staged) {
                        int k = store_set_validators(p->env.store, rq->url, rq->etag,
                                                     rq->last_modified);
                        if (k < 0)
                                log_debug_errno(k, "Failed to store validators for %s, ignoring",
                                                rq->url);
                }
        }
        poll_forget(p, rq);
        poll_pump(p);
        poll_maybe_finish(p);
}

static int poll_request_start(Poll *p, PollRequest *rq) {
        const DaemonSettings *d = &p->env.config->daemon;
        _cleanup_free_ char *etag = NULL, *lm = NULL;

        if ((rq->flags & POLL_FETCH_CONDITIONAL) &&
            store_get_validators(p->env.store, rq->url, &etag, &lm) < 0)
                etag = lm = NULL; /* an unconditional GET is still correct */
        FetchRequest req = {
                .url = rq->url,
                .etag = etag,
                .last_modified = lm,
                .user_agent = d->user_agent,
                .max_size = d->max_document_size,
                .timeout = d->timeout,
                .max_redirects = 5,
        };
        return fetch_start(p->env.glue, &req, on_fetched, rq, &rq->job);
}

static int on_pacer(sd_event_source *s, uint64_t usec, void *userdata) {
        Poll *p = userdata;
        p->pacer = sd_event_source_disable_unref(p->pacer);
        poll_pump(p);
        poll_maybe_finish(p);
        return 0;
}

/* Starts waiting requests while the concurrency and the delay allow. */
static void poll_pump(Poll *p) {
        while (!p->cancelled && !p->pacer && p->n_running < p->n_requests &&
               (p->concurrency == 0 || p->n_running < p->concurrency)) {
                PollRequest *rq = p->requests[p->n_running];
                int r = poll_request_start(p, rq);
                if (r < 0) {
                        poll_fail(p, rq->url, FAILURE_OTHER, "cannot start the request: %s",
                                  strerror(-r));
                        poll_forget(p, rq);
                        continue;
                }
                p->n_running++;
                if (p->delay > 0 && p->n_running < p->n_requests &&
                    sd_event_add_time_relative(p->env.event, &p->pacer, CLOCK_BOOTTIME, p->delay,
                                               0, on_pacer, p) < 0)
                        p->pacer = NULL; /* no timer: go on without the pause */
        }
}

int poll_fetch_with(Poll *p, const char *url, PollFetchFlags flags, PollFetchFn done,
                    void *userdata) {
        PollRequest *rq, **requests;

        if (!(requests = realloc(p->requests, (p->n_requests + 1) * sizeof(PollRequest *))))
                return -ENOMEM;
        p->requests = requests;
        if (!(rq = calloc(1, sizeof(PollRequest))))
                return -ENOMEM;
        *rq = (PollRequest) { .poll = p, .done = done, .userdata = userdata, .flags = flags };
        if (!(rq->url = strdup(url))) {
                free(rq);
                return -ENOMEM;
        }
        p->requests[p->n_requests++] = rq;
        p->outcome.requested++;
        poll_pump(p);
        return 0;
}

int poll_fetch(Poll *p, const char *url, bool conditional, PollFetchFn done, void *userdata) {
        return poll_fetch_with(p, url, conditional ? POLL_FETCH_CONDITIONAL : 0, done, userdata);
}

static void poll_log_changes(Poll *p, const Change *changes, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *msg = change_describe(&changes[i]);
                log_notice("%s", msg ? msg : "(out of memory)");
        }
}

/* The mass-change guard (see guard.h): > 0 when the document is held back. What it remembers
 * between polls lives in the store under the key "guard". */
static int poll_guard(Poll *p, const Diff *diff) {
        const DaemonSettings *d = &p->env.config->daemon;
        GuardSettings settings = { .threshold = d->mass_change_percent / 100.0,
                                   .confirmations = d->mass_change_confirmations };
        _cleanup_free_ char *saved = NULL, *reason = NULL, *formatted = NULL;
        GuardState state = {};
        GuardVerdict v;
        int r;

        r = store_get_value(p->env.store, p->source->id, "guard", &saved);
        if (r < 0)
                return r;
        (void) guard_state_parse(saved, &state);
        v = guard_check(&settings, &state, diff);
        formatted = state.fingerprint || state.accepted ? guard_state_format(&state) : NULL;
        r = store_set_value(p->env.store, p->source->id, "guard", formatted);
        if (r < 0)
                return r;
        if (v == GUARD_PASS)
                return 0;
        if (v == GUARD_CONFIRMED) {
                log_notice("%s: accepting a document that changes %zu of %zu countries, seen on %u "
                           "polls in a row or accepted by an operator.",
                           p->source->id, diff->n_changed, diff->n_known, settings.confirmations + 1);
                return 0;
        }
        reason = strprintf("held back: %zu of %zu countries (%.0f%%) would change at once; "
                           "suspected extraction fault (seen %u of %u times; or run "
                           "'advisoryctl accept %s')",
                           diff->n_changed, diff->n_known, 100.0 * diff_change_share(diff),
                           state.seen, settings.confirmations + 1, p->source->id);
        if (!reason)
                return -ENOMEM;
        if (v == GUARD_HOLD_NEW)
                log_struct(LOG_WARNING, MESSAGE_ID_EXTRACTION_FAULT, p->source->id, "%s: %s",
                           p->source->id, reason);
        r = store_record_held(p->env.store, p->source->id, reason, time(NULL));
        if (r < 0)
                return r;
        p->outcome.held++;
        return 1;
}

static int poll_known_load(Poll *p) {
        int64_t version;
        int r = store_data_version(p->env.store, &version);

        if (r < 0)
                return r;
        if (p->known_valid && version == p->known_version)
                return 0;
        p->known = mfree(p->known);
        p->n_known = 0;
        p->known_valid = false;
        r = store_current_states(p->env.store, p->source->id, &p->known, &p->n_known);
        if (r < 0)
                return r;
        p->known_valid = true;
        p->known_version = version;
        return 0;
}

/* After a document was recorded: the current period of each country it added or changed (the
 * array stays sorted by country, as diff_compute() wants it). */
static int poll_known_update(Poll *p, const Diff *diff) {
        for (size_t i = 0; i < diff->n; i++) {
                const DiffEntry *e = &diff->entries[i];
                StoredState st, *a;
                size_t at = 0;
                int r;

                if (e->kind == DIFF_UNCHANGED)
                        continue;
                r = store_current_state(p->env.store, p->source->id, e->record->country, &st);
                if (r <= 0)
                        return r < 0 ? r : -ENOENT;
                while (at < p->n_known && strcmp(p->known[at].country, st.country) < 0)
                        at++;
                if (at < p->n_known && streq(p->known[at].country, st.country)) {
                        p->known[at] = st;
                        continue;
                }
                if (!(a = realloc(p->known, (p->n_known + 1) * sizeof(StoredState))))
                        return -ENOMEM;
                p->known = a;
                memmove(&p->known[at + 1], &p->known[at], (p->n_known - at) * sizeof(StoredState));
                p->known[at] = st;
                p->n_known++;
        }
        return 0;
}

/* Records one document now, in one transaction. */
static int poll_record_now(Poll *p, const char *url, AdvisoryList *records, bool guard) {
        Change *changes = NULL;
        size_t n_changes = 0;
        RecordStats stats = {};
        Diff diff = {};
        int r;

        r = poll_known_load(p);
        if (r >= 0)
                r = diff_compute(p->known, p->n_known, records, &diff);
        if (r >= 0 && guard && (r = poll_guard(p, &diff)) > 0) {
                /* refused, so that its validators are not kept: the next poll sees it again */
                diff_done(&diff);
                advisory_list_clear(records);
                return -EAGAIN;
        }
        if (r >= 0)
                r = (poll_by_pages(p) ? store_record_page : store_record_document)(
                        p->env.store, p->source->id, &diff, time(NULL), notify_route,
                        (void *) p->env.config, &stats, &changes, &n_changes);
        if (r >= 0 && poll_known_update(p, &diff) < 0)
                p->known_valid = false; /* read them all again for the next document */
        diff_done(&diff);
        advisory_list_clear(records);
        if (r < 0) {
                poll_fail(p, url, FAILURE_STORE, "cannot record the document: %s (%s)", strerror(-r),
                          store_error(p->env.store));
                return r;
        }
        p->outcome.recorded++;
        p->outcome.health_recorded = !poll_by_pages(p);
        p->outcome.countries += stats.baseline + stats.unchanged + stats.changed;
        p->outcome.changes += stats.changed;
        p->outcome.baseline += stats.baseline;
        poll_log_changes(p, changes, n_changes);
        for (size_t i = 0; i < n_changes; i++)
                change_done(&changes[i]);
        free(changes);
        if (stats.queued > 0 && p->env.on_recorded)
                p->env.on_recorded(p->env.userdata);
        return (int) stats.changed;
}

/* Keeps a page with changes until the poll ends, with the validators of the response it came
 * from (stored only when it is recorded, or the next poll would get a 304 and never see it). */
static int poll_stage(Poll *p, const char *url, AdvisoryList *records) {
        Staged *a, *st;
        PollRequest *rq = p->current && streq(p->current->url, url) ? p->current : NULL;

        if (!(a = realloc(p->staged, (p->n_staged + 1) * sizeof(Staged))))
                return -ENOMEM;
        p->staged = a;
        st = &a[p->n_staged];
        *st = (Staged) { .records = *records };
        if (!(st->url = strdup(url)))
                return -ENOMEM;
        *records = (AdvisoryList) {};
        if (rq) {
                st->etag = TAKE_PTR(rq->etag);
                st->last_modified = TAKE_PTR(rq->last_modified);
                st->validators = rq->staged = true;
        }
        p->n_staged++;
        return 0;
}

int poll_record(Poll *p, const char *url, AdvisoryList *records) {
        Diff diff = {};
        bool changes;
        int r;

        if (!poll_by_pages(p))
                return poll_record_now(p, url, records, true);
        /* a page without changes tells nobody anything: record it at once */
        r = poll_known_load(p);
        if (r >= 0)
                r = diff_compute(p->known, p->n_known, records, &diff);
        changes = diff.n_changed > 0;
        diff_done(&diff);
        if (r >= 0 && changes)
                r = poll_stage(p, url, records);
        if (r < 0) {
                advisory_list_clear(records);
                poll_fail(p, url, FAILURE_STORE, "cannot record the document: %s", strerror(-r));
                return r;
        }
        return changes ? 0 : poll_record_now(p, url, records, false);
}

/* The staged pages of a page source, judged together by the mass-change guard: recorded one
 * transaction each, or all held back (and the next poll sweeps every page to see them again). */
static void poll_commit_staged(Poll *p) {
        _cleanup_advisory_list_ AdvisoryList all = {};
        Diff diff = {};
        int r = 0, held = 0;

        if (p->n_staged == 0)
                return;
        for (size_t i = 0; r >= 0 && i < p->n_staged; i++)
                for (size_t j = 0; r >= 0 && j < p->staged[i].records.n; j++) {
                        const Advisory *a = &p->staged[i].records.items[j];
                        if (!advisory_list_find(&all, a->country))
                                r = advisory_list_add(&all, a->country, a->level, a->regional_level,
                                                      a->label, a->updated, a->url);
                }
        advisory_list_sort(&all);
        if (r >= 0)
                r = poll_known_load(p);
        if (r >= 0)
                r = diff_compute(p->known, p->n_known, &all, &diff);
        if (r >= 0)
                held = r = poll_guard(p, &diff);
        diff_done(&diff);
        if (r < 0)
                poll_fail(p, NULL, FAILURE_STORE, "cannot judge the changed pages: %s",
                          strerror(-r));
        /* what was not recorded must be seen again: drivers may remember those pages as done */
        if ((r < 0 || held > 0) &&
            store_set_value(p->env.store, p->source->id, "resweep", "1") < 0)
                log_warning("%s: cannot ask the next poll to read every page again, ignoring",
                            p->source->id);
        for (size_t i = 0; i < p->n_staged; i++) {
                Staged *st = &p->staged[i];
                if (r == 0 && poll_record_now(p, st->url, &st->records, false) >= 0 &&
                    st->validators &&
                    store_set_validators(p->env.store, st->url, st->etag, st->last_modified) < 0)
                        log_debug("Failed to store validators for %s, ignoring", st->url);
                staged_done(st);
        }
        p->staged = mfree(p->staged);
        p->n_staged = 0;
}

bool poll_sweep_forced(Poll *p) {
        _cleanup_free_ char *v = NULL;

        if (p->sweep_forced < 0) {
                p->sweep_forced = store_get_value(p->env.store, p->source->id, "resweep", &v) > 0;
                if (p->sweep_forced)
                        (void) store_set_value(p->env.store, p->source->id, "resweep", NULL);
        }
        return p->sweep_forced > 0;
}

int poll_extract_and_record(Poll *p, const char *url, const FetchResult *result) {
        _cleanup_advisory_list_ AdvisoryList records = {};
        ExtractError err = {};
        ExtractInput in = {
                .data = result->data,
                .size = result->size,
                .url = url,
                .config = p->source,
        };
        int r;

        r = p->type->extract(&in, &records, &err);
        if (r < 0) {
                poll_fail(p, url, err.failure ?: FAILURE_INVALID_DOCUMENT, "%s",
                          err.message[0] ? err.message : "cannot extract");
                return r;
        }
        return poll_record(p, url, &records);
}

/* The default driver: one document with every country. */
static int on_single_fetched(Poll *p, const char *url, FetchResult *result, void *userdata) {
        if (result->not_modified)
                return 0;
        return poll_extract_and_record(p, url, result);
}

static int poll_start_single(Poll *p) {
        return poll_fetch(p, poll_url(p), true, on_single_fetched, NULL);
}

int poll_start(Poll *p) {
        int r = p->type->start ? p->type->start(p) : poll_start_single(p);

        p->started = true;
        if (r < 0)
                poll_fail(p, poll_url(p), FAILURE_OTHER, "cannot start: %s", strerror(-r));
        poll_maybe_finish(p);
        return 0;
}

void poll_cancel(Poll *p) {
        p->cancelled = true;
        p->pacer = sd_event_source_disable_unref(p->pacer);
        while (p->n_requests > 0) {
                PollRequest *rq = p->requests[p->n_requests - 1];
                fetch_cancel(rq->job);
                poll_forget(p, rq);
        }
}

int poll_new(Poll **ret, const PollEnv *env, const SourceConfig *sc, const SourceType *type) {
        Poll *p = calloc(1, sizeof(Poll));
        int r;

        if (!p)
                return -ENOMEM;
        *p = (Poll) { .env = *env, .source = sc, .type = type, .sweep_forced = -1 };
        r = sd_event_add_defer(env->event, &p->finish, on_finish, p);
        if (r < 0) {
                free(p);
                return r;
        }
        (void) sd_event_source_set_enabled(p->finish, SD_EVENT_OFF);
        *ret = p;
        return 0;
}

Poll *poll_free(Poll *p) {
        if (!p)
                return NULL;
        poll_cancel(p);
        sd_event_source_disable_unref(p->finish);
        if (p->driver_free)
                p->driver_free(p->driver_state);
        free(p->first_failed_url);
        free(p->requests);
        free(p->known);
        for (size_t i = 0; i < p->n_staged; i++)
                staged_done(&p->staged[i]);
        free(p->staged);
        free(p);
        return NULL;
}
