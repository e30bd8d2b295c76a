/* curl-glue.h: libcurl's multi interface driven from sd-event. One io source per socket curl
 * asks us to watch, one one-shot timer for curl's timeout, and completions drained one per loop
 * iteration from a deferred source, so a completion handler may free or restart its own
 * transfer. Knows nothing about advisories. */
#pragma once

#include <curl/curl.h>
#include <systemd/sd-event.h>

typedef struct CurlGlue CurlGlue;

/* Called once per finished transfer with curl's result. The handler owns the easy handle from
 * then on (it has already been removed from the multi handle). */
typedef void (*CurlFinishedFn)(CurlGlue *g, CURL *curl, CURLcode result, void *userdata);

typedef struct CurlLimits {
        unsigned max_connections;
        unsigned max_connections_per_host;
} CurlLimits;

int curl_glue_new(CurlGlue **ret, sd_event *event, const CurlLimits *limits);
CurlGlue *curl_glue_free(CurlGlue *g);
static inline void curl_glue_freep(CurlGlue **g) {
        curl_glue_free(*g);
}
int curl_glue_set_limits(CurlGlue *g, const CurlLimits *limits);
/* Starts a transfer; done is called when it has finished. The glue uses the handle's
 * CURLOPT_PRIVATE. On success the glue owns the handle until it reports it finished. */
int curl_glue_add(CurlGlue *g, CURL *curl, CurlFinishedFn done, void *userdata);
/* Aborts a running transfer; the handle is the caller's again (not reported as finished). */
void curl_glue_remove(CurlGlue *g, CURL *curl);
/* Number of transfers added and not yet reported. */
unsigned curl_glue_active(CurlGlue *g);
