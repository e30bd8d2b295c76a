/* ctl-import.c: advisoryctl import: backfill history from saved documents (archived copies of a
 * government's pages). Each file is extracted like the daemon would, then recorded as the
 * source's observations at its time: --at, else the file's modification time (which wget -N and
 * curl -R set from Last-Modified). Files are recorded in time order, each in one transaction;
 * how an observation fits into the history already recorded is store-import.c's business.
 *
 * The only command that writes: it opens the database read-write (creating it if need be). It
 * never queues notifications, never counts as a poll, and ignores the daemon's hold on
 * implausible mass changes: it is told what happened, it does not discover it. A file that
 * cannot be read or extracted is reported and skipped; the others are still recorded, and the
 * exit status is 1. */
#include <sys/stat.h>

#include "ctl-options.h"
#include "ctl.h"

#include "log.h"
#include "timeutil.h"

#define IMPORT_FILE_MAX (256ULL * 1024 * 1024)

typedef struct ImportFile {
        const char *path;
        size_t index; /* on the command line: ties keep this order */
        time_t at;
        int error; /* when its time could not be found */
} ImportFile;

typedef struct ImportContext {
        Ctl *ctl;
        const char *source, *url;
        const SourceConfig *config;
        const SourceType *type;
        Table *table;
} ImportContext;

static const char *const import_keys[] = { "file",     "observed_at", "records", "extended",
                                           "inserted", "split",       "conflicts", "error",
                                           NULL };

static int import_file_compare(const void *a, const void *b) {
        const ImportFile *x = a, *y = b;
        if (x->at != y->at)
                return x->at < y->at ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

static int import_row(ImportContext *ic, const ImportFile *f, const char *error) {
        if (table_new_row(ic->table) < 0 || table_set_string(ic->table, "file", f->path) < 0 ||
            table_set_time(ic->table, "observed_at", f->at) < 0 ||
            table_set_string(ic->table, "error", error) < 0)
                return log_oom();
        return 0;
}

/* A file we skip: one line on stderr, and a row that says why. */
static int import_skip(ImportContext *ic, const ImportFile *f, const char *reason) {
        fprintf(stderr, "advisoryctl: %s: %s, not imported\n", f->path, reason);
        return import_row(ic, f, reason);
}

/* Tells what an import did to the history when it is not a plain extension or a new period. */
static void import_note(const ImportFile *f, const Advisory *a, const ImportOutcome *o) {
        char at[ISO8601_MAX], first[ISO8601_MAX], last[ISO8601_MAX];

        format_iso8601(at, f->at, false);
        format_iso8601(first, o->first_seen, false);
        format_iso8601(last, o->last_seen, false);
        if (o->kind == IMPORT_CONFLICT)
                fprintf(stderr,
                        "advisoryctl: %s: %s: level %d at %s disagrees with level %d observed at "
                        "the same time; kept level %d\n",
                        f->path, a->country, a->level, at, o->level, o->level);
        else if (o->kind == IMPORT_SPLIT && o->observations > 2)
                fprintf(stderr,
                        "advisoryctl: %s: %s: level %d at %s interrupts level %d, observed %lld "
                        "times from %s to %s; the observations in between are counted after it\n",
                        f->path, a->country, a->level, at, o->level, (long long) o->observations,
                        first, last);
}

static int import_record(ImportContext *ic, const ImportFile *f, const AdvisoryList *records) {
        _cleanup_free_ ImportOutcome *outcomes = calloc(MAX(records->n, (size_t) 1),
                                                        sizeof(ImportOutcome));
        size_t count[4] = {};
        int r;

        if (!outcomes)
                return log_oom();
        r = store_import_document(ic->ctl->store, ic->source, records, f->at, outcomes);
        if (r < 0) {
                fprintf(stderr, "advisoryctl: %s: cannot record it: %s\n", f->path,
                        store_error(ic->ctl->store));
                return r;
        }
        for (size_t i = 0; i < records->n; i++) {
                count[outcomes[i].kind]++;
                import_note(f, &records->items[i], &outcomes[i]);
        }
        if ((r = import_row(ic, f, NULL)) < 0)
                return r;
        if (table_set_int(ic->table, "records", (int64_t) records->n) < 0 ||
            table_set_int(ic->table, "extended", (int64_t) count[IMPORT_EXTENDED]) < 0 ||
            table_set_int(ic->table, "inserted", (int64_t) count[IMPORT_INSERTED]) < 0 ||
            table_set_int(ic->table, "split", (int64_t) count[IMPORT_SPLIT]) < 0 ||
            table_set_int(ic->table, "conflicts", (int64_t) count[IMPORT_CONFLICT]) < 0)
                return log_oom();
        return 0;
}

/* 1: imported; 0: skipped (reported); negative: the database failed, stop. */
static int import_one(ImportContext *ic, const ImportFile *f) {
        _cleanup_advisory_list_ AdvisoryList records = {};
        _cleanup_free_ char *data = NULL, *reason = NULL;
        ExtractError err = {};
        size_t size;
        int r;

        if (f->error)
                return import_skip(ic, f, strerror(f->error));
        if (f->at > ic->ctl->now)
                return import_skip(ic, f, "its time lies in the future");
        r = read_full_file(f->path, IMPORT_FILE_MAX, &data, &size);
        if (r < 0)
                return import_skip(ic, f, strerror(-r));
        ExtractInput in = { .data = data, .size = size, .url = ic->url, .config = ic->config };
        if (ic->type->extract(&in, &records, &err) < 0) {
                reason = strprintf("%s (%s)",
                                   err.message[0] ? err.message : "not a document of this source",
                                   failure_class_to_string(err.failure ?: FAILURE_INVALID_DOCUMENT));
                return reason ? import_skip(ic, f, reason) : log_oom();
        }
        r = import_record(ic, f, &records);
        return r < 0 ? r : 1;
}

/* The files with their times, in the order they are to be imported. */
static int import_files(char **paths, size_t n, time_t at, ImportFile **ret) {
        ImportFile *files = calloc(n, sizeof(ImportFile));
        struct stat st;

        if (!files)
                return log_oom();
        for (size_t i = 0; i < n; i++) {
                files[i] = (ImportFile) { .path = paths[i], .index = i, .at = at };
                if (at)
                        continue;
                if (stat(paths[i], &st) < 0)
                        files[i].error = errno;
                else
                        files[i].at = st.st_mtime;
        }
        qsort(files, n, sizeof(ImportFile), import_file_compare);
        *ret = files;
        return 0;
}

static int import_run(ImportContext *ic, char **paths, size_t n, time_t at) {
        _cleanup_free_ ImportFile *files = NULL;
        bool skipped = false;
        int r;

        if ((r = import_files(paths, n, at, &files)) < 0)
                return r;
        if (ctl_open_store(ic->ctl, true) < 0)
                return -EIO; /* a failure, not a usage error, whatever SQLite said */
        for (size_t i = 0; i < n; i++) {
                r = import_one(ic, &files[i]);
                if (r < 0) {
                        /* later files would be recorded out of order: stop here */
                        for (size_t j = i + 1; j < n; j++)
                                fprintf(stderr, "advisoryctl: %s: not imported\n", files[j].path);
                        (void) ctl_print(ic->ctl, ic->table);
                        return -EIO;
                }
                skipped = skipped || r == 0;
        }
        r = ctl_print(ic->ctl, ic->table);
        return r < 0 ? r : skipped ? -EBADMSG : 0;
}

int ctl_import(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "source", required_argument, NULL, ARG_SOURCE },
                { "at", required_argument, NULL, ARG_AT },
                { "url", required_argument, NULL, ARG_URL },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_table_ Table *table = NULL;
        ImportContext ic = { .ctl = ctl };
        time_t at = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SOURCE)
                        ic.source = optarg;
                else if (c == ARG_URL)
                        ic.url = optarg;
                else if (c == ARG_AT) {
                        if ((r = ctl_when(ctl, optarg, &at)) < 0)
                                return r;
                        if (at > ctl->now)
                                return ctl_usage_error("--at %s lies in the future", optarg);
                        if (at <= 0)
                                return ctl_usage_error("--at %s lies before 1970", optarg);
                } else
                        return -EINVAL;
        }
        if (!ic.source)
                return ctl_usage_error("import needs --source SRC");
        if (optind >= argc)
                return ctl_usage_error("import needs at least one FILE");
        if ((r = ctl_source(ctl, ic.source, &ic.config, &ic.type)) < 0)
                return r;
        if (!(table = table_new(import_keys)))
                return log_oom();
        ic.table = table;
        table_keep_whole(table, "file");
        ctl->style.max_width = 60;
        return import_run(&ic, argv + optind, (size_t) (argc - optind), at);
}
