/* ctl-feed.c: advisoryctl feed: the changes as an Atom 1.0 feed (RFC 4287), newest first, for a
 * feed reader or a web server (--output writes it atomically).
 *
 * An entry's id is a tag URI (RFC 4151) made of the change id, which is stable for the life of
 * the database: a reader shows each change once, however often the feed is regenerated, and an
 * import that moves a change earlier changes its <updated>, not its id. */
#include "ctl-options.h"
#include "ctl.h"

#include "advisory.h"
#include "change.h"
#include "log.h"
#include "timeutil.h"

#define FEED_ENTRIES_DEFAULT 100
#define FEED_TAG "tag:advisoryd,2025:"

typedef struct Feed {
        Buffer b;
        bool local_time;
} Feed;

static int feed_puts(Feed *f, const char *s) {
        return buffer_puts(&f->b, s);
}

/* <name>escaped text</name> on a line of its own. */
static int feed_element(Feed *f, const char *indent, const char *name, const char *text) {
        int r = buffer_printf(&f->b, "%s<%s>", indent, name);
        if (r >= 0)
                r = ctl_xml_escape(&f->b, text);
        if (r >= 0)
                r = buffer_printf(&f->b, "</%s>\n", name);
        return r;
}

static int feed_time(Feed *f, const char *indent, const char *name, time_t t) {
        char buf[ISO8601_MAX];
        return feed_element(f, indent, name, format_iso8601(buf, t, f->local_time));
}

/* "level 3 (reconsider travel)", with the regional level when there is one. */
static char *feed_level_text(int level, int regional) {
        if (regional > 0)
                return strprintf("level %d (%s), level %d (%s) in parts of the country", level,
                                 level_meaning(level), regional, level_meaning(regional));
        return strprintf("level %d (%s)", level, level_meaning(level));
}

/* The entry's content, as HTML: the levels, the government's own words, the link. */
static char *feed_content(const Change *c) {
        _cleanup_free_ char *now = feed_level_text(c->level, c->regional_level);
        _cleanup_free_ char *before = feed_level_text(c->previous_level, c->previous_regional_level);
        _cleanup_(buffer_done) Buffer html = {};
        int r;

        if (!now || !before)
                return NULL;
        r = buffer_printf(&html, "<p>%s (%s) now advises %s; before: %s.</p>\n<p>\u201c",
                          source_government(c->source), c->source, now, before);
        if (r >= 0)
                r = ctl_xml_escape(&html, c->label);
        if (r >= 0)
                r = buffer_puts(&html, "\u201d</p>\n");
        if (r >= 0 && c->updated) {
                r = buffer_puts(&html, "<p>Updated by the government: ");
                if (r >= 0)
                        r = ctl_xml_escape(&html, c->updated);
                if (r >= 0)
                        r = buffer_puts(&html, "</p>\n");
        }
        if (r >= 0 && c->url) {
                r = buffer_puts(&html, "<p><a href=\"");
                if (r >= 0)
                        r = ctl_xml_escape(&html, c->url);
                if (r >= 0)
                        r = buffer_puts(&html, "\">");
                if (r >= 0)
                        r = ctl_xml_escape(&html, c->url);
                if (r >= 0)
                        r = buffer_puts(&html, "</a></p>\n");
        }
        return r < 0 ? NULL : buffer_steal(&html);
}

static int feed_category(Feed *f, const char *term, const char *label) {
        int r = feed_puts(f, "    <category term=\"");
        if (r >= 0)
                r = ctl_xml_escape(&f->b, term);
        if (r >= 0)
                r = feed_puts(f, "\" label=\"");
        if (r >= 0)
                r = ctl_xml_escape(&f->b, label);
        if (r >= 0)
                r = feed_puts(f, "\"/>\n");
        return r;
}

static int feed_entry(Feed *f, const Change *c) {
        _cleanup_free_ char *title = change_describe(c), *id = NULL, *content = NULL;
        int r;

        if (!title || !(id = strprintf(FEED_TAG "change/%lld", (long long) c->id)) ||
            !(content = feed_content(c)))
                return -ENOMEM;
        r = feed_puts(f, "  <entry>\n");
        if (r >= 0)
                r = feed_element(f, "    ", "id", id);
        if (r >= 0)
                r = feed_element(f, "    ", "title", title);
        if (r >= 0)
                r = feed_time(f, "    ", "updated", c->observed_at);
        if (r >= 0 && c->url) {
                r = feed_puts(f, "    <link rel=\"alternate\" type=\"text/html\" href=\"");
                if (r >= 0)
                        r = ctl_xml_escape(&f->b, c->url);
                if (r >= 0)
                        r = feed_puts(f, "\"/>\n");
        }
        if (r >= 0)
                r = feed_category(f, c->country, country_name(c->country));
        if (r >= 0)
                r = feed_category(f, c->source, source_government(c->source));
        if (r >= 0) {
                r = feed_puts(f, "    <content type=\"html\">");
                if (r >= 0)
                        r = ctl_xml_escape(&f->b, content);
                if (r >= 0)
                        r = feed_puts(f, "</content>\n  </entry>\n");
        }
        return r;
}

/* The feed changes when a change is recorded: its time is the newest change's (or, without
 * changes, the newest period's, so that an unchanged database gives the same document). */
static int feed_updated(Ctl *ctl, const Change *changes, size_t n, time_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        if (n > 0) {
                *ret = changes[n - 1].observed_at;
                return 0;
        }
        if (store_prepare(ctl->store, "SELECT MAX(first_seen) FROM period", &st) < 0 ||
            sqlite3_step(st) != SQLITE_ROW)
                return ctl_query_error(ctl, SQLITE_ERROR);
        *ret = sqlite3_column_type(st, 0) == SQLITE_NULL ? ctl->now
                                                         : (time_t) sqlite3_column_int64(st, 0);
        return 0;
}

static int feed_build(Ctl *ctl, Feed *f, const Change *changes, size_t n) {
        time_t updated = 0;
        int r;

        if ((r = feed_updated(ctl, changes, n, &updated)) < 0)
                return r;
        r = feed_puts(f, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                         "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
                         "  <id>" FEED_TAG "changes</id>\n"
                         "  <title>Travel advice changes</title>\n"
                         "  <subtitle>Changes of the travel advice levels of governments, as "
                         "recorded by advisoryd</subtitle>\n");
        if (r >= 0)
                r = feed_time(f, "  ", "updated", updated);
        if (r >= 0)
                r = buffer_printf(&f->b, "  <author><name>advisoryd</name></author>\n"
                                         "  <generator version=\"%s\">advisoryd</generator>\n",
                                  VERSION);
        for (size_t i = n; r >= 0 && i > 0; i--) /* newest first */
                r = feed_entry(f, &changes[i - 1]);
        if (r >= 0)
                r = feed_puts(f, "</feed>\n");
        return r < 0 ? log_oom() : 0;
}

int ctl_feed(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = {
                { "since", required_argument, NULL, ARG_SINCE },
                { "output", required_argument, NULL, ARG_OUTPUT },
                CTL_COMMON_OPTIONS,
                {},
        };
        ChangeFilter filter = { .min_level = 1, .limit = FEED_ENTRIES_DEFAULT };
        Feed f = {};
        const char *output = NULL;
        Change *changes = NULL;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (ctl_common_option(ctl, c))
                        continue;
                if (c == ARG_SINCE) {
                        if ((r = ctl_when(ctl, optarg, &filter.since)) < 0)
                                return r;
                        filter.limit = 0; /* everything since then */
                } else if (c == ARG_OUTPUT)
                        output = optarg;
                else
                        return -EINVAL;
        }
        if (optind != argc)
                return ctl_usage_error("feed takes no arguments");
        if (ctl->style.format != OUTPUT_TABLE)
                return ctl_usage_error("feed writes Atom: --json and --csv do not apply");
        f.local_time = ctl->style.local_time;
        if ((r = ctl_load_changes(ctl, &filter, &changes, &n)) < 0)
                return r;
        r = feed_build(ctl, &f, changes, n);
        ctl_changes_free(changes, n);
        if (r >= 0)
                r = ctl_write(output, f.b.data, f.b.size);
        buffer_done(&f.b);
        return r;
}
