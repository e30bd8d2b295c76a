/* ctl.c: advisoryctl's command line, the database it reads, and the helpers its commands share. */
#include "ctl.h"

#include <getopt.h>
#include <libxml/parser.h>
#include <unistd.h>

#include "advisory.h"
#include "ctl-options.h"
#include "log.h"
#include "timeutil.h"

typedef struct Command {
        const char *name;
        int (*run)(Ctl *ctl, int argc, char *argv[]);
        bool database;
} Command;

static const Command commands[] = {
        { "status", ctl_status, true },
        { "history", ctl_history, true },
        { "changes", ctl_changes, true },
        { "sources", ctl_sources, true },
        { "notifications", ctl_notifications, true },
        { "feed", ctl_feed, true },
        { "timeline", ctl_timeline, true },
        { "extract", ctl_extract, false },
        { "import", ctl_import, false }, /* opens the database read-write itself */
        { "accept", ctl_accept, false }, /* too */
};

static void help(void) {
        printf("Usage: advisoryctl [-c FILE] [--database FILE] [--json | --csv] [--local]\n"
               "                   COMMAND [ARGS]\n\n"
               "Query what governments advise about travel, now and over time.\n\n"
               "Commands:\n"
               "  status [COUNTRY...] [--min-level N]   current level per country and government\n"
               "  history COUNTRY [--source SRC] [--since WHEN]\n"
               "                                        every level a country had, oldest first\n"
               "  changes [--since WHEN] [--source SRC] [--min-level N]\n"
               "                                        what changed across the world\n"
               "  sources                               health of each source\n"
               "  notifications [--pending | --failed]  the delivery queue\n"
               "  feed [--since WHEN] [--output FILE]   Atom 1.0 feed of changes\n"
               "  timeline COUNTRY [--since WHEN] [--until WHEN] --svg [--output FILE]\n"
               "                                        SVG chart: one row per government\n"
               "  extract --source SRC [--url URL] FILE run an extractor on a saved document\n"
               "  import --source SRC [--at WHEN] FILE...\n"
               "                                        record saved documents as observations\n"
               "  accept SOURCE                         accept a document held back as a\n"
               "                                        suspected extraction fault\n\n"
               "Options:\n"
               "  -c, --config FILE    configuration (default %s)\n"
               "      --database FILE  database (default: the configuration's)\n"
               "      --json           one JSON document\n"
               "      --csv            CSV with a header row\n"
               "      --local          times in local time instead of UTC\n"
               "  -h, --help           this help\n"
               "      --version        print the version\n\n"
               "COUNTRY is an ISO 3166-1 alpha-2 code or an English name; WHEN is an ISO 8601\n"
               "date or time, or a duration back from now (7d, 12h). See advisoryctl(1).\n",
               DEFAULT_CONFIG_FILE);
}

int ctl_usage_error(const char *fmt, ...) {
        va_list ap;
        fputs("advisoryctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return -EINVAL;
}

bool ctl_common_option(Ctl *ctl, int c) {
        switch (c) {
        case ARG_JSON:
                ctl->style.format = OUTPUT_JSON;
                return true;
        case ARG_CSV:
                ctl->style.format = OUTPUT_CSV;
                return true;
        case ARG_LOCAL:
                ctl->style.local_time = true;
                return true;
        default:
                return false;
        }
}

/* 1: run the command at argv[optind]; 0: done (help/version); negative: usage error. */
static int parse_argv(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "database", required_argument, NULL, ARG_DATABASE },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                CTL_COMMON_OPTIONS,
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "+c:h", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                switch (c) {
                case 'c':
                        ctl->config_path = optarg;
                        break;
                case ARG_DATABASE:
                        ctl->database = optarg;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("advisoryctl %s\n", VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        }
        if (optind >= argc)
                return ctl_usage_error("missing command (try --help)");
        return 1;
}

static int ctl_load_config(Ctl *ctl) {
        const char *path = ctl->config_path ? ctl->config_path : DEFAULT_CONFIG_FILE;
        _cleanup_free_ char *errors = NULL;
        int r;

        if (!ctl->config_path && access(path, F_OK) < 0)
                return 0; /* no configuration installed: defaults */
        r = config_load(path, &ctl->config, &errors);
        if (r < 0) {
                if (errors)
                        fputs(errors, stderr);
                else
                        fprintf(stderr, "advisoryctl: cannot read %s: %s\n", path, strerror(-r));
                return -EINVAL;
        }
        return 0;
}

int ctl_open_store(Ctl *ctl, bool writable) {
        const char *path = ctl->database ? ctl->database
                           : ctl->config ? ctl->config->daemon.database
                                         : "/var/lib/advisoryd/advisoryd.db";
        int r;

        if (!writable && access(path, R_OK) < 0) {
                fprintf(stderr, "advisoryctl: cannot read the database %s: %m\n", path);
                return -errno;
        }
        r = store_open(path, writable ? STORE_READ_WRITE : STORE_READ_ONLY, &ctl->store);
        if (r == -ENOMEDIUM)
                fprintf(stderr, "advisoryctl: %s is not an advisoryd database (yet)\n", path);
        else if (r == -EPROTO)
                fprintf(stderr, "advisoryctl: %s has a schema this advisoryctl does not know\n",
                        path);
        else if (r < 0)
                fprintf(stderr, "advisoryctl: cannot open the database %s: %s\n", path,
                        strerror(-r));
        return r;
}

const Country *ctl_country(const char *arg) {
        const Country *c = strlen(arg) == 2 ? country_by_alpha2(arg) : NULL;
        const Country *close[5];
        size_t n;

        if (!c)
                c = country_by_name(arg);
        if (!c && strlen(arg) == 3)
                c = country_by_alpha3(arg);
        if (c)
                return c;
        n = country_suggest(arg, close, ELEMENTSOF(close));
        fprintf(stderr, "advisoryctl: unknown country '%s'", arg);
        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s%s (%s)", i == 0 ? "; did you mean " : i + 1 == n ? " or " : ", ",
                        close[i]->name, close[i]->alpha2);
        fputs(n ? "?\n" : "\n", stderr);
        return NULL;
}

int ctl_when(Ctl *ctl, const char *arg, time_t *ret) {
        if (parse_when(arg, ctl->now, ret) < 0)
                return ctl_usage_error("invalid time '%s' (an ISO 8601 date or time, or a "
                                       "duration such as 7d or 12h)",
                                       arg);
        return 0;
}

int ctl_min_level(const char *arg, int *ret) {
        if (safe_atoi(arg, ret) < 0 || !level_valid(*ret))
                return ctl_usage_error("--min-level takes 1 to 4, not '%s'", arg);
        return 0;
}

int ctl_source(Ctl *ctl, const char *id, const SourceConfig **ret_config,
               const SourceType **ret_type) {
        const SourceConfig *sc = ctl->config ? config_find_source(ctl->config, id) : NULL;
        const SourceType *t = sc ? source_type_for(sc) : source_type_builtin(id);

        if (!t)
                return ctl_usage_error("unknown source '%s'%s", id,
                                       sc ? ""
                                          : " (user-defined sources need -c with their "
                                            "configuration)");
        *ret_config = sc;
        *ret_type = t;
        return 0;
}

int ctl_print(Ctl *ctl, const Table *t) {
        int r = table_print(t, &ctl->style, stdout);
        if (r < 0)
                return log_oom();
        if (fflush(stdout) != 0 || ferror(stdout))
                return log_error_errno(errno, "Failed to write the output: %m");
        return 0;
}

int ctl_write(const char *path, const char *data, size_t size) {
        int r;

        if (!path) {
                if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0)
                        return log_error_errno(errno, "Failed to write the output: %m");
                return 0;
        }
        r = write_file_atomic(path, data, size, 0644);
        if (r < 0)
                fprintf(stderr, "advisoryctl: cannot write %s: %s\n", path, strerror(-r));
        return r;
}

int ctl_xml_escape(Buffer *b, const char *s) {
        const char *start = s;
        int r = 0;

        for (; s && *s && r >= 0; s++) {
                const char *e = *s == '&'   ? "&amp;"
                                : *s == '<' ? "&lt;"
                                : *s == '>' ? "&gt;"
                                : *s == '"' ? "&quot;"
                                : *s == '\'' ? "&#39;"
                                : (unsigned char) *s < 0x20 && !strchr("\t\n\r", *s) ? ""
                                                                                   : NULL;
                if (!e)
                        continue;
                r = buffer_append(b, start, (size_t) (s - start));
                if (r >= 0)
                        r = buffer_puts(b, e);
                start = s + 1;
        }
        if (r >= 0 && s)
                r = buffer_append(b, start, (size_t) (s - start));
        return r;
}

int ctl_query_error(Ctl *ctl, int rc) {
        fprintf(stderr, "advisoryctl: database query failed: %s\n", store_error(ctl->store));
        return store_errno(rc) ?: -EIO;
}

int main(int argc, char *argv[]) {
        Ctl ctl = { .now = time(NULL) };
        const Command *cmd = NULL;
        int r;

        log_setup();
        r = parse_argv(&ctl, argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, argv[optind]))
                        cmd = &commands[i];
        if (!cmd) {
                ctl_usage_error("unknown command '%s' (try --help)", argv[optind]);
                return 2;
        }
        ctl.style.color = ctl.style.format == OUTPUT_TABLE && isatty(STDOUT_FILENO) &&
                          !getenv("NO_COLOR");
        xmlInitParser();
        r = ctl_load_config(&ctl);
        if (r >= 0 && cmd->database)
                r = ctl_open_store(&ctl, false) < 0 ? -EIO : 0;
        if (r >= 0) {
                int sub_argc = argc - optind;
                char **sub_argv = argv + optind;
                sub_argv[0] = (char *) "advisoryctl"; /* getopt's messages begin with it */
                optind = 0; /* restart getopt for the command's own options */
                r = cmd->run(&ctl, sub_argc, sub_argv);
        }
        store_free(ctl.store);
        config_free(ctl.config);
        xmlCleanupParser();
        return r == -EINVAL ? 2 : r < 0 ? 1 : 0;
}
