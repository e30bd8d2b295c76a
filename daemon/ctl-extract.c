/* ctl-extract.c: advisoryctl extract: run a source's extractor over a saved document and print
 * the records, the way the daemon would record them. How users debug an extractor. */
#include "ctl-options.h"
#include "ctl.h"

#include "log.h"
#include "source.h"

#define EXTRACT_FILE_MAX (256ULL * 1024 * 1024)

static const char *const record_keys[] = { "source", "country", "level", "regional_level",
                                           "label",  "updated", "url",   NULL };

static int extract_print(Ctl *ctl, const char *source, const AdvisoryList *records) {
        _cleanup_table_ Table *t = table_new(record_keys);

        if (!t)
                return log_oom();
        for (size_t i = 0; i < records->n; i++) {
                const Advisory *a = &records->items[i];
                if (table_new_row(t) < 0 || table_set_string(t, "source", source) < 0 ||
                    table_set_string(t, "country", a->country) < 0 ||
                    table_set_level(t, "level", a->level) < 0 ||
                    table_set_level(t, "regional_level", a->regional_level) < 0 ||
                    table_set_string(t, "label", a->label) < 0 ||
                    table_set_string(t, "updated", a->updated) < 0 ||
                    table_set_string(t, "url", a->url) < 0)
                        return log_oom();
        }
        table_hide(t, "url");
        ctl->style.max_width = 72;
        return ctl_print(ctl, t);
}

int ctl_extract(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "source", required_argument, NULL, ARG_SOURCE },
                { "url", required_argument, NULL, ARG_URL },
                CTL_COMMON_OPTIONS,
                {},
        };
        _cleanup_advisory_list_ AdvisoryList records = {};
        _cleanup_free_ char *data = NULL;
        const char *source = NULL, *url = NULL;
        const SourceConfig *sc = NULL;
        const SourceType *type = NULL;
        ExtractError err = {};
        size_t size;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SOURCE)
                        source = optarg;
                else if (c == ARG_URL)
                        url = optarg;
                else
                        return -EINVAL;
        }
        if (!source)
                return ctl_usage_error("extract needs --source SRC");
        if (optind + 1 != argc)
                return ctl_usage_error("extract takes one FILE");
        r = ctl_source(ctl, source, &sc, &type);
        if (r < 0)
                return r;
        r = read_full_file(argv[optind], EXTRACT_FILE_MAX, &data, &size);
        if (r < 0) {
                fprintf(stderr, "advisoryctl: %s: %s\n", argv[optind], strerror(-r));
                return r;
        }
        ExtractInput in = { .data = data, .size = size, .url = url, .config = sc };
        r = type->extract(&in, &records, &err);
        if (r < 0) {
                fprintf(stderr, "advisoryctl: %s: %s (%s)\n", argv[optind],
                        err.message[0] ? err.message : "not a document of this source",
                        failure_class_to_string(err.failure ?: FAILURE_INVALID_DOCUMENT));
                return -EBADMSG;
        }
        return extract_print(ctl, source, &records);
}
