/* fetch.h: one conditional HTTP GET with size and time caps, reported through one callback.
 * http and https only (also across redirects), TLS verification always on, gzip accepted, the
 * size cap applied to the decompressed body, and a minimum speed: below 100 bytes/s for half the
 * timeout (1 s … 30 s) a transfer fails as a timeout. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "advisory.h"
#include "curl-glue.h"
#include "timeutil.h"

typedef struct FetchRequest {
        const char *url;
        const char *etag;          /* sent as If-None-Match, may be NULL */
        const char *last_modified; /* sent as If-Modified-Since, may be NULL */
        const char *user_agent;
        uint64_t max_size;
        usec_t timeout;
        unsigned max_redirects;
} FetchRequest;

typedef struct FetchResult {
        FailureClass failure; /* FAILURE_NONE on success (2xx or 304) */
        char error[256];      /* one line for people when failure is set */
        long status;          /* last HTTP status, 0 when there was no response */
        bool not_modified;    /* 304 */
        char *data;           /* the body, NUL-terminated (not counted in size) */
        size_t size;
        char *etag;
        char *last_modified;
        char *content_type;
        time_t retry_after; /* 429/503 Retry-After as an absolute time, 0 if absent */
        uint64_t bytes_received; /* on the wire (compressed), headers excluded */
} FetchResult;

typedef struct FetchJob FetchJob;
typedef void (*FetchDoneFn)(FetchJob *j, FetchResult *result, void *userdata);

/* Starts a GET. done is called exactly once (from the event loop, never from inside
 * fetch_start), after which the job is freed; result's strings may be stolen by the callback. */
int fetch_start(CurlGlue *g, const FetchRequest *req, FetchDoneFn done, void *userdata,
                FetchJob **ret);
/* Aborts a job without calling done. */
void fetch_cancel(FetchJob *j);
const char *fetch_job_url(const FetchJob *j);

void fetch_result_done(FetchResult *r);
