/* curl-glue.c: the libcurl multi ↔ sd-event adapter (after systemd's src/import/curl-util.c). */
#include "curl-glue.h"

#include "log.h"
#include "timeutil.h"
#include "util.h"

struct CurlGlue {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        sd_event_source *defer;
        bool timeout_now; /* curl asked for a 0 ms timeout: run it from the deferred source */
        unsigned active;
};

/* What the glue keeps per transfer, in the handle's CURLOPT_PRIVATE. */
typedef struct CurlTransfer {
        CurlFinishedFn done;
        void *userdata;
} CurlTransfer;

static CurlTransfer *curl_transfer_of(CURL *curl) {
        CurlTransfer *t = NULL;
        if (curl_easy_getinfo(curl, CURLINFO_PRIVATE, (char **) &t) != CURLE_OK)
                return NULL;
        return t;
}

static int curl_glue_action(CurlGlue *g, curl_socket_t fd, int action) {
        int running = 0;
        if (curl_multi_socket_action(g->multi, fd, action, &running) != CURLM_OK)
                return log_debug_errno(EINVAL, "curl_multi_socket_action() failed");
        /* finished transfers, if any, are reported from the deferred source */
        return sd_event_source_set_enabled(g->defer, SD_EVENT_ON);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        CurlGlue *g = userdata;
        int action = 0;

        if (revents & (EPOLLIN | EPOLLPRI))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;
        (void) curl_glue_action(g, fd, action);
        return 0;
}

static int on_curl_socket(CURL *curl, curl_socket_t fd, int what, void *userp, void *socketp) {
        CurlGlue *g = userp;
        sd_event_source *io = socketp;
        uint32_t events = 0;
        int r;

        if (what == CURL_POLL_REMOVE) {
                if (io) {
                        sd_event_source_disable_unref(io);
                        curl_multi_assign(g->multi, fd, NULL);
                }
                return 0;
        }
        if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
                events |= EPOLLIN;
        if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
                events |= EPOLLOUT;
        if (io) {
                r = sd_event_source_set_io_events(io, events);
                if (r >= 0)
                        r = sd_event_source_set_enabled(io, SD_EVENT_ON);
                return r < 0 ? -1 : 0;
        }
        r = sd_event_add_io(g->event, &io, fd, events, on_io, g);
        if (r < 0)
                return -1;
        (void) sd_event_source_set_description(io, "curl-io");
        if (curl_multi_assign(g->multi, fd, io) != CURLM_OK) {
                sd_event_source_disable_unref(io);
                return -1;
        }
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) curl_glue_action(userdata, CURL_SOCKET_TIMEOUT, 0);
        return 0;
}

/* curl asks for "now" twice per transfer: that runs from the deferred source, without touching
 * the timerfd. Other timeouts (connect, low speed, the whole transfer) are safety nets, met up to
 * a quarter of their wait late (at most 250 ms), so that sd-event need not reprogram the timerfd
 * whenever one moves by a millisecond. (bench/: timerfd_settime was 13 % of a warm poll's CPU.) */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
        CurlGlue *g = userp;
        uint64_t now, wait = (uint64_t) MAX(timeout_ms, 0L) * USEC_PER_MSEC;
        uint64_t slack = MAX(MIN(wait / 4, 250 * USEC_PER_MSEC), (uint64_t) 1);

        g->timeout_now = timeout_ms == 0;
        if (timeout_ms < 0)
                return sd_event_source_set_enabled(g->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        if (timeout_ms == 0) /* an armed timer may stay: a needless timeout action is harmless */
                return sd_event_source_set_enabled(g->defer, SD_EVENT_ON) < 0 ? -1 : 0;
        if (sd_event_now(g->event, CLOCK_BOOTTIME, &now) < 0)
                return -1;
        if (sd_event_source_set_time(g->timer, now + wait) < 0 ||
            sd_event_source_set_time_accuracy(g->timer, slack) < 0 ||
            sd_event_source_set_enabled(g->timer, SD_EVENT_ONESHOT) < 0)
                return -1;
        return 0;
}

/* Reports one finished transfer per loop iteration; stays enabled while more are queued. */
static int on_defer(sd_event_source *s, void *userdata) {
        CurlGlue *g = userdata;
        CURLMsg *msg;
        int left = 0;

        if (g->timeout_now) {
                g->timeout_now = false;
                (void) curl_glue_action(g, CURL_SOCKET_TIMEOUT, 0);
        }
        while ((msg = curl_multi_info_read(g->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                CURL *curl = msg->easy_handle;
                CURLcode result = msg->data.result;
                CurlTransfer *t = curl_transfer_of(curl), copy = t ? *t : (CurlTransfer) {};
                curl_multi_remove_handle(g->multi, curl);
                curl_easy_setopt(curl, CURLOPT_PRIVATE, NULL);
                free(t);
                g->active--;
                if (copy.done)
                        copy.done(g, curl, result, copy.userdata);
                /* the handler may have added transfers: curl re-queues messages for them */
                return sd_event_source_set_enabled(g->defer, SD_EVENT_ON);
        }
        return sd_event_source_set_enabled(g->defer, g->timeout_now ? SD_EVENT_ON : SD_EVENT_OFF);
}

int curl_glue_set_limits(CurlGlue *g, const CurlLimits *limits) {
        if (curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                              (long) limits->max_connections) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                              (long) limits->max_connections_per_host) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long) limits->max_connections) !=
                    CURLM_OK)
                return -EINVAL;
        return 0;
}

int curl_glue_new(CurlGlue **ret, sd_event *event, const CurlLimits *limits) {
        _cleanup_(curl_glue_freep) CurlGlue *g = NULL;
        int r;

        if (!(g = calloc(1, sizeof(CurlGlue))))
                return -ENOMEM;
        g->event = sd_event_ref(event);
        if (!(g->multi = curl_multi_init()))
                return -ENOMEM;
        /* accuracy: set with each deadline (on_curl_timer); 0 would mean sd-event's 250 ms */
        r = sd_event_add_time(event, &g->timer, CLOCK_BOOTTIME, UINT64_MAX, 1, on_timer, g);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(g->timer, "curl-timer");
        (void) sd_event_source_set_enabled(g->timer, SD_EVENT_OFF);
        r = sd_event_add_defer(event, &g->defer, on_defer, g);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(g->defer, "curl-done");
        (void) sd_event_source_set_enabled(g->defer, SD_EVENT_OFF);
        if (curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
            curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g) != CURLM_OK)
                return -EINVAL;
        r = curl_glue_set_limits(g, limits);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(g);
        return 0;
}

CurlGlue *curl_glue_free(CurlGlue *g) {
        if (!g)
                return NULL;
        if (g->multi)
                curl_multi_cleanup(g->multi); /* calls back CURL_POLL_REMOVE for open sockets */
        sd_event_source_disable_unref(g->timer);
        sd_event_source_disable_unref(g->defer);
        sd_event_unref(g->event);
        free(g);
        return NULL;
}

int curl_glue_add(CurlGlue *g, CURL *curl, CurlFinishedFn done, void *userdata) {
        CurlTransfer *t = malloc(sizeof(CurlTransfer));

        if (!t)
                return -ENOMEM;
        *t = (CurlTransfer) { .done = done, .userdata = userdata };
        if (curl_easy_setopt(curl, CURLOPT_PRIVATE, t) != CURLE_OK ||
            curl_multi_add_handle(g->multi, curl) != CURLM_OK) {
                curl_easy_setopt(curl, CURLOPT_PRIVATE, NULL);
                free(t);
                return -EIO;
        }
        g->active++;
        return 0;
}

void curl_glue_remove(CurlGlue *g, CURL *curl) {
        CurlTransfer *t = curl_transfer_of(curl);
        if (curl_multi_remove_handle(g->multi, curl) == CURLM_OK && t) {
                g->active--;
                curl_easy_setopt(curl, CURLOPT_PRIVATE, NULL);
                free(t);
        }
}

unsigned curl_glue_active(CurlGlue *g) {
        return g->active;
}
