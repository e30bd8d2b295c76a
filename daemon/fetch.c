/* fetch.c: a conditional GET on top of curl-glue: request options, body collection with a size
 * cap, response validators, and the classification of failures. */
#include "fetch.h"

#include <ctype.h>
#include <curl/curl.h>

#include "log.h"

/* A server that trickles (a tarpit, a stuck proxy, a dying link) would otherwise hold a transfer
 * for the whole timeout: below FETCH_LOW_SPEED_LIMIT bytes/s for half the timeout (at least 1 s,
 * at most FETCH_LOW_SPEED_TIME_MAX) the transfer is given up, class timeout. Waiting for the
 * answer counts as slow too: a server that has not started answering after that long is not
 * going to be polite about the rest. */
#define FETCH_LOW_SPEED_LIMIT 100L
#define FETCH_LOW_SPEED_TIME_MAX 30L

struct FetchJob {
        CurlGlue *glue;
        CURL *curl;
        struct curl_slist *headers;
        char *url;
        char errbuf[CURL_ERROR_SIZE]; /* curl's own detail ("transfer closed with 10 bytes …") */
        Buffer body;
        uint64_t max_size;
        unsigned max_redirects;
        bool too_large;
        FetchDoneFn done;
        void *userdata;
};

static void fetch_job_free(FetchJob *j) {
        if (!j)
                return;
        if (j->curl)
                curl_easy_cleanup(j->curl);
        curl_slist_free_all(j->headers);
        buffer_done(&j->body);
        free(j->url);
        free(j);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        FetchJob *j = userdata;
        size_t n = size * nmemb;

        /* curl hands us decoded bytes: the cap also stops a gzip bomb */
        if (j->body.size + n > j->max_size) {
                j->too_large = true;
                return 0;
        }
        if (buffer_append(&j->body, ptr, n) < 0)
                return 0;
        return n;
}

static int fetch_add_header(FetchJob *j, const char *name, const char *value) {
        _cleanup_free_ char *h = NULL;
        struct curl_slist *l;

        if (isempty(value) || strpbrk(value, "\r\n"))
                return 0;
        if (!(h = strprintf("%s: %s", name, value)))
                return -ENOMEM;
        if (!(l = curl_slist_append(j->headers, h)))
                return -ENOMEM;
        j->headers = l;
        return 0;
}

static long fetch_low_speed_time(usec_t timeout) {
        long t = (long) (timeout / 2 / USEC_PER_SEC);
        return MAX(1L, MIN(t, FETCH_LOW_SPEED_TIME_MAX));
}

static int fetch_setup(FetchJob *j, const FetchRequest *req) {
        CURL *c = j->curl;
        long timeout_ms = (long) (req->timeout / USEC_PER_MSEC);

        if (fetch_add_header(j, "If-None-Match", req->etag) < 0 ||
            fetch_add_header(j, "If-Modified-Since", req->last_modified) < 0)
                return -ENOMEM;
        if (curl_easy_setopt(c, CURLOPT_URL, req->url) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long) req->max_redirects) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_USERAGENT, req->user_agent) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->headers) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, MIN(timeout_ms, 30000L)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED_LIMIT) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, fetch_low_speed_time(req->timeout)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->errbuf) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) req->max_size) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_WRITEDATA, j) != CURLE_OK)
                return -EINVAL;
        return 0;
}

static void fetch_on_finished(CurlGlue *g, CURL *curl, CURLcode rc, void *userdata);

int fetch_start(CurlGlue *g, const FetchRequest *req, FetchDoneFn done, void *userdata,
                FetchJob **ret) {
        FetchJob *j;
        int r;

        if (!(j = calloc(1, sizeof(FetchJob))))
                return -ENOMEM;
        *j = (FetchJob) { .glue = g, .max_size = req->max_size,
                      .max_redirects = req->max_redirects, .done = done, .userdata = userdata };
        if (!(j->url = strdup(req->url)) || !(j->curl = curl_easy_init())) {
                fetch_job_free(j);
                return -ENOMEM;
        }
        r = fetch_setup(j, req);
        if (r >= 0)
                r = curl_glue_add(g, j->curl, fetch_on_finished, j);
        if (r < 0) {
                fetch_job_free(j);
                return r;
        }
        if (ret)
                *ret = j;
        return 0;
}

void fetch_cancel(FetchJob *j) {
        if (!j)
                return;
        curl_glue_remove(j->glue, j->curl);
        fetch_job_free(j);
}

const char *fetch_job_url(const FetchJob *j) {
        return j->url;
}

static char *header_value(CURL *c, const char *name) {
        struct curl_header *h;
        if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
                return NULL;
        return strdup(h->value);
}

static time_t parse_retry_after(const char *v, time_t now) {
        unsigned secs;
        if (!v)
                return 0;
        if (safe_atou(v, &secs) >= 0)
                return now + (time_t) MIN(secs, 7u * 86400);
        time_t t = curl_getdate(v, NULL);
        return t > now ? t : 0;
}

static FailureClass classify_curl(CURLcode rc, bool too_large) {
        if (too_large)
                return FAILURE_TOO_LARGE;
        switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return FAILURE_DNS;
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return FAILURE_CONNECT;
        case CURLE_OPERATION_TIMEDOUT:
                return FAILURE_TIMEOUT;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
                return FAILURE_TLS;
        case CURLE_FILESIZE_EXCEEDED:
                return FAILURE_TOO_LARGE;
        case CURLE_BAD_CONTENT_ENCODING:
                return FAILURE_INVALID_DOCUMENT;
        default:
                return FAILURE_OTHER;
        }
}

/* The scheme of a URL a server sent us, for a message: letters, digits, "+-." only. */
static void url_scheme(const char *url, char buf[static 16]) {
        size_t n = 0;

        for (; url && n < 15 && (isalnum((unsigned char) url[n]) || strchr("+-.", url[n])); n++)
                buf[n] = url[n];
        if (!url || url[n] != ':' || n == 0)
                n = 0;
        buf[n] = '\0';
}

/* One line for people. Where curl's own detail is better than its generic text ("transfer closed
 * with 120 bytes remaining to read", "Operation too slow. Less than 100 bytes/sec transferred
 * the last 5 seconds"), the detail; redirects we refuse say why. */
static void fetch_describe_failure(FetchJob *j, CURLcode rc, FetchResult *res) {
        char scheme[16];

        if (res->failure == FAILURE_TOO_LARGE) {
                snprintf(res->error, sizeof(res->error), "document larger than %llu bytes",
                         (unsigned long long) j->max_size);
                return;
        }
        if (rc == CURLE_TOO_MANY_REDIRECTS) {
                snprintf(res->error, sizeof(res->error), "more than %u redirects (a redirect loop?)",
                         j->max_redirects);
                return;
        }
        if (rc == CURLE_UNSUPPORTED_PROTOCOL && res->status >= 300 && res->status <= 399) {
                char *location = NULL;
                (void) curl_easy_getinfo(j->curl, CURLINFO_EFFECTIVE_URL, &location); /* where it led */
                url_scheme(location, scheme);
                snprintf(res->error, sizeof(res->error),
                         "redirect to a%s%s%s URL refused: only http and https are followed",
                         scheme[0] ? " " : "n unsupported", scheme, scheme[0] ? ":" : "");
                return;
        }
        if (j->errbuf[0]) {
                /* it may quote what a server sent: made safe for logs, the journal and JSON */
                _cleanup_free_ char *clean = advisory_clean_text(j->errbuf, strlen(j->errbuf),
                                                                 sizeof(res->error) - 1);
                if (clean) {
                        snprintf(res->error, sizeof(res->error), "%s", clean);
                        return;
                }
        }
        snprintf(res->error, sizeof(res->error), "%s", curl_easy_strerror(rc));
}

static void fetch_result_fill(FetchJob *j, CURLcode rc, FetchResult *res) {
        curl_off_t received = 0;
        char *ct = NULL;

        *res = (FetchResult) {};
        curl_easy_getinfo(j->curl, CURLINFO_RESPONSE_CODE, &res->status);
        curl_easy_getinfo(j->curl, CURLINFO_SIZE_DOWNLOAD_T, &received);
        res->bytes_received = (uint64_t) received;
        if (curl_easy_getinfo(j->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
                res->content_type = strdup(ct);
        if (rc != CURLE_OK) {
                res->failure = classify_curl(rc, j->too_large);
                fetch_describe_failure(j, rc, res);
                return;
        }
        if (res->status == 304) {
                res->not_modified = true;
                return;
        }
        if (res->status < 200 || res->status > 299) {
                res->failure = res->status >= 500 ? FAILURE_HTTP_5XX : FAILURE_HTTP_4XX;
                snprintf(res->error, sizeof(res->error), "HTTP %ld", res->status);
                if (res->status == 429 || res->status == 503) {
                        _cleanup_free_ char *ra = header_value(j->curl, "Retry-After");
                        res->retry_after = parse_retry_after(ra, time(NULL));
                }
                return;
        }
        res->etag = header_value(j->curl, "ETag");
        res->last_modified = header_value(j->curl, "Last-Modified");
        res->size = j->body.size;
        res->data = buffer_steal(&j->body);
        if (!res->data) {
                res->failure = FAILURE_OTHER;
                snprintf(res->error, sizeof(res->error), "out of memory");
        }
}

static void fetch_on_finished(CurlGlue *g, CURL *curl, CURLcode rc, void *userdata) {
        FetchJob *j = userdata;
        FetchResult res;

        fetch_result_fill(j, rc, &res);
        j->done(j, &res, j->userdata);
        fetch_result_done(&res);
        fetch_job_free(j);
}

void fetch_result_done(FetchResult *r) {
        free(r->data);
        free(r->etag);
        free(r->last_modified);
        free(r->content_type);
        *r = (FetchResult) {};
}
