/* notify-exec.c: runs the notifier's command (execve, no shell) with the JSON payload on stdin and
 * the same facts as ADVISORY_* variables in an otherwise minimal environment. Scraped text is
 * data here: it reaches the program as bytes of stdin and of environment values, never as words
 * of a command line. Exit status 0: delivered; anything else (or the timeout): retried. */
#include "notify.h"

#include "change.h"
#include "country.h"
#include "exec-job.h"
#include "source.h"
#include "timeutil.h"

#define EXEC_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct ExecNotify {
        Dispatcher *dispatcher;
        int64_t key;
        ExecJob *job;
        usec_t timeout;
        char *input;
        char **argv, **envp;
} ExecNotify;

static void exec_notify_free(ExecNotify *x) {
        if (!x)
                return;
        exec_job_free(x->job);
        free(x->input);
        strv_free(x->argv);
        strv_free(x->envp);
        free(x);
}

static void exec_notify_cancel(void *job) {
        exec_notify_free(job);
}

static int env_add(char ***env, const char *name, const char *value) {
        if (!value)
                return 0; /* absent: unset, as in the journal */
        char *s = strprintf("ADVISORY_%s=%s", name, value);
        return s ? strv_push(env, s) : -ENOMEM;
}

static int env_add_int(char ***env, const char *name, long long v) {
        char s[32];
        if (v <= 0)
                return 0;
        snprintf(s, sizeof(s), "%lld", v);
        return env_add(env, name, s);
}

static int env_add_time(char ***env, const char *name, time_t t) {
        char buf[ISO8601_MAX];
        return t > 0 ? env_add(env, name, format_iso8601(buf, t, false)) : 0;
}

static int exec_environment(const Delivery *dl, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        const OutboxItem *o = dl->item;
        const Change *c = dl->change;

        if (strv_extend(&env, EXEC_PATH) < 0 || strv_extend(&env, "LANG=C.UTF-8") < 0 ||
            env_add(&env, "EVENT", outbox_event_to_string(o->event)) < 0 ||
            env_add_int(&env, "ID", c ? c->id : o->id) < 0 ||
            env_add_int(&env, "DELIVERY", o->id) < 0 ||
            env_add(&env, "NOTIFIER", o->notifier) < 0 ||
            env_add(&env, "SOURCE", o->source) < 0 ||
            env_add(&env, "GOVERNMENT", source_government(o->source)) < 0)
                return -ENOMEM;
        if (!c) {
                if (env_add(&env, "DETAIL", o->detail) < 0 ||
                    env_add_time(&env, "OBSERVED_AT", o->created_at) < 0)
                        return -ENOMEM;
        } else if (env_add(&env, "COUNTRY", c->country) < 0 ||
                   env_add(&env, "COUNTRY_NAME", country_name(c->country)) < 0 ||
                   env_add_int(&env, "LEVEL", c->level) < 0 ||
                   env_add_int(&env, "PREVIOUS_LEVEL", c->previous_level) < 0 ||
                   env_add_int(&env, "REGIONAL_LEVEL", c->regional_level) < 0 ||
                   env_add_int(&env, "PREVIOUS_REGIONAL_LEVEL", c->previous_regional_level) < 0 ||
                   env_add(&env, "LABEL", c->label) < 0 || env_add(&env, "UPDATED", c->updated) < 0 ||
                   env_add(&env, "URL", c->url) < 0 ||
                   env_add_time(&env, "OBSERVED_AT", c->observed_at) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

static char *exec_input(const Delivery *dl) {
        _cleanup_json_ json_t *o = dl->change
                                           ? change_to_json(dl->change)
                                           : source_event_to_json(dl->item->id, dl->item->event,
                                                                  dl->item->source, dl->item->detail,
                                                                  dl->item->created_at);
        _cleanup_free_ char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        return s ? strprintf("%s\n", s) : NULL;
}

static void on_exec_done(ExecJob *e, const ExecResult *result, void *userdata) {
        ExecNotify *x = userdata;
        Dispatcher *d = x->dispatcher;
        int64_t key = x->key;
        char what[300], err[400];
        bool ok = exec_result_ok(result);

        if (!ok)
                snprintf(err, sizeof(err), "%s: %s", x->argv[0],
                         exec_result_describe(result, x->timeout, what, sizeof(what)));
        exec_notify_free(x);
        dispatcher_complete(d, key, ok ? 0 : -EIO, ok ? NULL : err);
}

int notify_exec_deliver(Dispatcher *d, const Delivery *dl, char *err, size_t errlen) {
        const NotifyConfig *n = dl->config;
        ExecNotify *x;
        int r = -ENOMEM;

        if (!(x = calloc(1, sizeof(ExecNotify))))
                return -ENOMEM;
        *x = (ExecNotify) { .dispatcher = d, .key = dl->item->id, .timeout = n->timeout };
        if ((x->input = exec_input(dl)) && (x->argv = strv_copy(n->command)) &&
            (r = exec_environment(dl, &x->envp)) >= 0) {
                ExecRequest req = { .argv = x->argv, .envp = x->envp, .input = x->input,
                                    .input_size = strlen(x->input), .timeout = n->timeout };
                r = exec_job_start(&x->job, dispatcher_event(d), &req, on_exec_done, x);
        }
        if (r < 0) {
                snprintf(err, errlen, "%s: cannot start: %s", n->command[0], strerror(-r));
                exec_notify_free(x);
                return r;
        }
        dispatcher_attach(d, dl, x, exec_notify_cancel);
        return 1;
}
