/* notify-webhook.c: an HTTP POST of the JSON payload on the daemon's CurlGlue. The body is
 * signed with HMAC-SHA-256 when the notifier has a secret; the receiver gets the outbox row
 * (X-Advisoryd-Delivery) and an Idempotency-Key equal to the payload's "id", which a re-sent
 * notification keeps. 2xx: delivered; 4xx other than 408 and 429: the receiver refuses it for
 * good; anything else (5xx, redirects, network errors, the timeout): retried. */
#include "notify.h"

#include "advisory.h"
#include "change.h"
#include "hmac.h"
#include "notify-secret.h"

#define RESPONSE_EXCERPT 200

typedef struct WebhookJob {
        Dispatcher *dispatcher;
        int64_t key;
        CurlGlue *glue;
        CURL *curl;
        struct curl_slist *headers;
        char *body;
        char response[RESPONSE_EXCERPT + 1];
        size_t response_size;
        char error[CURL_ERROR_SIZE];
} WebhookJob;

static void webhook_job_free(WebhookJob *j) {
        if (!j)
                return;
        if (j->curl) {
                curl_glue_remove(j->glue, j->curl);
                curl_easy_cleanup(j->curl);
        }
        curl_slist_free_all(j->headers);
        free(j->body);
        free(j);
}

static void webhook_job_cancel(void *job) {
        webhook_job_free(job);
}

/* The payload of DESIGN.md: a change, or a source event whose id is its outbox row. */
static char *webhook_payload(const Delivery *dl, json_int_t *ret_id) {
        _cleanup_json_ json_t *o = NULL;

        if (dl->change)
                o = change_to_json(dl->change);
        else
                o = source_event_to_json(dl->item->id, dl->item->event, dl->item->source,
                                         dl->item->detail, dl->item->created_at);
        if (!o)
                return NULL;
        *ret_id = json_integer_value(json_object_get(o, "id"));
        return json_dumps(o, JSON_COMPACT);
}

static int webhook_header(WebhookJob *j, const char *fmt, ...) _printf_(2, 3);
static int webhook_header(WebhookJob *j, const char *fmt, ...) {
        _cleanup_free_ char *h = NULL;
        struct curl_slist *l;
        va_list ap;

        va_start(ap, fmt);
        h = strvprintf(fmt, ap);
        va_end(ap);
        if (!h || !(l = curl_slist_append(j->headers, h)))
                return -ENOMEM;
        j->headers = l;
        return 0;
}

static int webhook_sign(WebhookJob *j, const NotifyConfig *n, char *err, size_t errlen) {
        uint8_t mac[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];
        char *secret = NULL;
        int r;

        if (!n->secret_file && !n->secret_credential)
                return 0;
        r = notify_read_secret(n->secret_file, n->secret_credential, &secret, err, errlen);
        if (r < 0)
                return r;
        hmac_sha256(secret, strlen(secret), j->body, strlen(j->body), mac);
        secret_free(secret);
        return webhook_header(j, "X-Advisoryd-Signature: sha256=%s",
                              hex_encode(mac, sizeof(mac), hex));
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        WebhookJob *j = userdata;
        size_t n = size * nmemb, keep = MIN(n, RESPONSE_EXCERPT - j->response_size);

        memcpy(j->response + j->response_size, ptr, keep);
        j->response_size += keep;
        return n;
}

static void on_webhook_done(CurlGlue *g, CURL *curl, CURLcode rc, void *userdata) {
        WebhookJob *j = userdata;
        Dispatcher *d = j->dispatcher;
        int64_t key = j->key;
        _cleanup_free_ char *excerpt = NULL;
        char err[CURL_ERROR_SIZE + 300] = "";
        long code = 0;
        int r = 0;

        (void) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        if (rc != CURLE_OK) {
                snprintf(err, sizeof(err), "webhook: %s",
                         j->error[0] ? j->error : curl_easy_strerror(rc));
                r = -EIO;
        } else if (code < 200 || code > 299) {
                excerpt = advisory_clean_text(j->response, j->response_size, 120);
                snprintf(err, sizeof(err), "webhook: HTTP %ld%s%s", code,
                         isempty(excerpt) ? "" : ": ", strempty(excerpt));
                r = code >= 400 && code <= 499 && code != 408 && code != 429 ? -EPERM : -EIO;
        }
        curl_easy_cleanup(j->curl);
        j->curl = NULL;
        webhook_job_free(j);
        dispatcher_complete(d, key, r, r < 0 ? err : NULL);
}

static int webhook_setup(WebhookJob *j, const NotifyConfig *n, const char *user_agent,
                         json_int_t id, int64_t delivery) {
        CURL *c = j->curl;
        long timeout_ms = (long) (n->timeout / USEC_PER_MSEC);

        if (webhook_header(j, "Content-Type: application/json") < 0 ||
            webhook_header(j, "X-Advisoryd-Delivery: %lld", (long long) delivery) < 0 ||
            webhook_header(j, "Idempotency-Key: %lld", (long long) id) < 0 ||
            webhook_header(j, "Expect:") < 0)
                return -ENOMEM;
        if (curl_easy_setopt(c, CURLOPT_URL, n->url) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(j->body)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->headers) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, MIN(timeout_ms, 30000L)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_WRITEDATA, j) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->error) != CURLE_OK)
                return -EINVAL;
        return 0;
}

int notify_webhook_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen) {
        const NotifyConfig *n = dl->config;
        WebhookJob *j;
        json_int_t id = 0;
        int r;

        if (!(j = calloc(1, sizeof(WebhookJob))))
                return -ENOMEM;
        *j = (WebhookJob) { .dispatcher = d, .key = dl->item->id, .glue = dispatcher_glue(d) };
        if (!(j->body = webhook_payload(dl, &id)) || !(j->curl = curl_easy_init()))
                r = -ENOMEM;
        else if ((r = webhook_sign(j, n, err, errlen)) >= 0 &&
                 (r = webhook_setup(j, n, dispatcher_config(d)->daemon.user_agent, id,
                                    dl->item->id)) >= 0)
                r = curl_glue_add(j->glue, j->curl, on_webhook_done, j);
        if (r < 0) {
                if (!err[0])
                        snprintf(err, errlen, "webhook: cannot start the request: %s", strerror(-r));
                webhook_job_free(j);
                return r == -EPERM ? -EIO : r;
        }
        dispatcher_attach(d, dl, j, webhook_job_cancel);
        return 1;
}
