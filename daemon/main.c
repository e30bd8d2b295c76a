/* main.c: advisoryd's command line, configuration load, the one sd-event loop, signals and the
 * service manager protocol (READY, STATUS, RELOADING, STOPPING, WATCHDOG). */
#include <getopt.h>
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "config.h"
#include "log.h"
#include "manager.h"

typedef struct Options {
        const char *config;
        const char *database;
        bool once;
        bool test_config;
        bool quiet;
        int verbose;
} Options;

typedef struct Daemon {
        Options options;
        Manager *manager;
} Daemon;

static void help(void) {
        printf("Usage: advisoryd [OPTIONS]\n\n"
               "Watch governments' travel advisories and report every change.\n\n"
               "  -c, --config FILE    configuration file (default %s);\n"
               "                       drop-ins are read from FILE.d/*.conf\n"
               "      --database FILE  use this database instead of [daemon] database\n"
               "      --once           poll every enabled source once, deliver due\n"
               "                       notifications, exit (3: a source failed)\n"
               "      --test-config    check the configuration, print it, exit\n"
               "  -q, --quiet          with --test-config: print nothing when it is valid;\n"
               "                       otherwise: log warnings and errors only\n"
               "  -v, --verbose        debug messages\n"
               "      --version        print the version\n"
               "  -h, --help           this help\n",
               DEFAULT_CONFIG_FILE);
}

/* 0: run; 1: done (help, version); negative: usage error. */
static int parse_argv(int argc, char *argv[], Options *o) {
        enum { ARG_ONCE = 0x100, ARG_TEST_CONFIG, ARG_VERSION, ARG_DATABASE };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "database", required_argument, NULL, ARG_DATABASE },
                { "once", no_argument, NULL, ARG_ONCE },
                { "test-config", no_argument, NULL, ARG_TEST_CONFIG },
                { "quiet", no_argument, NULL, 'q' },
                { "verbose", no_argument, NULL, 'v' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        *o = (Options) { .config = DEFAULT_CONFIG_FILE };
        while ((c = getopt_long(argc, argv, "c:qvh", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        o->config = optarg;
                        break;
                case ARG_DATABASE:
                        o->database = optarg;
                        break;
                case ARG_ONCE:
                        o->once = true;
                        break;
                case ARG_TEST_CONFIG:
                        o->test_config = true;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case 'v':
                        o->verbose++;
                        break;
                case ARG_VERSION:
                        printf("advisoryd %s\n", VERSION);
                        return 1;
                case 'h':
                        help();
                        return 1;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "advisoryd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

/* Logs each error of a configuration that does not load on its own line (under systemd each
 * gets its priority); *ret_reason, when given, gets the first one, for the status line. */
static int load_config(const char *path, Config **ret, char **ret_reason) {
        _cleanup_free_ char *errors = NULL;
        const char *reason = NULL;
        char *state = NULL;
        int r = config_load(path, ret, &errors);

        if (r >= 0)
                return 0;
        if (r == -EINVAL && errors)
                for (char *line = strtok_r(errors, "\n", &state); line;
                     line = strtok_r(NULL, "\n", &state)) {
                        log_error("%s", line);
                        reason = reason ? reason : line;
                }
        else
                log_error_errno(r, "Failed to load %s: %m", path);
        if (ret_reason)
                *ret_reason = reason ? strdup(reason) : strprintf("cannot read %s", path);
        return r;
}

/* READY=1 with the current STATUS= in the same datagram: systemctl never shows a stale line. */
static void notify_ready(Daemon *d) {
        _cleanup_free_ char *status = manager_status(d->manager);
        (void) sd_notifyf(false, "READY=1\nSTATUS=%s", strempty(status));
}

static int on_term(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        /* signals are handled between loop iterations, never inside a transaction */
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        log_info("Received %s, exiting.", strsignal((int) si->ssi_signo));
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Parse into a fresh Config; swap only when it is valid. A failed reload keeps the service on
 * the running configuration and says so in STATUS= until a reload succeeds. */
static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Daemon *d = userdata;
        _cleanup_free_ char *reason = NULL, *note = NULL;
        Config *config = NULL;
        int r;

        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading configuration",
                          (unsigned long long) now_usec(CLOCK_MONOTONIC));
        log_info("Reloading %s.", d->options.config);
        r = load_config(d->options.config, &config, &reason);
        if (r < 0) {
                log_error("Configuration not reloaded; keeping the running configuration.");
                note = strprintf("configuration not reloaded: %s", strempty(reason));
        } else {
                (void) manager_set_status_note(d->manager, NULL);
                r = manager_reload(d->manager, config);
                if (r < 0) {
                        log_error_errno(r, "Failed to apply the new configuration: %m");
                        note = strprintf("configuration not applied: %s", strerror(-r));
                } else
                        log_info("Configuration reloaded.");
        }
        if (note && manager_set_status_note(d->manager, note) < 0)
                log_oom();
        notify_ready(d);
        return 0;
}

static int setup_event(sd_event **ret, Daemon *d) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&e);
        if (r < 0)
                return r;
        if ((r = sd_event_add_signal(e, NULL, SIGTERM, on_term, d)) < 0 ||
            (r = sd_event_add_signal(e, NULL, SIGINT, on_term, d)) < 0 ||
            (r = sd_event_add_signal(e, NULL, SIGHUP, on_hup, d)) < 0)
                return r;
        /* WATCHDOG=1 from the loop itself: a hung loop stops sending it */
        r = sd_event_set_watchdog(e, true);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(e);
        return 0;
}

static int run(Daemon *d) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        Config *config = NULL;
        int r;

        r = load_config(d->options.config, &config, NULL);
        if (r < 0)
                return 2;
        if (d->options.test_config) {
                if (!d->options.quiet)
                        config_dump(config, stdout);
                config_free(config);
                return 0;
        }
        r = setup_event(&e, d);
        if (r < 0) {
                config_free(config);
                return log_error_errno(r, "Failed to set up the event loop: %m"), 1;
        }
        ManagerOptions mo = { .database = d->options.database, .once = d->options.once };
        r = manager_new(&d->manager, e, config, &mo);
        if (r < 0) {
                config_free(config);
                return log_oom(), 1;
        }
        /* READY=1 once every source's first poll is armed (manager_start() arms them) */
        r = manager_start(d->manager);
        if (r < 0)
                return 1;
        notify_ready(d);
        r = sd_event_loop(e);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m"), 1;
        return d->options.once ? manager_exit_status(d->manager) : 0;
}

int main(int argc, char *argv[]) {
        Daemon d = {};
        int r;

        log_setup();
        r = parse_argv(argc, argv, &d.options);
        if (r != 0)
                return r > 0 ? 0 : 2;
        if (d.options.verbose)
                log_set_max_level(LOG_DEBUG);
        else if (d.options.quiet)
                log_set_max_level(LOG_WARNING);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        xmlInitParser();
        r = run(&d);
        manager_free(d.manager);
        xmlCleanupParser();
        curl_global_cleanup();
        return r;
}
