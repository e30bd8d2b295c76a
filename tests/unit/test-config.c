/* test-config.c: the configuration parser. A full configuration lands in the Config struct with
 * units applied; defaults, comments, continuation lines and drop-ins behave as documented; every
 * kind of mistake is reported with its file:line, all of them, in file order; config_dump()
 * prints the normalised form without secrets, and reading that form back gives the same dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <regex.h>
#include <sys/stat.h>
#include <syslog.h>

#include "config.h"
#include "util.h"

typedef struct Fixture {
        char dir[32];
        char *path; /* <dir>/advisoryd.conf */
} Fixture;

static int setup(void **state) {
        Fixture *t = calloc(1, sizeof(Fixture));

        if (!t)
                return -1;
        strcpy(t->dir, "/tmp/test-config-XXXXXX");
        if (!mkdtemp(t->dir) || !(t->path = strprintf("%s/advisoryd.conf", t->dir))) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static int teardown(void **state) {
        Fixture *t = *state;
        int r = nftw(t->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);

        free(t->path);
        free(t);
        return r;
}

/* Replaces @DIR@ (the temporary directory) and @CONF@ (the main configuration file). */
static char *expand(const Fixture *t, const char *s) {
        Buffer b = {};

        while (*s) {
                if (startswith(s, "@DIR@")) {
                        assert_int_equal(buffer_puts(&b, t->dir), 0);
                        s += strlen("@DIR@");
                } else if (startswith(s, "@CONF@")) {
                        assert_int_equal(buffer_puts(&b, t->path), 0);
                        s += strlen("@CONF@");
                } else
                        assert_int_equal(buffer_append(&b, s++, 1), 0);
        }
        return buffer_steal(&b);
}

/* Writes name (relative to the temporary directory; "advisoryd.conf.d/x.conf" creates the
 * drop-in directory) with the expanded text. */
static void write_file(const Fixture *t, const char *name, const char *text) {
        _cleanup_free_ char *path = strprintf("%s/%s", t->dir, name);
        _cleanup_free_ char *data = expand(t, text);
        _cleanup_fclose_ FILE *f = NULL;
        char *slash;

        assert_non_null(path);
        slash = strrchr(path, '/');
        *slash = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                fail_msg("mkdir %s: %m", path);
        *slash = '/';
        assert_non_null(f = fopen(path, "we"));
        assert_int_equal(fputs(data, f) >= 0, true);
}

static Config *load_ok(const Fixture *t, const char *text) {
        _cleanup_free_ char *errors = NULL;
        Config *c = NULL;
        int r;

        if (text)
                write_file(t, "advisoryd.conf", text);
        r = config_load(t->path, &c, &errors);
        if (r < 0)
                fail_msg("config_load: %s\n%s", strerror(-r), strempty(errors));
        assert_null(errors);
        assert_non_null(c);
        return c;
}

/* Loads the configuration as it is on disk, expecting exactly these errors. Says what differs
 * and returns false on a mismatch, so that a table of cases reports every failing case. */
static bool errors_match(const Fixture *t, const char *name, const char *expected) {
        _cleanup_free_ char *errors = NULL, *want = expand(t, expected);
        Config *c = NULL;
        int r = config_load(t->path, &c, &errors);

        if (r != -EINVAL) {
                print_error("%s: config_load() returned %d, want -EINVAL\n", name, r);
                config_free(c);
                return false;
        }
        assert_null(c);
        if (!streq_ptr(errors, want)) {
                print_error("%s: errors\n%swant\n%s\n", name, strna(errors), want);
                return false;
        }
        return true;
}

static void check_errors(const Fixture *t, const char *name, const char *expected) {
        if (!errors_match(t, name, expected))
                fail();
}

static void load_fail(const Fixture *t, const char *name, const char *text, const char *expected) {
        write_file(t, "advisoryd.conf", text);
        check_errors(t, name, expected);
}

static char *dump(const Config *c) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        config_dump(c, f);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void assert_strv_equal(char *const *got, const char *const *want) {
        size_t n = 0;

        for (; want[n]; n++) {
                if (!got || !got[n])
                        fail_msg("list ends after %zu words, want '%s' next", n, want[n]);
                assert_string_equal(got[n], want[n]);
        }
        if (got && got[n])
                fail_msg("unexpected word '%s' after %zu words", got[n], n);
}

#define STRV(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const NotifyConfig *find_notifier(const Config *c, const char *name) {
        for (size_t i = 0; i < c->n_notifiers; i++)
                if (streq(c->notifiers[i].name, name))
                        return &c->notifiers[i];
        fail_msg("no [notify:%s]", name);
        return NULL;
}

/* DESIGN.md's example, every key set, with the comments it carries. */
static const char full_config[] =
        "[daemon]\n"
        "database = /var/lib/advisoryd/test.db\n"
        "interval = 1h            # default poll interval per source\n"
        "jitter = 5m\n"
        "timeout = 45s            # per request\n"
        "max_document_size = 16M\n"
        "max_connections = 16\n"
        "max_connections_per_host = 4\n"
        "user_agent = advisoryd/0.1.0 (+https://your.site/contact)\n"
        "retry_max_age = 2d\n"
        "failure_threshold = 5\n"
        "mass_change_threshold = 25%\n"
        "mass_change_confirmations = 3\n"
        "\n"
        "[source:us]\n"
        "enabled = yes\n"
        "interval = 30m           # overrides [daemon]\n"
        "url = https://mirror.example.org/TAsTWs.xml\n"
        "\n"
        "[source:mygov]           # a user-defined source: no C needed\n"
        "type = html              # html | xml\n"
        "url = https://example.gov/advice/{country}.html   # {country} = lower-case alpha-2\n"
        "countries = kz ua RU\n"
        "xpath = //div[@class=\"advisory-level\"]\n"
        "level4 = Do not travel   # POSIX extended regex, case-insensitive\n"
        "level3 = Reconsider\n"
        "level2 = caution\n"
        "level1 = normal\n"
        "\n"
        "[notify:ops]\n"
        "type = email             # email | syslog | journal | webhook | exec\n"
        "to = duty@example.org security@example.org\n"
        "from = advisoryd@example.org\n"
        "smtp_url = smtp://mail.example.org:587      # or smtps://…:465\n"
        "starttls = opportunistic # required | opportunistic | no\n"
        "smtp_user = advisoryd\n"
        "smtp_password_file = @DIR@/smtp.pass\n"
        "ca_file = /etc/ssl/certs/ca-certificates.crt    # optional\n"
        "digest = 15m\n"
        "countries = *\n"
        "sources = *\n"
        "min_level = 3\n"
        "events = change source-failing\n"
        "\n"
        "[notify:journal]\n"
        "type = journal\n"
        "\n"
        "[notify:log]\n"
        "type = syslog\n"
        "facility = local3\n"
        "ident = advisory-test\n"
        "socket = /run/test-log\n"
        "countries = no se\n"
        "sources = us mygov\n"
        "\n"
        "[notify:hook]\n"
        "type = webhook\n"
        "url = https://hooks.example.org/advisory\n"
        "secret_file = @DIR@/hook.secret\n"
        "timeout = 10s\n"
        "\n"
        "[notify:script]\n"
        "type = exec\n"
        "command = /usr/local/bin/on-advisory --verbose \"--label=Do not travel\" 'no $HOME'\n"
        "timeout = 30s\n";

static void test_full(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *c = load_ok(t, full_config);
        const DaemonSettings *d = &c->daemon;
        const SourceConfig *us, *my;
        const NotifyConfig *n;
        _cleanup_free_ char *pass = strprintf("%s/smtp.pass", t->dir);
        _cleanup_free_ char *secret = strprintf("%s/hook.secret", t->dir);

        assert_string_equal(c->path, t->path);
        assert_string_equal(d->database, "/var/lib/advisoryd/test.db");
        assert_int_equal(d->interval, 3600 * USEC_PER_SEC);
        assert_int_equal(d->jitter, 300 * USEC_PER_SEC);
        assert_int_equal(d->timeout, 45 * USEC_PER_SEC);
        assert_int_equal(d->max_document_size, 16 * 1024 * 1024);
        assert_int_equal(d->max_connections, 16);
        assert_int_equal(d->max_connections_per_host, 4);
        assert_string_equal(d->user_agent, "advisoryd/0.1.0 (+https://your.site/contact)");
        assert_int_equal(d->retry_max_age, 2 * 86400 * USEC_PER_SEC);
        assert_int_equal(d->failure_threshold, 5);
        assert_int_equal(d->mass_change_percent, 25);
        assert_int_equal(d->mass_change_confirmations, 3);

        assert_int_equal(c->n_sources, 2);
        us = config_find_source(c, "us");
        assert_ptr_equal(us, &c->sources[0]);
        assert_int_equal(us->kind, SOURCE_KIND_BUILTIN);
        assert_true(us->enabled);
        assert_int_equal(us->interval, 30 * 60 * USEC_PER_SEC);
        assert_string_equal(us->url, "https://mirror.example.org/TAsTWs.xml");
        assert_string_equal(us->file, t->path);
        assert_int_equal(us->line, 15);

        my = config_find_source(c, "mygov");
        assert_ptr_equal(my, &c->sources[1]);
        assert_int_equal(my->kind, SOURCE_KIND_HTML);
        assert_true(my->enabled);
        assert_int_equal(my->interval, 0); /* [daemon] interval */
        assert_string_equal(my->url, "https://example.gov/advice/{country}.html");
        assert_strv_equal(my->countries, STRV("KZ", "UA", "RU"));
        assert_string_equal(my->xpath, "//div[@class=\"advisory-level\"]");
        assert_string_equal(my->level_regex[4], "Do not travel");
        assert_string_equal(my->level_regex[3], "Reconsider");
        assert_string_equal(my->level_regex[2], "caution");
        assert_string_equal(my->level_regex[1], "normal");
        assert_null(config_find_source(c, "no"));

        assert_int_equal(c->n_notifiers, 5);
        n = find_notifier(c, "ops");
        assert_int_equal(n->type, NOTIFY_EMAIL);
        assert_strv_equal(n->to, STRV("duty@example.org", "security@example.org"));
        assert_string_equal(n->from, "advisoryd@example.org");
        assert_string_equal(n->smtp_url, "smtp://mail.example.org:587");
        assert_int_equal(n->starttls, 1);
        assert_string_equal(n->smtp_user, "advisoryd");
        assert_string_equal(n->smtp_password_file, pass);
        assert_null(n->smtp_credential);
        assert_string_equal(n->ca_file, "/etc/ssl/certs/ca-certificates.crt");
        assert_int_equal(n->digest, 15 * 60 * USEC_PER_SEC);
        assert_null(n->countries); /* "*" */
        assert_null(n->sources);
        assert_int_equal(n->min_level, 3);
        assert_int_equal(n->events, NOTIFY_EVENT_CHANGE | NOTIFY_EVENT_SOURCE_FAILING);

        n = find_notifier(c, "journal");
        assert_int_equal(n->type, NOTIFY_JOURNAL);

        n = find_notifier(c, "log");
        assert_int_equal(n->type, NOTIFY_SYSLOG);
        assert_int_equal(n->facility, LOG_LOCAL3);
        assert_string_equal(n->ident, "advisory-test");
        assert_string_equal(n->socket, "/run/test-log");
        assert_strv_equal(n->countries, STRV("NO", "SE"));
        assert_strv_equal(n->sources, STRV("us", "mygov"));

        n = find_notifier(c, "hook");
        assert_int_equal(n->type, NOTIFY_WEBHOOK);
        assert_string_equal(n->url, "https://hooks.example.org/advisory");
        assert_string_equal(n->secret_file, secret);
        assert_null(n->secret_credential);
        assert_int_equal(n->timeout, 10 * USEC_PER_SEC);

        n = find_notifier(c, "script");
        assert_int_equal(n->type, NOTIFY_EXEC);
        /* split into argv like a shell would, but without one: no $HOME expansion */
        assert_strv_equal(n->command, STRV("/usr/local/bin/on-advisory", "--verbose",
                                           "--label=Do not travel", "no $HOME"));
        assert_int_equal(n->timeout, 30 * USEC_PER_SEC);
}

static void test_defaults(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *c = load_ok(t, "[source:us]\n"
                                                "[notify:j]\ntype = journal\n"
                                                "[notify:s]\ntype = syslog\n"
                                                "[notify:m]\ntype = email\nto = a@example.org\n"
                                                "from = b@example.org\nsmtp_url = smtps://mx\n"
                                                "[notify:w]\ntype = webhook\nurl = http://h/\n"
                                                "[notify:x]\ntype = exec\ncommand = /bin/true\n");
        const DaemonSettings *d = &c->daemon;
        const NotifyConfig *n;

        assert_string_equal(d->database, "/var/lib/advisoryd/advisoryd.db");
        assert_int_equal(d->interval, USEC_PER_HOUR);
        assert_int_equal(d->jitter, 5 * USEC_PER_MINUTE);
        assert_int_equal(d->timeout, 60 * USEC_PER_SEC);
        assert_int_equal(d->max_document_size, 16 * 1024 * 1024);
        assert_int_equal(d->max_connections, 16);
        assert_int_equal(d->max_connections_per_host, 4);
        assert_string_equal(d->user_agent, "advisoryd/" VERSION);
        assert_int_equal(d->retry_max_age, 3 * USEC_PER_DAY);
        assert_int_equal(d->failure_threshold, 3);

        /* an empty [source:us] section enables the source with its built-in address */
        assert_int_equal(c->n_sources, 1);
        assert_string_equal(c->sources[0].id, "us");
        assert_int_equal(c->sources[0].kind, SOURCE_KIND_BUILTIN);
        assert_true(c->sources[0].enabled);
        assert_int_equal(c->sources[0].interval, 0);
        assert_null(c->sources[0].url);

        assert_int_equal(c->n_notifiers, 5);
        for (size_t i = 0; i < c->n_notifiers; i++) {
                n = &c->notifiers[i];
                assert_null(n->countries);
                assert_null(n->sources);
                assert_int_equal(n->min_level, 1);
                assert_int_equal(n->events, NOTIFY_EVENT_CHANGE);
        }
        n = find_notifier(c, "j");
        assert_string_equal(n->socket, "/run/systemd/journal/socket");
        n = find_notifier(c, "s");
        assert_string_equal(n->socket, "/dev/log");
        assert_string_equal(n->ident, "advisoryd");
        assert_int_equal(n->facility, LOG_DAEMON);
        n = find_notifier(c, "m");
        assert_int_equal(n->starttls, 2); /* required */
        assert_int_equal(n->digest, 0);
        assert_null(n->smtp_user);
        n = find_notifier(c, "w");
        assert_int_equal(n->timeout, 30 * USEC_PER_SEC);
        n = find_notifier(c, "x");
        assert_int_equal(n->timeout, 30 * USEC_PER_SEC);
        assert_strv_equal(n->command, STRV("/bin/true"));
}

static void test_empty_and_disabled(void **state) {
        const Fixture *t = *state;
        Config *c = load_ok(t, "# nothing configured yet\n\n");

        assert_int_equal(c->n_sources, 0);
        assert_int_equal(c->n_notifiers, 0);
        config_free(c);

        c = load_ok(t, "[source:us]\nenabled = no\n");
        assert_int_equal(c->n_sources, 1);
        assert_false(c->sources[0].enabled);
        config_free(c);
}

static void test_comments(void **state) {
        const Fixture *t = *state;
        /* CRLF line ends and a byte order mark, as an editor on another system may write */
        _cleanup_config_ Config *c = load_ok(
                t, "\xef\xbb\xbf[daemon]   ; the daemon\r\n"
                   "; a comment\r\n"
                   "# another comment\r\n"
                   "  # an indented comment\r\n"
                   "interval = 2h ; two hours\r\n"
                   "jitter = 1m # one minute\r\n"
                   "user_agent = Mozilla/5.0 (X11;Linux) advisoryd#1\r\n"
                   "\r\n"
                   "[source:mygov] # mine\r\n"
                   "type = xml\r\n"
                   "url = https://example.gov/{COUNTRY}.xml#top\r\n"
                   "xpath = //level\r\n"
                   "level4 = ^4$\t# tab before the comment\r\n");
        const SourceConfig *s = config_find_source(c, "mygov");

        assert_int_equal(c->daemon.interval, 2 * USEC_PER_HOUR);
        assert_int_equal(c->daemon.jitter, USEC_PER_MINUTE);
        /* ';' and '#' start comments only after white space */
        assert_string_equal(c->daemon.user_agent, "Mozilla/5.0 (X11;Linux) advisoryd#1");
        assert_non_null(s);
        assert_int_equal(s->kind, SOURCE_KIND_XML);
        assert_string_equal(s->url, "https://example.gov/{COUNTRY}.xml#top");
        assert_string_equal(s->level_regex[4], "^4$");
        assert_null(s->level_regex[3]);
}

static void test_continuation(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *c = load_ok(t, "[daemon]\n"
                                                "  interval = 2h\n" /* indented, but a key */
                                                "[source:mygov]\n"
                                                "type = html\n"
                                                "url = https://example.gov/{country}\n"
                                                "countries = kz\n"
                                                "    ua, ru\n"
                                                "\n"
                                                "    # Belarus too\n"
                                                "\tby\n"
                                                "xpath = //p\n"
                                                "level3 = avoid\n"
                                                "[notify:ops]\n"
                                                "type = email\n"
                                                "to = duty@example.org\n"
                                                "  security@example.org  ; the SOC\n"
                                                "  travel@example.org\n"
                                                "from = advisoryd@example.org\n"
                                                "sendmail = /usr/sbin/sendmail\n"
                                                "events = change\n"
                                                "  source-failing\n"
                                                "  source-recovered\n"
                                                "countries = KZ\n"
                                                "  UA xk\n");
        const NotifyConfig *n = find_notifier(c, "ops");

        assert_int_equal(c->daemon.interval, 2 * USEC_PER_HOUR);
        assert_strv_equal(config_find_source(c, "mygov")->countries, STRV("KZ", "UA", "RU", "BY"));
        assert_strv_equal(n->to, STRV("duty@example.org", "security@example.org",
                                      "travel@example.org"));
        assert_int_equal(n->events, NOTIFY_EVENT_CHANGE | NOTIFY_EVENT_SOURCE_FAILING |
                                            NOTIFY_EVENT_SOURCE_RECOVERED);
        assert_strv_equal(n->countries, STRV("KZ", "UA", "XK")); /* Kosovo's user-assigned code */
        assert_string_equal(n->sendmail, "/usr/sbin/sendmail");
        assert_null(n->smtp_url);
}

static void test_dropins(void **state) {
        const Fixture *t = *state;
        Config *c;
        const NotifyConfig *n;

        write_file(t, "advisoryd.conf",
                   "[daemon]\ninterval = 1h\njitter = 1m\n"
                   "[source:us]\n"
                   "[notify:ops]\ntype = email\nto = a@example.org\n  b@example.org\n"
                   "from = advisoryd@example.org\nsmtp_url = smtp://mx\nmin_level = 2\n");
        /* lexical, not numeric, order: 10-… before 9-… */
        write_file(t, "advisoryd.conf.d/9-late.conf", "[daemon]\ninterval = 3h\n");
        write_file(t, "advisoryd.conf.d/10-early.conf", "[daemon]\ninterval = 2h\n");
        write_file(t, "advisoryd.conf.d/50-notify.conf", "[notify:ops]\nto = c@example.org\n");
        write_file(t, "advisoryd.conf.d/60-new.conf",
                   "[source:mygov]\ntype = html\nurl = https://g/{country}\nxpath = //p\n"
                   "level1 = ok\n"
                   "[source:us]\nenabled = no\n");
        /* not drop-ins: never read, although they are not even INI */
        write_file(t, "advisoryd.conf.d/README", "not a configuration\n");
        write_file(t, "advisoryd.conf.d/70-off.conf.disabled", "garbage\n");
        write_file(t, "advisoryd.conf.d/.80-hidden.conf", "garbage\n");
        write_file(t, "advisoryd.conf.d/90-backup.conf~", "garbage\n");

        c = load_ok(t, NULL);
        assert_int_equal(c->daemon.interval, 3 * USEC_PER_HOUR);
        assert_int_equal(c->daemon.jitter, USEC_PER_MINUTE); /* not overridden */
        n = find_notifier(c, "ops");
        assert_strv_equal(n->to, STRV("c@example.org")); /* replaced, not appended */
        assert_string_equal(n->from, "advisoryd@example.org");
        assert_int_equal(n->min_level, 2);
        assert_int_equal(c->n_sources, 2);
        assert_false(config_find_source(c, "us")->enabled);
        assert_string_equal(config_find_source(c, "mygov")->url, "https://g/{country}");
        config_free(c);

        /* without the last one, the one read before it wins */
        _cleanup_free_ char *late = strprintf("%s/advisoryd.conf.d/9-late.conf", t->dir);
        assert_int_equal(unlink(late), 0);
        c = load_ok(t, NULL);
        assert_int_equal(c->daemon.interval, 2 * USEC_PER_HOUR);
        config_free(c);
}

typedef struct ErrorCase {
        const char *name;
        const char *config;
        const char *errors; /* @CONF@ is the file's path */
} ErrorCase;

#define EMAIL_OK "to = a@example.org\nfrom = b@example.org\nsmtp_url = smtp://mx\n"
#define MYGOV_OK "type = html\nurl = https://g/{country}\nxpath = //p\nlevel1 = ok\n"

static const ErrorCase error_cases[] = {
        /* structure */
        { "unknown section", "[sources:us]\nenabled = yes\n",
          "@CONF@:1: unknown section [sources:us] (expected [daemon], [source:ID] or "
          "[notify:NAME])\n" },
        { "malformed header", "[daemon\ninterval = 1h\n[source:us] x\nenabled = no\n",
          "@CONF@:1: malformed section header\n"
          "@CONF@:3: malformed section header\n" },
        { "invalid section name", "[source:US]\n",
          "@CONF@:1: invalid name 'US' in [source:US] (lower-case letters, digits, '-', '_')\n" },
        { "unknown key", "[daemon]\nintervall = 1h\n  2h\n",
          "@CONF@:2: unknown key 'intervall'\n" },
        { "key outside a section", "interval = 1h\n[daemon]\n",
          "@CONF@:1: 'interval' outside of a section\n" },
        { "syntax error", "[daemon]\ninterval 1h\n= 2h\n",
          "@CONF@:2: syntax error (expected 'key = value' or '[section]')\n"
          "@CONF@:3: syntax error (expected 'key = value' or '[section]')\n" },
        { "duplicate key", "[daemon]\ninterval = 1h\njitter = 1m\ninterval = 2h\n",
          "@CONF@:4: 'interval' is already set at line 2\n" },
        { "duplicate key in a reopened section",
          "[notify:x]\ntype = journal\n[daemon]\n[notify:x]\ntype = syslog\n",
          "@CONF@:5: 'type' is already set at line 2\n" },
        { "empty value", "[daemon]\nuser_agent =\n[notify:x]\ntype =  # later\n",
          "@CONF@:2: 'user_agent' needs a value\n"
          "@CONF@:4: 'type' needs a value\n" },
        { "continuation after a non-list key", "[daemon]\ninterval = 1h\n  2h\n  3h\n",
          "@CONF@:3: continuation lines are only allowed after list keys ('interval' takes one "
          "value)\n" },
        /* values */
        { "bad duration", "[daemon]\ninterval = 5x\njitter = -1m\nretry_max_age = 0\n",
          "@CONF@:2: 'interval' must be a duration such as 30s, 5m, 1h or 2d, got '5x'\n"
          "@CONF@:3: 'jitter' must be a duration such as 30s, 5m, 1h or 2d, got '-1m'\n"
          "@CONF@:4: 'retry_max_age' must be at least 1s, got '0'\n" },
        { "bad size", "[daemon]\nmax_document_size = 16X\n",
          "@CONF@:2: 'max_document_size' must be a size of at least 1K such as 512K, 16M or 1G, "
          "got '16X'\n" },
        { "size too small", "[daemon]\nmax_document_size = 512\n",
          "@CONF@:2: 'max_document_size' must be a size of at least 1K such as 512K, 16M or 1G, "
          "got '512'\n" },
        { "bad bool", "[source:us]\nenabled = maybe\n",
          "@CONF@:2: 'enabled' must be yes or no, got 'maybe'\n" },
        { "bad level", "[notify:j]\ntype = journal\nmin_level = 5\n",
          "@CONF@:3: 'min_level' must be a level from 1 to 4, got '5'\n" },
        { "bad count",
          "[daemon]\nmax_connections = 0\nmax_connections_per_host = lots\nfailure_threshold = "
          "1001\n",
          "@CONF@:2: 'max_connections' must be a number from 1 to 1000, got '0'\n"
          "@CONF@:3: 'max_connections_per_host' must be a number from 1 to 1000, got 'lots'\n"
          "@CONF@:4: 'failure_threshold' must be a number from 1 to 1000, got '1001'\n" },
        { "bad share", "[daemon]\nmass_change_threshold = 150%\nmass_change_confirmations = 0\n",
          "@CONF@:2: 'mass_change_threshold' must be a share from 1% to 100%, got '150%'\n"
          "@CONF@:3: 'mass_change_confirmations' must be a number from 1 to 1000, got '0'\n" },
        { "file URL for a source", "[source:us]\nurl = file:///srv/us.xml\n",
          "@CONF@:2: 'url' must be a URL starting with http://…, https://…, got "
          "'file:///srv/us.xml'\n" },
        { "http URL for SMTP",
          "[notify:m]\ntype = email\nto = a@example.org\nfrom = b@example.org\n"
          "smtp_url = http://mail.example.org\n",
          "@CONF@:5: 'smtp_url' must be a URL starting with smtp://…, smtps://…, got "
          "'http://mail.example.org'\n" },
        { "invalid XPath", "[source:mygov]\ntype = html\nurl = https://g/{country}\n"
                           "xpath = //div[\nlevel1 = ok\n",
          "@CONF@:4: 'xpath': invalid XPath expression '//div['\n" },
        { "bad e-mail addresses",
          "[notify:m]\ntype = email\nto = duty-at-example.org\n  ok@example.org <x@example.org>\n"
          "from = a@example.org b@example.org\nsmtp_url = smtp://mx\n",
          "@CONF@:3: 'to': 'duty-at-example.org' is not an e-mail address\n"
          "@CONF@:4: 'to': '<x@example.org>' is not an e-mail address\n"
          "@CONF@:5: 'from' takes one address, got 'a@example.org b@example.org'\n" },
        { "unknown event", "[notify:j]\ntype = journal\nevents = change\n  explosion\n",
          "@CONF@:4: 'events': unknown event 'explosion' (change, source-failing, "
          "source-recovered)\n" },
        { "bad facility", "[notify:s]\ntype = syslog\nfacility = kern\n",
          "@CONF@:3: 'facility' must be daemon, user or local0…local7, got 'kern'\n" },
        { "bad starttls", "[notify:m]\ntype = email\n" EMAIL_OK "starttls = always\n",
          "@CONF@:6: 'starttls' must be required, opportunistic or no, got 'always'\n" },
        { "unbalanced quote", "[notify:x]\ntype = exec\ncommand = /bin/echo \"oops\n",
          "@CONF@:3: 'command': unbalanced quote in '/bin/echo \"oops'\n" },
        { "relative paths",
          "[daemon]\ndatabase = var/advisoryd.db\n[notify:x]\ntype = exec\n"
          "command = notify-send \"advisory changed\"\n",
          "@CONF@:2: 'database' must be an absolute path, got 'var/advisoryd.db'\n"
          "@CONF@:5: 'command': the program must be an absolute path, got 'notify-send'\n" },
        { "unknown and mixed countries",
          "[notify:j]\ntype = journal\ncountries = KZ UK\n[notify:k]\ntype = journal\n"
          "countries = *\n  NO\n",
          "@CONF@:3: 'countries': 'UK' is not an ISO 3166-1 alpha-2 code\n"
          "@CONF@:7: 'countries': '*' cannot be combined with other values\n" },
        { "unknown source in a filter",
          "[source:us]\n[notify:j]\ntype = journal\nsources = us uss\n",
          "@CONF@:4: 'sources': there is no [source:uss]\n" },
        { "bad types", "[source:mygov]\ntype = json\n[notify:x]\ntype = pager\nto = a@b.org\n",
          "@CONF@:2: 'type' must be html or xml, got 'json'\n"
          "@CONF@:4: 'type' must be journal, syslog, email, webhook or exec, got 'pager'\n" },
        /* keys that do not apply to the section's type */
        { "xpath in a built-in source", "[source:us]\nxpath = //p\nlevel1 = ok\n",
          "@CONF@:2: 'xpath' is only valid for user-defined sources (type = html|xml)\n"
          "@CONF@:3: 'level1' is only valid for user-defined sources (type = html|xml)\n" },
        { "page keys in a single-document source", "[source:us]\nsweep_interval = 1d\n"
          "request_delay = 1s\n[source:mygov]\ntype = html\nurl = https://g/{country}\n"
          "xpath = //p\nlevel1 = ok\nsweep_interval = 1d\n",
          "@CONF@:2: 'sweep_interval' does not apply to [source:us], which is read as one "
          "document\n"
          "@CONF@:3: 'request_delay' does not apply to [source:us], which is read as one "
          "document\n"
          "@CONF@:9: 'sweep_interval' does not apply to user-defined sources (they fetch every "
          "page on every poll)\n" },
        { "rss_url outside [source:no]",
          "[source:us]\nrss_url = https://g/feed.xml\n[source:mygov]\n" MYGOV_OK
          "rss_url = https://g/feed.xml\n[source:no]\nrss_url = file:///srv/feed.xml\n",
          "@CONF@:2: 'rss_url' only applies to [source:no] (regjeringen.no's feed of changed "
          "pages)\n"
          "@CONF@:8: 'rss_url' only applies to [source:no] (regjeringen.no's feed of changed "
          "pages)\n"
          "@CONF@:10: 'rss_url' must be a URL starting with http://…, https://…, got "
          "'file:///srv/feed.xml'\n" },
        { "to in a webhook", "[notify:h]\nto = a@example.org\ntype = webhook\nurl = https://h/\n",
          "@CONF@:2: 'to' does not apply to type = webhook\n" },
        { "timeout in a journal notifier", "[notify:j]\ntype = journal\ntimeout = 5s\n",
          "@CONF@:3: 'timeout' does not apply to type = journal\n" },
        /* missing keys */
        { "user-defined source without anything", "\n[source:mygov]\ntype = xml\n",
          "@CONF@:2: [source:mygov] needs 'url'\n"
          "@CONF@:2: [source:mygov] needs 'xpath'\n"
          "@CONF@:2: [source:mygov] needs at least one of level1…level4\n" },
        { "url without {country}",
          "[source:mygov]\ntype = html\nxpath = //p\nlevel2 = x\nurl = https://g/all.html\n",
          "@CONF@:5: [source:mygov]: 'url' must contain {country} or {COUNTRY}\n" },
        { "email without to, from, transport", "[notify:ops]\ntype = email\n",
          "@CONF@:1: [notify:ops] needs 'to'\n"
          "@CONF@:1: [notify:ops] needs 'from'\n"
          "@CONF@:1: [notify:ops] needs 'smtp_url' or 'sendmail'\n" },
        { "email with two transports",
          "[notify:ops]\ntype = email\n" EMAIL_OK "sendmail = /usr/sbin/sendmail\n",
          "@CONF@:6: [notify:ops]: 'smtp_url' and 'sendmail' exclude each other\n" },
        { "password without user",
          "[notify:ops]\ntype = email\n" EMAIL_OK "smtp_credential = smtp\n",
          "@CONF@:1: [notify:ops] needs 'smtp_user' (a password is set)\n" },
        { "webhook without url", "[notify:h]\ntype = webhook\n",
          "@CONF@:1: [notify:h] needs 'url'\n" },
        { "exec without command", "[notify:x]\ntype = exec\ntimeout = 5s\n",
          "@CONF@:1: [notify:x] needs 'command'\n" },
        { "notifier without type", "[source:us]\n[notify:x]\nmin_level = 2\nto = a@b.org\n",
          "@CONF@:2: [notify:x] needs 'type'\n" },
        { "unknown built-in id", "[source:mygov]\nurl = https://g/{country}\nxpath = //p\n",
          "@CONF@:1: [source:mygov] is not a built-in source; a user-defined source needs type = "
          "html or xml\n" },
        { "type for a built-in id", "[source:us]\nenabled = yes\ntype = html\n",
          "@CONF@:3: [source:us] is a built-in source and takes no 'type'\n" },
        /* conflicts, reported where they arise */
        { "per-host limit above the total",
          "[daemon]\nmax_connections_per_host = 8\ntimeout = 10s\nmax_connections = 4\n",
          "@CONF@:4: max_connections_per_host (8) exceeds max_connections (4)\n" },
        { "per-host limit above the default total", "[daemon]\nmax_connections_per_host = 17\n",
          "@CONF@:2: max_connections_per_host (17) exceeds max_connections (16)\n" },
        { "SMTP password from file and credential",
          "[notify:ops]\ntype = email\n" EMAIL_OK "smtp_user = u\nsmtp_credential = smtp\n"
          "smtp_password_file = /etc/advisoryd/smtp.pass\n",
          "@CONF@:8: [notify:ops]: 'smtp_password_file' and 'smtp_credential' exclude each "
          "other\n" },
        { "webhook secret from file and credential",
          "[notify:h]\ntype = webhook\nsecret_file = /etc/advisoryd/hook.secret\n"
          "url = https://h/\nsecret_credential = hook\n",
          "@CONF@:5: [notify:h]: 'secret_file' and 'secret_credential' exclude each other\n" },
        /* several errors: every one, one line each, in file order, wherever they are found */
        { "several errors",
          "[source:mygov]\n"
          "type = html\n"
          "url = https://g/all.html\n"
          "level1 = ok\n"
          "[daemon]\n"
          "interval = soon\n"
          "bogus\n"
          "[notify:x]\n"
          "min_level = 0\n"
          "[daemon]\n"
          "max_connections = 2\n",
          "@CONF@:1: [source:mygov] needs 'xpath'\n"
          "@CONF@:3: [source:mygov]: 'url' must contain {country} or {COUNTRY}\n"
          "@CONF@:6: 'interval' must be a duration such as 30s, 5m, 1h or 2d, got 'soon'\n"
          "@CONF@:7: syntax error (expected 'key = value' or '[section]')\n"
          "@CONF@:8: [notify:x] needs 'type'\n"
          "@CONF@:9: 'min_level' must be a level from 1 to 4, got '0'\n"
          "@CONF@:11: max_connections_per_host (4) exceeds max_connections (2)\n" },
        { "errors after an invalid header are not reported twice",
          "[notfy:x]\ntype = exec\ncommand = relative\n[daemon]\njitter = x\n",
          "@CONF@:1: unknown section [notfy:x] (expected [daemon], [source:ID] or "
          "[notify:NAME])\n"
          "@CONF@:5: 'jitter' must be a duration such as 30s, 5m, 1h or 2d, got 'x'\n" },
};

static void test_errors(void **state) {
        const Fixture *t = *state;

        unsigned failed = 0;

        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                write_file(t, "advisoryd.conf", error_cases[i].config);
                failed += !errors_match(t, error_cases[i].name, error_cases[i].errors);
        }
        if (failed > 0)
                fail_msg("%u of %zu cases failed", failed, ELEMENTSOF(error_cases));
}

static void test_error_regex(void **state) {
        const Fixture *t = *state;
        _cleanup_free_ char *want = NULL;
        char msg[128];
        regex_t re;
        int r = regcomp(&re, "Do (not", REG_EXTENDED | REG_ICASE | REG_NOSUB);

        /* the reason is the C library's own wording */
        assert_int_not_equal(r, 0);
        regerror(r, &re, msg, sizeof(msg));
        want = strprintf("@CONF@:5: 'level4': invalid regular expression 'Do (not': %s\n"
                         "@CONF@:6: 'level3' needs a value\n",
                         msg);
        load_fail(t, "invalid regex", "[source:mygov]\ntype = html\nurl = https://g/{country}\n"
                                      "xpath = //p\nlevel4 = Do (not\nlevel3 =\n",
                  want);
}

/* A line of exactly length characters: prefix, then 'x' up to the length. */
static char *line_of(const char *prefix, size_t length) {
        char *s = calloc(1, length + 1);

        assert_non_null(s);
        assert_true(strlen(prefix) <= length);
        memset(s, 'x', length);
        memcpy(s, prefix, strlen(prefix));
        return s;
}

static void test_error_line_length(void **state) {
        const Fixture *t = *state;
        /* inih reads lines into INI_MAX_LINE (200) bytes: 199 characters fit */
        _cleanup_free_ char *fits = line_of("user_agent = ", 199);
        _cleanup_free_ char *key = line_of("user_agent = ", 200);
        _cleanup_free_ char *cont = line_of("  ", 200), *text = NULL;
        Config *c;

        text = strprintf("[daemon]\n%s\n", fits);
        c = load_ok(t, text);
        assert_int_equal(strlen(c->daemon.user_agent), 199 - strlen("user_agent = "));
        config_free(c);

        free(text);
        text = strprintf("[daemon]\n%s\njitter = soon\n", key);
        load_fail(t, "line too long", text,
                  "@CONF@:2: line too long (at most 199 characters; split lists over indented "
                  "continuation lines)\n"
                  "@CONF@:3: 'jitter' must be a duration such as 30s, 5m, 1h or 2d, got 'soon'\n");

        free(text);
        text = strprintf("[notify:ops]\ntype = email\n" EMAIL_OK "countries = KZ\n%s\n  NO\n",
                         cont);
        load_fail(t, "continuation line too long", text,
                  "@CONF@:7: line too long (at most 199 characters; split lists over indented "
                  "continuation lines)\n");
}

static void test_error_dropins(void **state) {
        const Fixture *t = *state;

        write_file(t, "advisoryd.conf", "[notify:x]\ncommand = /bin/true\n[daemon]\n");
        write_file(t, "advisoryd.conf.d/20-b.conf", "[daemon]\njitter = 1m\njitter = 2m\n");
        write_file(t, "advisoryd.conf.d/10-a.conf", "[daemon]\ninterval = never\n");
        /* a value may be set again by a later file, but only once per file */
        check_errors(t, "drop-ins",
                     "@CONF@:1: [notify:x] needs 'type'\n"
                     "@DIR@/advisoryd.conf.d/10-a.conf:2: 'interval' must be a duration such as "
                     "30s, 5m, 1h or 2d, got 'never'\n"
                     "@DIR@/advisoryd.conf.d/20-b.conf:3: 'jitter' is already set at line 2\n");
}

static void test_error_missing_file(void **state) {
        const Fixture *t = *state;
        Config *c = NULL;
        _cleanup_free_ char *errors = NULL, *want = expand(t, "@CONF@: cannot read: No such file "
                                                              "or directory\n");

        assert_int_equal(config_load(t->path, &c, &errors), -EINVAL);
        assert_null(c);
        assert_string_equal(errors, want);
        /* the caller may not want the text */
        assert_int_equal(config_load(t->path, &c, NULL), -EINVAL);
        assert_null(c);
}

static const char full_dump[] =
        "# effective configuration of @CONF@\n"
        "[daemon]\n"
        "database = /var/lib/advisoryd/test.db\n"
        "interval = 1h\n"
        "jitter = 5m\n"
        "timeout = 45s\n"
        "max_document_size = 16M\n"
        "max_connections = 16\n"
        "max_connections_per_host = 4\n"
        "user_agent = advisoryd/0.1.0 (+https://your.site/contact)\n"
        "retry_max_age = 2d\n"
        "failure_threshold = 5\n"
        "mass_change_threshold = 25%\n"
        "mass_change_confirmations = 3\n"
        "\n"
        "[source:us]\n"
        "enabled = yes\n"
        "interval = 30m\n"
        "url = https://mirror.example.org/TAsTWs.xml\n"
        "\n"
        "[source:mygov]\n"
        "type = html\n"
        "enabled = yes\n"
        "interval = 1h\n"
        "url = https://example.gov/advice/{country}.html\n"
        "request_delay = 200ms\n"
        "countries = KZ UA RU\n"
        "xpath = //div[@class=\"advisory-level\"]\n"
        "level4 = Do not travel\n"
        "level3 = Reconsider\n"
        "level2 = caution\n"
        "level1 = normal\n"
        "\n"
        "[notify:ops]\n"
        "type = email\n"
        "countries = *\n"
        "sources = *\n"
        "min_level = 3\n"
        "events = change source-failing\n"
        "to = duty@example.org security@example.org\n"
        "from = advisoryd@example.org\n"
        "smtp_url = smtp://mail.example.org:587\n"
        "starttls = opportunistic\n"
        "smtp_user = advisoryd\n"
        "smtp_password_file = @DIR@/smtp.pass\n"
        "ca_file = /etc/ssl/certs/ca-certificates.crt\n"
        "digest = 15m\n"
        "\n"
        "[notify:journal]\n"
        "type = journal\n"
        "countries = *\n"
        "sources = *\n"
        "min_level = 1\n"
        "events = change\n"
        "socket = /run/systemd/journal/socket\n"
        "\n"
        "[notify:log]\n"
        "type = syslog\n"
        "countries = NO SE\n"
        "sources = us mygov\n"
        "min_level = 1\n"
        "events = change\n"
        "socket = /run/test-log\n"
        "ident = advisory-test\n"
        "facility = local3\n"
        "\n"
        "[notify:hook]\n"
        "type = webhook\n"
        "countries = *\n"
        "sources = *\n"
        "min_level = 1\n"
        "events = change\n"
        "url = https://hooks.example.org/advisory\n"
        "secret_file = @DIR@/hook.secret\n"
        "timeout = 10s\n"
        "\n"
        "[notify:script]\n"
        "type = exec\n"
        "countries = *\n"
        "sources = *\n"
        "min_level = 1\n"
        "events = change\n"
        "command = /usr/local/bin/on-advisory --verbose \"--label=Do not travel\" \"no $HOME\"\n"
        "timeout = 30s\n";

static void test_dump_golden(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *c = NULL;
        _cleanup_free_ char *got = NULL, *want = expand(t, full_dump);

        /* the secrets exist and are readable: the dump still names only their files */
        write_file(t, "smtp.pass", "hunter2-smtp\n");
        write_file(t, "hook.secret", "s3cret-hook\n");
        c = load_ok(t, full_config);
        got = dump(c);
        assert_string_equal(got, want);
        assert_null(strstr(got, "hunter2"));
        assert_null(strstr(got, "s3cret"));
}

static void test_dump_defaults(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *c = load_ok(t, "[source:us]\n"
                                                "[notify:mail]\ntype = email\nto = a@example.org\n"
                                                "from = b@example.org\n"
                                                "sendmail = /usr/sbin/sendmail\n"
                                                "smtp_user = u\nsmtp_credential = smtp\n"
                                                "[notify:hook]\ntype = webhook\nurl = https://h/\n"
                                                "secret_credential = hook\n");
        _cleanup_free_ char *got = dump(c);
        _cleanup_free_ char *want = expand(t, "# effective configuration of @CONF@\n"
                                              "[daemon]\n"
                                              "database = /var/lib/advisoryd/advisoryd.db\n"
                                              "interval = 1h\n"
                                              "jitter = 5m\n"
                                              "timeout = 1m\n"
                                              "max_document_size = 16M\n"
                                              "max_connections = 16\n"
                                              "max_connections_per_host = 4\n"
                                              "user_agent = advisoryd/" VERSION "\n"
                                              "retry_max_age = 3d\n"
                                              "failure_threshold = 3\n"
                                              "mass_change_threshold = 30%\n"
                                              "mass_change_confirmations = 2\n"
                                              "\n"
                                              "[source:us]\n"
                                              "enabled = yes\n"
                                              "interval = 1h\n"
                                              "url = https://travel.state.gov/_res/rss/TAsTWs.xml\n"
                                              "\n"
                                              "[notify:mail]\n"
                                              "type = email\n"
                                              "countries = *\n"
                                              "sources = *\n"
                                              "min_level = 1\n"
                                              "events = change\n"
                                              "to = a@example.org\n"
                                              "from = b@example.org\n"
                                              "sendmail = /usr/sbin/sendmail\n"
                                              "smtp_user = u\n"
                                              "smtp_credential = smtp\n"
                                              "digest = 0\n"
                                              "\n"
                                              "[notify:hook]\n"
                                              "type = webhook\n"
                                              "countries = *\n"
                                              "sources = *\n"
                                              "min_level = 1\n"
                                              "events = change\n"
                                              "url = https://h/\n"
                                              "secret_credential = hook\n"
                                              "timeout = 30s\n");

        assert_string_equal(got, want);
}

/* --test-config output is itself a valid configuration that means the same. */
static void check_round_trip(const Fixture *t, const char *config) {
        _cleanup_config_ Config *a = load_ok(t, config), *b = NULL;
        _cleanup_free_ char *first = dump(a), *second = NULL;

        write_file(t, "advisoryd.conf", first);
        b = load_ok(t, NULL);
        second = dump(b);
        assert_string_equal(second, first);
        for (size_t i = 0; i < a->n_notifiers; i++)
                if (a->notifiers[i].command)
                        assert_strv_equal(b->notifiers[i].command,
                                          (const char *const *) a->notifiers[i].command);
}

static void test_dump_round_trip(void **state) {
        const Fixture *t = *state;

        check_round_trip(t, full_config);
        check_round_trip(
                t, "[notify:x]\ntype = exec\n"
                   "command = /opt/my\\ tools/notify \"say \\\"hi\\\"\" 'it is \"quoted\"' "
                   "back\\\\slash \"\" \"a \\# b\" \"c \\; d\" x#y \"tab\there\"\n"
                   "timeout = 1m30s\n");
}

/* [source:no]: the page keys, and the feed's address, given or on the index's host. */
static void test_source_no(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *a = NULL, *b = NULL;
        _cleanup_free_ char *da = NULL, *db = NULL;
        const SourceConfig *no;

        a = load_ok(t, "[source:no]\nurl = http://127.0.0.1:8080/velg/id1/\n"
                       "sweep_interval = 12h\nrequest_delay = 1s\n");
        da = dump(a);
        no = config_find_source(a, "no");

        assert_non_null(no);
        assert_null(no->rss_url);
        assert_int_equal(no->sweep_interval, 12 * USEC_PER_HOUR);
        assert_int_equal(no->request_delay, USEC_PER_SEC);
        assert_non_null(strstr(da, "\n[source:no]\nenabled = yes\ninterval = 1h\n"
                                   "url = http://127.0.0.1:8080/velg/id1/\nrequest_delay = 1s\n"
                                   "sweep_interval = 12h\n"
                                   "rss_url = http://127.0.0.1:8080/no/aktuelt/rss/id2581966/"
                                   "?documenttype=reiseinformasjon&ownerid=833\n"));

        b = load_ok(t, "[source:no]\nrss_url = https://mirror.example.org/no/feed.xml\n");
        db = dump(b);
        assert_string_equal(config_find_source(b, "no")->rss_url,
                            "https://mirror.example.org/no/feed.xml");
        assert_non_null(strstr(db, "\nurl = https://www.regjeringen.no/no/tema/utenrikssaker/"
                                   "reiseinformasjon/velg-land/id2414273/\n"));
        assert_non_null(strstr(db, "\nrss_url = https://mirror.example.org/no/feed.xml\n"));
        check_round_trip(t, "[source:no]\nrss_url = https://mirror.example.org/no/feed.xml\n");
}

static void test_command_words(void **state) {
        const Fixture *t = *state;
        _cleanup_config_ Config *c = load_ok(
                t, "[notify:x]\ntype = exec\n"
                   "command = /opt/my\\ tools/notify \"say \\\"hi\\\"\" 'it is \"quoted\"' "
                   "back\\\\slash \"\" \"a \\# b\" \"c \\; d\" x#y \"tab\there\"\n");
        _cleanup_free_ char *out = dump(c);

        assert_strv_equal(c->notifiers[0].command,
                          STRV("/opt/my tools/notify", "say \"hi\"", "it is \"quoted\"",
                               "back\\slash", "", "a # b", "c ; d", "x#y", "tab\there"));
        assert_non_null(strstr(out, "command = \"/opt/my tools/notify\" \"say \\\"hi\\\"\" "
                                    "\"it is \\\"quoted\\\"\" \"back\\\\slash\" \"\" "
                                    "\"a \\# b\" \"c \\; d\" \"x\\#y\" \"tab\there\"\n"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_and_disabled, setup, teardown),
                cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
                cmocka_unit_test_setup_teardown(test_continuation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dropins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_regex, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_line_length, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_dropins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_missing_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dump_golden, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dump_defaults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dump_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_source_no, setup, teardown),
                cmocka_unit_test_setup_teardown(test_command_words, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
