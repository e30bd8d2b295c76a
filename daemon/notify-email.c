/* notify-email.c: the e-mail channel. Composes the message (mail-compose.c) with the current
 * cross-government view from the store, renders it (mail.c) and hands it to a transport: libcurl
 * SMTP (smtp:// with STARTTLS, or smtps://; AUTH with a password read now, from a file or a
 * credential), or a sendmail program fed on stdin. Both are asynchronous; the dispatcher learns
 * the outcome through dispatcher_complete(). A message is accepted when the SMTP server answered
 * 250 to the end of DATA, or sendmail exited 0.
 *
 * SMTP runs in a thread of its own per message, not on the daemon's CurlGlue: libcurl waits for
 * the answer to the end of DATA (and to QUIT) in a blocking loop inside the multi interface
 * (smtp_done(), curl issue #8555, still so in 7.88), which would stop the event loop, the polls
 * and the watchdog for as long as a slow server takes. The thread owns its easy handle until it
 * reports through an eventfd. Cancelling (at exit) shuts its socket down, which ends any wait
 * at once; a flag checked by curl's progress callback covers the moments between sockets. */
#include "notify.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "exec-job.h"
#include "mail-compose.h"
#include "notify-outbox.h"
#include "notify-secret.h"

#define SENDMAIL_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct EmailJob {
        Dispatcher *dispatcher;
        int64_t key; /* the delivery's first outbox row */
        char *message; /* the rendered message */
        size_t size, sent;
        /* SMTP: the worker thread and how it reports */
        CURL *curl;
        struct curl_slist *recipients;
        pthread_t thread;
        bool running;
        atomic_bool cancel;
        pthread_mutex_t lock; /* guards sock: the thread opens and closes it */
        int sock;
        int done_fd;
        sd_event_source *done;
        CURLcode rc;
        long code;
        char error[CURL_ERROR_SIZE];
        /* sendmail */
        ExecJob *exec;
        usec_t timeout;
} EmailJob;

static void email_job_free(EmailJob *j) {
        if (!j)
                return;
        if (j->running) {
                /* shutdown() wakes the thread at once wherever curl waits for the server;
                 * the flag catches it between sockets */
                atomic_store(&j->cancel, true);
                pthread_mutex_lock(&j->lock);
                if (j->sock >= 0)
                        (void) shutdown(j->sock, SHUT_RDWR);
                pthread_mutex_unlock(&j->lock);
                (void) pthread_join(j->thread, NULL);
        }
        pthread_mutex_destroy(&j->lock);
        if (j->curl)
                curl_easy_cleanup(j->curl);
        curl_slist_free_all(j->recipients);
        sd_event_source_disable_unref(j->done);
        if (j->done_fd >= 0)
                close(j->done_fd);
        exec_job_free(j->exec);
        free(j->message);
        free(j);
}

static void email_job_cancel(void *job) {
        email_job_free(job);
}

/* ---- composing ---- */

/* The ids of the enabled sources: the cross-government view leaves out what is not watched. */
static char **enabled_sources(const Config *c) {
        char **l = NULL;

        for (size_t i = 0; i < c->n_sources; i++)
                if (c->sources[i].enabled && strv_extend(&l, c->sources[i].id) < 0)
                        return strv_free(l);
        return l ?: calloc(1, sizeof(char *));
}

static int email_advice(Dispatcher *d, const Delivery *dl, GovernmentAdvice **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **countries = NULL, **sources = enabled_sources(dispatcher_config(d));

        if (!sources)
                return -ENOMEM;
        for (size_t i = 0; i < dl->n_items; i++)
                if (!strv_contains(countries, dl->changes[i].country) &&
                    strv_extend(&countries, dl->changes[i].country) < 0)
                        return -ENOMEM;
        return notify_outbox_current_advice(dispatcher_store(d), countries, sources, ret, ret_n);
}

static int email_compose(Dispatcher *d, const Delivery *dl, MailDraft *ret) {
        const NotifyConfig *n = dl->config;
        MailSetup setup = { .notifier = n->name, .from = n->from, .to = n->to, .now = time(NULL) };
        GovernmentAdvice *advice = NULL;
        size_t n_advice = 0;
        int r;

        if (!dl->change) {
                SourceEvent e = {
                        .outbox_id = dl->item->id,
                        .event = dl->item->event,
                        .source = dl->item->source,
                        .detail = dl->item->detail,
                        .failures = dispatcher_config(d)->daemon.failure_threshold,
                        .at = dl->item->created_at,
                };
                time_t last_attempt;
                (void) store_source_times(dispatcher_store(d), e.source, &last_attempt,
                                          &e.last_success);
                return mail_compose_source_event(ret, &setup, &e);
        }
        r = email_advice(d, dl, &advice, &n_advice);
        if (r < 0)
                return r;
        if (dl->n_items == 1)
                r = mail_compose_change(ret, &setup, dl->change, advice, n_advice);
        else {
                int64_t ids[dl->n_items];
                for (size_t i = 0; i < dl->n_items; i++)
                        ids[i] = dl->items[i].id;
                r = mail_compose_digest(ret, &setup, dl->changes, ids, dl->n_items, advice,
                                        n_advice);
        }
        government_advice_free_many(advice, n_advice);
        return r;
}

/* ---- SMTP ---- */

static size_t on_read(char *buf, size_t size, size_t nitems, void *userdata) {
        EmailJob *j = userdata;
        size_t n = MIN(size * nitems, j->size - j->sent);

        memcpy(buf, j->message + j->sent, n);
        j->sent += n;
        return n;
}

static void email_finish(EmailJob *j, int r, const char *error) {
        Dispatcher *d = j->dispatcher;
        int64_t key = j->key;
        _cleanup_free_ char *copy = error ? strdup(error) : NULL;

        email_job_free(j);
        dispatcher_complete(d, key, r, copy ?: error);
}

static void smtp_finish(EmailJob *j) {
        const char *what = j->error[0] ? j->error : curl_easy_strerror(j->rc);
        long code = j->code;
        char err[CURL_ERROR_SIZE + 64], reply[24] = "";

        if (j->rc == CURLE_OK) {
                email_finish(j, 0, NULL);
                return;
        }
        /* curl names the code for MAIL, RCPT and DATA, not for the end of the message */
        if (code > 0)
                snprintf(reply, sizeof(reply), "%ld", code);
        if (code > 0 && !strstr(what, reply))
                snprintf(err, sizeof(err), "SMTP: %s (%s)", what, reply);
        else
                snprintf(err, sizeof(err), "SMTP: %s", what);
        /* a 5xx to MAIL, RCPT or DATA is the server's final word on this message; a refused
         * login or STARTTLS is a configuration problem worth retrying until it is fixed */
        bool permanent = code >= 500 && code <= 599 && j->rc != CURLE_LOGIN_DENIED &&
                         j->rc != CURLE_USE_SSL_FAILED;
        email_finish(j, permanent ? -EPERM : -EIO, err);
}

static int on_smtp_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        EmailJob *j = userdata;
        uint64_t n;

        if (read(fd, &n, sizeof(n)) < 0 && errno == EAGAIN)
                return 0;
        /* the thread has written its last word and is returning */
        (void) pthread_join(j->thread, NULL);
        j->running = false;
        smtp_finish(j);
        return 0;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        EmailJob *j = userdata;
        return atomic_load(&j->cancel) ? 1 : 0;
}

static curl_socket_t on_open_socket(void *userdata, curlsocktype purpose,
                                    struct curl_sockaddr *a) {
        EmailJob *j = userdata;
        int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);

        pthread_mutex_lock(&j->lock);
        if (fd >= 0)
                j->sock = fd;
        pthread_mutex_unlock(&j->lock);
        return fd >= 0 ? fd : CURL_SOCKET_BAD;
}

static int on_close_socket(void *userdata, curl_socket_t fd) {
        EmailJob *j = userdata;

        pthread_mutex_lock(&j->lock);
        if (j->sock == fd)
                j->sock = -1;
        int r = close(fd);
        pthread_mutex_unlock(&j->lock);
        return r;
}

static void *smtp_worker(void *userdata) {
        EmailJob *j = userdata;
        uint64_t one = 1;

        j->rc = curl_easy_perform(j->curl);
        (void) curl_easy_getinfo(j->curl, CURLINFO_RESPONSE_CODE, &j->code);
        curl_easy_cleanup(j->curl);
        j->curl = NULL;
        (void) !write(j->done_fd, &one, sizeof(one));
        return NULL;
}

static long email_use_ssl(int starttls) {
        switch (starttls) {
        case 0:
                return CURLUSESSL_NONE;
        case 1:
                return CURLUSESSL_TRY;
        default:
                return CURLUSESSL_ALL;
        }
}

static int smtp_setup(EmailJob *j, const NotifyConfig *n, const DaemonSettings *ds, char *err,
                      size_t errlen) {
        CURL *c = j->curl;
        _cleanup_free_ char *from = strprintf("<%s>", n->from);
        long timeout_ms = (long) (ds->timeout / USEC_PER_MSEC);

        if (!from)
                return -ENOMEM;
        STRV_FOREACH(to, n->to) {
                _cleanup_free_ char *rcpt = strprintf("<%s>", *to);
                struct curl_slist *l = rcpt ? curl_slist_append(j->recipients, rcpt) : NULL;
                if (!l)
                        return -ENOMEM;
                j->recipients = l;
        }
        if (curl_easy_setopt(c, CURLOPT_URL, n->smtp_url) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_MAIL_FROM, from) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_MAIL_RCPT, j->recipients) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_READDATA, j) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t) j->size) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_USE_SSL, email_use_ssl(n->starttls)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
            (n->ca_file && curl_easy_setopt(c, CURLOPT_CAINFO, n->ca_file) != CURLE_OK) ||
            curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, MIN(timeout_ms, 30000L)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                             (long) MAX(ds->timeout / USEC_PER_SEC, (usec_t) 1)) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            /* QUIT within the transfer, where a cancel can stop it (curl_easy_cleanup() would
             * wait for its answer without asking our progress callback); none after an abort */
            curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_XFERINFODATA, j) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, j) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, j) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->error) != CURLE_OK)
                return -EINVAL;
        if (!n->smtp_user)
                return 0;
        if (curl_easy_setopt(c, CURLOPT_USERNAME, n->smtp_user) != CURLE_OK)
                return -EINVAL;
        if (!n->smtp_password_file && !n->smtp_credential)
                return 0;
        char *password = NULL;
        int r = notify_read_secret(n->smtp_password_file, n->smtp_credential, &password, err,
                                   errlen);
        if (r < 0)
                return r;
        /* curl keeps its own copy for the transfer */
        r = curl_easy_setopt(c, CURLOPT_PASSWORD, password) == CURLE_OK ? 0 : -EINVAL;
        secret_free(password);
        return r;
}

static int smtp_start(EmailJob *j, Dispatcher *d, const NotifyConfig *n,
                      const DaemonSettings *ds, char *err, size_t errlen) {
        int r;

        if (!(j->curl = curl_easy_init()))
                return -ENOMEM;
        r = smtp_setup(j, n, ds, err, errlen);
        if (r < 0)
                return r;
        j->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (j->done_fd < 0)
                return -errno;
        r = sd_event_add_io(dispatcher_event(d), &j->done, j->done_fd, EPOLLIN, on_smtp_done, j);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(j->done, "smtp-done");
        r = -pthread_create(&j->thread, NULL, smtp_worker, j);
        if (r < 0)
                return r;
        j->running = true;
        return 0;
}

/* ---- sendmail ---- */

static void on_sendmail_done(ExecJob *e, const ExecResult *result, void *userdata) {
        EmailJob *j = userdata;
        char what[300], err[400];

        if (exec_result_ok(result)) {
                email_finish(j, 0, NULL);
                return;
        }
        snprintf(err, sizeof(err), "sendmail: %s",
                 exec_result_describe(result, j->timeout, what, sizeof(what)));
        email_finish(j, -EIO, err);
}

/* sendmail reads a message with local line ends; -i: a line with a single dot is not the end */
static void crlf_to_lf(char *s, size_t *size) {
        size_t w = 0;
        for (size_t i = 0; i < *size; i++)
                if (!(s[i] == '\r' && i + 1 < *size && s[i + 1] == '\n'))
                        s[w++] = s[i];
        s[w] = '\0';
        *size = w;
}

static int sendmail_start(EmailJob *j, const NotifyConfig *n, const DaemonSettings *ds,
                          Dispatcher *d) {
        _cleanup_strv_free_ char **argv = NULL;
        char *const envp[] = { SENDMAIL_PATH, "LANG=C.UTF-8", NULL };

        if (strv_extend(&argv, n->sendmail) < 0 || strv_extend(&argv, "-i") < 0 ||
            strv_extend(&argv, "-f") < 0 || strv_extend(&argv, n->from) < 0 ||
            strv_extend(&argv, "--") < 0)
                return -ENOMEM;
        STRV_FOREACH(to, n->to)
                if (strv_extend(&argv, *to) < 0)
                        return -ENOMEM;
        crlf_to_lf(j->message, &j->size);
        j->timeout = ds->timeout;
        ExecRequest req = { .argv = argv, .envp = envp, .input = j->message,
                            .input_size = j->size, .timeout = ds->timeout };
        return exec_job_start(&j->exec, dispatcher_event(d), &req, on_sendmail_done, j);
}

/* ---- the channel ---- */

static bool email_addresses_valid(const NotifyConfig *n) {
        if (!mail_address_valid(n->from) || strv_length(n->to) == 0)
                return false;
        STRV_FOREACH(to, n->to)
                if (!mail_address_valid(*to))
                        return false;
        return true;
}

int notify_email_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen) {
        const NotifyConfig *n = dl->config;
        const DaemonSettings *ds = &dispatcher_config(d)->daemon;
        MailDraft draft = {};
        EmailJob *j;
        int r;

        if (!email_addresses_valid(n)) {
                snprintf(err, errlen, "e-mail: an address in 'from' or 'to' is not acceptable");
                return -EPERM;
        }
        if (!(j = calloc(1, sizeof(EmailJob))))
                return -ENOMEM;
        *j = (EmailJob) { .dispatcher = d, .key = dl->item->id, .done_fd = -EBADF, .sock = -1 };
        pthread_mutex_init(&j->lock, NULL);
        r = email_compose(d, dl, &draft);
        if (r >= 0)
                r = mail_render(&draft.mail, &j->message, &j->size);
        mail_draft_done(&draft);
        if (r < 0) {
                snprintf(err, errlen, "e-mail: cannot compose the message: %s", strerror(-r));
                email_job_free(j);
                return r == -ENOMEM ? r : -EPERM;
        }
        r = n->sendmail ? sendmail_start(j, n, ds, d) : smtp_start(j, d, n, ds, err, errlen);
        if (r < 0) {
                if (!err[0])
                        snprintf(err, errlen, "e-mail: cannot start the transfer: %s", strerror(-r));
                email_job_free(j);
                return r == -EPERM ? -EIO : r;
        }
        dispatcher_attach(d, dl, j, email_job_cancel);
        return 1;
}
