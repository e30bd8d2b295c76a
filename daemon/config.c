/* config.c: INI (inih) → immutable Config, with drop-ins, units and file:line errors.
 *
 * inih splits "key = value" and strips ';' comments that follow white space. We feed it lines
 * ourselves and decide what each line is: section headers are ours (inih built without
 * INI_CALL_HANDLER_ON_NEW_SECTION does not report empty sections, yet an empty "[source:us]"
 * enables a source), and so are continuation lines, over-long lines and lines without '='. inih
 * only ever sees unindented "key = value" lines; a continuation line reaches it as "= value".
 * Values are checked against a table of keys per section kind; applicability to the section's
 * type and required keys are checked once every file is read, because "type =" may come after
 * the keys it governs, or in a drop-in. Errors are collected with their position and reported in
 * file order. */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <ini.h>
#include <regex.h>
#include <syslog.h>
#include <libxml/xpath.h>

#include "advisory.h"
#include "country.h"
#include "source.h"
#include "mail.h"
#include "no-poll.h"
#include "util.h"

typedef enum SectionKind {
        SECTION_NONE,
        SECTION_DAEMON,
        SECTION_SOURCE,
        SECTION_NOTIFY,
} SectionKind;

/* Which sections a key belongs to. Source keys: built-in, built-in read page by page (uk, no),
 * user-defined. Notify keys: one bit per NotifyType, shifted. */
enum {
        APPLY_DAEMON = 1 << 0,
        APPLY_SOURCE_BUILTIN = 1 << 1,
        APPLY_SOURCE_USER = 1 << 2,
        APPLY_SOURCE_BUILTIN_PAGES = 1 << 3,
        APPLY_SOURCE_NO = 1 << 4, /* [source:no] only */
        APPLY_SOURCE = APPLY_SOURCE_BUILTIN | APPLY_SOURCE_USER,
        APPLY_NOTIFY_SHIFT = 5,
        APPLY_JOURNAL = 1 << (APPLY_NOTIFY_SHIFT + NOTIFY_JOURNAL),
        APPLY_SYSLOG = 1 << (APPLY_NOTIFY_SHIFT + NOTIFY_SYSLOG),
        APPLY_EMAIL = 1 << (APPLY_NOTIFY_SHIFT + NOTIFY_EMAIL),
        APPLY_WEBHOOK = 1 << (APPLY_NOTIFY_SHIFT + NOTIFY_WEBHOOK),
        APPLY_EXEC = 1 << (APPLY_NOTIFY_SHIFT + NOTIFY_EXEC),
        APPLY_NOTIFY = APPLY_JOURNAL | APPLY_SYSLOG | APPLY_EMAIL | APPLY_WEBHOOK | APPLY_EXEC,
};

typedef struct ConfigParser ConfigParser;
typedef int (*ValueParser)(ConfigParser *p, const char *key, const char *value, void *field);

typedef struct KeySpec {
        const char *name;
        ValueParser parse;
        size_t offset;
        unsigned applies;
        bool list; /* continuation lines append */
} KeySpec;

/* One assignment seen in a section, for duplicate and applicability checks. */
typedef struct Assignment {
        const KeySpec *key;
        char *file;
        unsigned line;
} Assignment;

typedef struct Section {
        SectionKind kind;
        size_t index; /* into sources / notifiers */
        char *name;   /* "daemon", "source:us", "notify:ops": for messages */
        char *file;
        unsigned line;
        bool type_given; /* a "type =" line was seen */
        bool type_set;   /* ... and its value was valid */
        Assignment *assignments;
        size_t n_assignments;
} Section;

typedef struct ConfigError {
        size_t file_index; /* order in which files were read */
        unsigned line;     /* 0: the file as a whole */
        size_t seq;        /* order of discovery, to keep the sort stable */
        char *text;        /* "file:line: message" */
} ConfigError;

/* What an indented line continues. */
typedef enum PrevLine {
        PREV_NONE, /* nothing: start of file or section; an indented line is a key line */
        PREV_KEY,  /* last_key */
        PREV_SKIP, /* a rejected key line (already reported): its continuation lines are ignored */
} PrevLine;

struct ConfigParser {
        Config *config;
        ConfigError *errors;
        size_t n_errors;
        char **files; /* every file read, in order */
        bool oom;
        /* the file being read */
        const char *file;
        const char *data;
        size_t size, pos;
        unsigned line;
        bool continuation; /* the line handed to inih continues last_key */
        PrevLine prev;
        bool list_all;     /* the list being read was given "*" */
        bool skip_section; /* after an invalid header, ignore keys until the next one */
        const KeySpec *last_key;
        Section *sections;
        size_t n_sections;
        Section *current;
};

static size_t parser_file_index(ConfigParser *p, const char *file) {
        size_t i = 0;

        STRV_FOREACH(f, p->files) {
                if (streq(*f, file))
                        return i;
                i++;
        }
        if (strv_extend(&p->files, file) < 0)
                p->oom = true;
        return i;
}

static void parser_error(ConfigParser *p, const char *file, unsigned line, const char *fmt, ...)
        _printf_(4, 5);
static void parser_error(ConfigParser *p, const char *file, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        ConfigError *e;
        va_list ap;

        va_start(ap, fmt);
        msg = strvprintf(fmt, ap);
        va_end(ap);
        e = realloc(p->errors, sizeof(ConfigError) * (p->n_errors + 1));
        if (!e) {
                p->oom = true;
                return;
        }
        p->errors = e;
        e = &e[p->n_errors];
        *e = (ConfigError) { .file_index = parser_file_index(p, file), .line = line,
                             .seq = p->n_errors };
        e->text = line > 0 ? strprintf("%s:%u: %s", file, line, strempty(msg))
                           : strprintf("%s: %s", file, strempty(msg));
        if (!msg || !e->text) {
                free(e->text);
                p->oom = true;
                return;
        }
        p->n_errors++;
}

static int error_compare(const void *a, const void *b) {
        const ConfigError *x = a, *y = b;

        if (x->file_index != y->file_index)
                return x->file_index < y->file_index ? -1 : 1;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every error, one line each, in file order. */
static char *parser_errors_text(ConfigParser *p) {
        Buffer b = {};

        if (p->n_errors > 0)
                qsort(p->errors, p->n_errors, sizeof(ConfigError), error_compare);
        for (size_t i = 0; i < p->n_errors; i++)
                if (buffer_puts(&b, p->errors[i].text) < 0 || buffer_puts(&b, "\n") < 0) {
                        buffer_done(&b);
                        return NULL;
                }
        return buffer_steal(&b);
}

#define ERR(p, ...) parser_error((p), (p)->file, (p)->line, __VA_ARGS__)

/* ---- value parsers ---- */

/* Source ids and notifier names: lower-case letters, digits, '-' and '_'. */
static bool valid_id(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 32 || !isalnum((unsigned char) s[0]))
                return false;
        for (; *s; s++)
                if (!islower((unsigned char) *s) && !isdigit((unsigned char) *s) && !strchr("-_", *s))
                        return false;
        return true;
}

static int parse_string(ConfigParser *p, const char *key, const char *value, void *field) {
        if (isempty(value)) {
                ERR(p, "'%s' needs a value", key);
                return -EINVAL;
        }
        return free_and_strdup(field, value);
}

static int parse_path(ConfigParser *p, const char *key, const char *value, void *field) {
        if (isempty(value) || value[0] != '/') {
                ERR(p, "'%s' must be an absolute path, got '%s'", key, strempty(value));
                return -EINVAL;
        }
        return free_and_strdup(field, value);
}

static int parse_bool(ConfigParser *p, const char *key, const char *value, void *field) {
        static const char *const yes[] = { "yes", "true", "on", "1" };
        static const char *const no[] = { "no", "false", "off", "0" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(value, yes[i]) == 0)
                        return *(bool *) field = true, 0;
                if (strcasecmp(value, no[i]) == 0)
                        return *(bool *) field = false, 0;
        }
        ERR(p, "'%s' must be yes or no, got '%s'", key, value);
        return -EINVAL;
}

static int parse_duration_value(ConfigParser *p, const char *key, const char *value, void *field) {
        if (parse_duration(value, field) < 0) {
                ERR(p, "'%s' must be a duration such as 30s, 5m, 1h or 2d, got '%s'", key, value);
                return -EINVAL;
        }
        return 0;
}

static int parse_positive_duration(ConfigParser *p, const char *key, const char *value,
                                   void *field) {
        int r = parse_duration_value(p, key, value, field);
        if (r >= 0 && *(usec_t *) field < USEC_PER_SEC) {
                ERR(p, "'%s' must be at least 1s, got '%s'", key, value);
                return -EINVAL;
        }
        return r;
}

static int parse_size_value(ConfigParser *p, const char *key, const char *value, void *field) {
        uint64_t v;
        if (parse_size(value, &v) < 0 || v < 1024) {
                ERR(p, "'%s' must be a size of at least 1K such as 512K, 16M or 1G, got '%s'", key,
                    value);
                return -EINVAL;
        }
        *(uint64_t *) field = v;
        return 0;
}

static int parse_count(ConfigParser *p, const char *key, const char *value, void *field) {
        unsigned v;
        if (safe_atou(value, &v) < 0 || v == 0 || v > 1000) {
                ERR(p, "'%s' must be a number from 1 to 1000, got '%s'", key, value);
                return -EINVAL;
        }
        *(unsigned *) field = v;
        return 0;
}

static int parse_percent(ConfigParser *p, const char *key, const char *value, void *field) {
        _cleanup_free_ char *v = strdup(value);
        unsigned n;

        if (!v)
                return -ENOMEM;
        if (endswith(v, "%"))
                v[strlen(v) - 1] = '\0';
        if (safe_atou(strstrip(v), &n) < 0 || n == 0 || n > 100) {
                ERR(p, "'%s' must be a share from 1%% to 100%%, got '%s'", key, value);
                return -EINVAL;
        }
        *(unsigned *) field = n;
        return 0;
}

static int parse_level(ConfigParser *p, const char *key, const char *value, void *field) {
        int v;
        if (safe_atoi(value, &v) < 0 || !level_valid(v)) {
                ERR(p, "'%s' must be a level from 1 to 4, got '%s'", key, value);
                return -EINVAL;
        }
        *(int *) field = v;
        return 0;
}

/* Lists: a key line replaces the list, its continuation lines append to it. With allow_all, "*"
 * alone means every value and is stored as NULL. check() validates each new word and may
 * normalise it; every bad word is reported once, on the line where it appears. */
static int parse_list(ConfigParser *p, const char *key, const char *value, char ***l,
                      bool allow_all, bool (*check)(char *w), const char *what) {
        _cleanup_strv_free_ char **words = NULL;
        int r = 0;

        if (strv_split_words(&words, value, true) < 0)
                return -ENOMEM;
        if (!p->continuation) {
                *l = strv_free(*l);
                p->list_all = false;
                if (!words[0]) {
                        ERR(p, "'%s' needs at least one value", key);
                        return -EINVAL;
                }
        }
        if (allow_all && (p->list_all || strv_contains(words, "*"))) {
                if (p->list_all || *l || words[1]) {
                        ERR(p, "'%s': '*' cannot be combined with other values", key);
                        return -EINVAL;
                }
                p->list_all = true;
                return 0;
        }
        STRV_FOREACH(w, words) {
                if (check && !check(*w)) {
                        ERR(p, "'%s': '%s' is not %s", key, *w, what);
                        r = -EINVAL;
                } else if (strv_extend(l, *w) < 0)
                        return -ENOMEM;
        }
        return r;
}

static bool check_country(char *w) {
        ascii_strupper(w);
        return country_by_alpha2(w) != NULL;
}

/* What mail.c will put into a header and an SMTP envelope (and sendmail into its argv):
 * printable ASCII without specials, not starting with '-'. */
static bool check_email(char *w) {
        return mail_address_valid(w);
}

static bool check_source_id(char *w) {
        return valid_id(w);
}

static int parse_countries(ConfigParser *p, const char *key, const char *value, void *field) {
        return parse_list(p, key, value, field, true, check_country, "an ISO 3166-1 alpha-2 code");
}

static int parse_sources(ConfigParser *p, const char *key, const char *value, void *field) {
        return parse_list(p, key, value, field, true, check_source_id, "a source id");
}

static int parse_email_list(ConfigParser *p, const char *key, const char *value, void *field) {
        return parse_list(p, key, value, field, false, check_email, "an e-mail address");
}

static int parse_email(ConfigParser *p, const char *key, const char *value, void *field) {
        _cleanup_strv_free_ char **words = NULL;

        if (strv_split_words(&words, value, true) < 0)
                return -ENOMEM;
        if (strv_length(words) != 1) {
                ERR(p, "'%s' takes one address, got '%s'", key, value);
                return -EINVAL;
        }
        if (!check_email(words[0])) {
                ERR(p, "'%s': '%s' is not an e-mail address", key, words[0]);
                return -EINVAL;
        }
        return free_and_strdup(field, words[0]);
}

static int parse_events(ConfigParser *p, const char *key, const char *value, void *field) {
        static const struct {
                const char *name;
                unsigned mask;
        } names[] = { { "change", NOTIFY_EVENT_CHANGE },
                      { "source-failing", NOTIFY_EVENT_SOURCE_FAILING },
                      { "source-recovered", NOTIFY_EVENT_SOURCE_RECOVERED } };
        _cleanup_strv_free_ char **words = NULL;
        unsigned mask = p->continuation ? *(unsigned *) field : 0;

        if (strv_split_words(&words, value, true) < 0)
                return -ENOMEM;
        STRV_FOREACH(w, words) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(names); i++)
                        if (streq(*w, names[i].name))
                                break;
                if (i == ELEMENTSOF(names)) {
                        ERR(p, "'%s': unknown event '%s' (change, source-failing, source-recovered)",
                            key, *w);
                        return -EINVAL;
                }
                mask |= names[i].mask;
        }
        if (mask == 0) {
                ERR(p, "'%s' needs at least one event", key);
                return -EINVAL;
        }
        *(unsigned *) field = mask;
        return 0;
}

static int parse_url_scheme(ConfigParser *p, const char *key, const char *value, void *field,
                            const char *const *schemes) {
        for (const char *const *s = schemes; *s; s++) {
                const char *rest = startswith_no_case(value, *s);
                /* a host, at least: "http://?x" has none, and no origin to derive others from */
                if (rest && rest[0] && !strchr("/?#", rest[0]) && !strpbrk(value, " \t\r\n"))
                        return free_and_strdup(field, value);
        }
        _cleanup_free_ char *allowed = strv_join((char *const *) schemes, "…, ");
        ERR(p, "'%s' must be a URL starting with %s…, got '%s'", key, strempty(allowed), value);
        return -EINVAL;
}

static int parse_http_url(ConfigParser *p, const char *key, const char *value, void *field) {
        static const char *const schemes[] = { "http://", "https://", NULL };
        return parse_url_scheme(p, key, value, field, schemes);
}

static int parse_smtp_url(ConfigParser *p, const char *key, const char *value, void *field) {
        static const char *const schemes[] = { "smtp://", "smtps://", NULL };
        return parse_url_scheme(p, key, value, field, schemes);
}

/* The ']' that ends the bracket expression starting at s ("[]a]", "[^]a]" and "[[:alpha:]]"
 * included), or the last character when there is none (regcomp() then says what is wrong). */
static const char *regex_bracket_end(const char *s) {
        s += 1 + (s[1] == '^');
        s += *s == ']';
        for (; *s && *s != ']'; s++)
                if (*s == '[' && s[1] && strchr(":.=", s[1])) {
                        const char end[] = { s[1], ']', '\0' };
                        const char *e = strstr(s + 2, end);
                        if (!e)
                                break;
                        s = e + 1;
                }
        return *s ? s : s - 1;
}

#define REGEX_DEPTH_MAX 32
#define REGEX_COUNT_MAX 255 /* _POSIX_RE_DUP_MAX: what every system supports */

/* A count, at most REGEX_COUNT_MAX + 1: enough to refuse it, and no overflow after. */
static long regex_count(const char *s, char **end) {
        return MIN(strtol(s, end, 10), (long) REGEX_COUNT_MAX + 1);
}

/* "{m}", "{m,}", "{m,n}" or "{,n}" at s: the larger count (m + 1 for "{m,}"), *ret_end at the
 * '}'; -1 when it is not an interval. */
static long regex_interval(const char *s, const char **ret_end) {
        char *end;
        long m, n;

        if (s[1] == ',') /* "{,n}": a GNU extension for {0,n} */
                m = n = 0, end = (char *) s + 1;
        else if (isdigit((unsigned char) s[1]))
                m = n = regex_count(s + 1, &end);
        else
                return -1;
        if (*end == ',') {
                n = isdigit((unsigned char) end[1]) ? regex_count(end + 1, &end) : m + 1;
                if (*end == ',')
                        return -1;
        }
        if (*end != '}')
                return -1;
        *ret_end = end;
        return MAX(m, n);
}

/* glibc's regcomp() copies a subexpression for each repetition: "n++…+" with 80 '+' or
 * "((a{0,255}){0,255}){0,255}" take seconds and gigabytes to compile (found by fuzz-config,
 * 2026-11). Such patterns are refused first: a repetition of a repetition (undefined in POSIX
 * anyway), a count above 255, and a counted repetition of a group that holds one. Returns why,
 * or NULL. */
static const char *regex_refusal(const char *s) {
        bool counted[REGEX_DEPTH_MAX + 1] = {}, closed_counted = false, after_repeat = false;
        size_t depth = 0;

        for (; *s; s++) {
                bool repeat = false, atom_counted = false;
                const char *end;
                long count;

                switch (*s) {
                case '\\':
                        s += s[1] != '\0';
                        break;
                case '[':
                        s = regex_bracket_end(s);
                        break;
                case '(':
                        if (depth == REGEX_DEPTH_MAX)
                                return "groups nested too deeply";
                        counted[++depth] = false;
                        break;
                case ')':
                        if (depth > 0) {
                                atom_counted = counted[depth--];
                                counted[depth] |= atom_counted;
                        }
                        break;
                case '*':
                case '+':
                case '?':
                        repeat = true;
                        break;
                case '{':
                        count = regex_interval(s, &end);
                        if (count < 0)
                                break;
                        if (count > REGEX_COUNT_MAX)
                                return "a count above 255";
                        if (closed_counted)
                                return "a counted repetition of a group that has one";
                        counted[depth] = true;
                        repeat = true;
                        s = end;
                        break;
                }
                if (repeat && after_repeat)
                        return "a repetition of a repetition";
                after_repeat = repeat;
                closed_counted = repeat ? closed_counted : atom_counted;
        }
        return NULL;
}

static int parse_regex(ConfigParser *p, const char *key, const char *value, void *field) {
        const char *refusal = regex_refusal(value);
        regex_t re;
        int r;

        if (refusal) {
                ERR(p, "'%s': regular expression '%s' refused: %s", key, value, refusal);
                return -EINVAL;
        }
        r = regcomp(&re, value, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (r != 0) {
                char msg[128];
                regerror(r, &re, msg, sizeof(msg));
                ERR(p, "'%s': invalid regular expression '%s': %s", key, value, msg);
                return -EINVAL;
        }
        regfree(&re);
        return free_and_strdup(field, value);
}

/* Without a handler on the context, libxml2 prints XPath syntax errors on stderr. */
static void xpath_silent(void *userdata, xmlErrorPtr error) {
}

static int parse_xpath(ConfigParser *p, const char *key, const char *value, void *field) {
        xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
        xmlXPathCompExprPtr e;

        if (!ctx)
                return -ENOMEM;
        /* cast: libxml2 2.12 made the error argument const */
        ctx->error = (xmlStructuredErrorFunc) xpath_silent;
        e = xmlXPathCtxtCompile(ctx, (const xmlChar *) value);
        xmlXPathFreeContext(ctx);
        if (!e) {
                ERR(p, "'%s': invalid XPath expression '%s'", key, value);
                return -EINVAL;
        }
        xmlXPathFreeCompExpr(e);
        return free_and_strdup(field, value);
}

static const struct {
        const char *name;
        int facility;
} facilities[] = { { "daemon", LOG_DAEMON }, { "user", LOG_USER },     { "local0", LOG_LOCAL0 },
                   { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
                   { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
                   { "local7", LOG_LOCAL7 } };

static const char *facility_to_string(int facility) {
        for (size_t i = 0; i < ELEMENTSOF(facilities); i++)
                if (facilities[i].facility == facility)
                        return facilities[i].name;
        return "daemon";
}

static int parse_facility(ConfigParser *p, const char *key, const char *value, void *field) {
        for (size_t i = 0; i < ELEMENTSOF(facilities); i++)
                if (strcasecmp(value, facilities[i].name) == 0)
                        return *(int *) field = facilities[i].facility, 0;
        ERR(p, "'%s' must be daemon, user or local0…local7, got '%s'", key, value);
        return -EINVAL;
}

static int parse_starttls(ConfigParser *p, const char *key, const char *value, void *field) {
        static const char *const names[] = { "no", "opportunistic", "required" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(value, names[i]) == 0)
                        return *(int *) field = (int) i, 0;
        ERR(p, "'%s' must be required, opportunistic or no, got '%s'", key, value);
        return -EINVAL;
}

static int parse_ident(ConfigParser *p, const char *key, const char *value, void *field) {
        for (const char *c = value; *c; c++)
                if (!isalnum((unsigned char) *c) && !strchr("-_.", *c)) {
                        ERR(p, "'%s' may contain letters, digits, '-', '_' and '.', got '%s'", key,
                            value);
                        return -EINVAL;
                }
        return parse_string(p, key, value, field);
}

static int parse_credential(ConfigParser *p, const char *key, const char *value, void *field) {
        if (isempty(value) || strchr(value, '/') || value[0] == '.') {
                ERR(p, "'%s' must be a credential name (no '/'), got '%s'", key, strempty(value));
                return -EINVAL;
        }
        return free_and_strdup(field, value);
}

/* A command line split like a shell would split words, without any shell: "…" and '…' quote,
 * backslash escapes the next character. No variables, no globbing. */
static int split_command(const char *s, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        Buffer w = {};
        bool in_word = false;
        char quote = 0;

        for (;; s++) {
                char c = *s;
                if (!c || (!quote && isspace((unsigned char) c))) {
                        if (quote) {
                                buffer_done(&w);
                                return -EINVAL;
                        }
                        if (in_word) {
                                char *word = buffer_steal(&w);
                                if (!word || strv_push(&argv, word) < 0)
                                        return -ENOMEM;
                                in_word = false;
                        }
                        if (!c)
                                break;
                        continue;
                }
                in_word = true;
                if (quote && c == quote)
                        quote = 0;
                else if (!quote && (c == '"' || c == '\''))
                        quote = c;
                else {
                        if (c == '\\' && quote != '\'' && s[1])
                                c = *++s;
                        if (buffer_append(&w, &c, 1) < 0) {
                                buffer_done(&w);
                                return -ENOMEM;
                        }
                }
        }
        *ret = TAKE_PTR(argv);
        return 0;
}

static int parse_command(ConfigParser *p, const char *key, const char *value, void *field) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = split_command(value, &argv);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                ERR(p, "'%s': unbalanced quote in '%s'", key, value);
                return -EINVAL;
        }
        if (strv_length(argv) == 0) {
                ERR(p, "'%s' needs a value", key);
                return -EINVAL;
        }
        if (argv[0][0] != '/') {
                ERR(p, "'%s': the program must be an absolute path, got '%s'", key, argv[0]);
                return -EINVAL;
        }
        strv_free(*(char ***) field);
        *(char ***) field = TAKE_PTR(argv);
        return 0;
}

/* ---- key tables ---- */

#define D(f) offsetof(DaemonSettings, f)
static const KeySpec daemon_keys[] = {
        { "database", parse_path, D(database), APPLY_DAEMON },
        { "interval", parse_positive_duration, D(interval), APPLY_DAEMON },
        { "jitter", parse_duration_value, D(jitter), APPLY_DAEMON },
        { "timeout", parse_positive_duration, D(timeout), APPLY_DAEMON },
        { "max_document_size", parse_size_value, D(max_document_size), APPLY_DAEMON },
        { "max_connections", parse_count, D(max_connections), APPLY_DAEMON },
        { "max_connections_per_host", parse_count, D(max_connections_per_host), APPLY_DAEMON },
        { "user_agent", parse_string, D(user_agent), APPLY_DAEMON },
        { "retry_max_age", parse_positive_duration, D(retry_max_age), APPLY_DAEMON },
        { "failure_threshold", parse_count, D(failure_threshold), APPLY_DAEMON },
        { "mass_change_threshold", parse_percent, D(mass_change_percent), APPLY_DAEMON },
        { "mass_change_confirmations", parse_count, D(mass_change_confirmations), APPLY_DAEMON },
        {},
};
#undef D

static int parse_source_type(ConfigParser *p, const char *key, const char *value, void *field) {
        if (streq(value, "html"))
                return *(SourceKind *) field = SOURCE_KIND_HTML, 0;
        if (streq(value, "xml"))
                return *(SourceKind *) field = SOURCE_KIND_XML, 0;
        ERR(p, "'%s' must be html or xml, got '%s'", key, value);
        return -EINVAL;
}

#define S(f) offsetof(SourceConfig, f)
static const KeySpec source_keys[] = {
        { "enabled", parse_bool, S(enabled), APPLY_SOURCE },
        { "interval", parse_positive_duration, S(interval), APPLY_SOURCE },
        { "url", parse_http_url, S(url), APPLY_SOURCE },
        { "request_delay", parse_duration_value, S(request_delay),
          APPLY_SOURCE_BUILTIN_PAGES | APPLY_SOURCE_USER },
        { "sweep_interval", parse_positive_duration, S(sweep_interval),
          APPLY_SOURCE_BUILTIN_PAGES },
        { "rss_url", parse_http_url, S(rss_url), APPLY_SOURCE_NO },
        { "type", parse_source_type, S(kind), APPLY_SOURCE_USER },
        { "countries", parse_countries, S(countries), APPLY_SOURCE_USER, true },
        { "xpath", parse_xpath, S(xpath), APPLY_SOURCE_USER },
        { "level1", parse_regex, S(level_regex[1]), APPLY_SOURCE_USER },
        { "level2", parse_regex, S(level_regex[2]), APPLY_SOURCE_USER },
        { "level3", parse_regex, S(level_regex[3]), APPLY_SOURCE_USER },
        { "level4", parse_regex, S(level_regex[4]), APPLY_SOURCE_USER },
        {},
};
#undef S

static int parse_notify_type(ConfigParser *p, const char *key, const char *value, void *field) {
        for (int t = 0; t < _NOTIFY_TYPE_MAX; t++)
                if (streq(value, notify_type_to_string((NotifyType) t)))
                        return *(NotifyType *) field = (NotifyType) t, 0;
        ERR(p, "'%s' must be journal, syslog, email, webhook or exec, got '%s'", key, value);
        return -EINVAL;
}

#define N(f) offsetof(NotifyConfig, f)
static const KeySpec notify_keys[] = {
        { "type", parse_notify_type, N(type), APPLY_NOTIFY },
        { "countries", parse_countries, N(countries), APPLY_NOTIFY, true },
        { "sources", parse_sources, N(sources), APPLY_NOTIFY, true },
        { "min_level", parse_level, N(min_level), APPLY_NOTIFY },
        { "events", parse_events, N(events), APPLY_NOTIFY, true },
        { "socket", parse_path, N(socket), APPLY_JOURNAL | APPLY_SYSLOG },
        { "facility", parse_facility, N(facility), APPLY_SYSLOG },
        { "ident", parse_ident, N(ident), APPLY_SYSLOG },
        { "to", parse_email_list, N(to), APPLY_EMAIL, true },
        { "from", parse_email, N(from), APPLY_EMAIL },
        { "smtp_url", parse_smtp_url, N(smtp_url), APPLY_EMAIL },
        { "starttls", parse_starttls, N(starttls), APPLY_EMAIL },
        { "smtp_user", parse_string, N(smtp_user), APPLY_EMAIL },
        { "smtp_password_file", parse_path, N(smtp_password_file), APPLY_EMAIL },
        { "smtp_credential", parse_credential, N(smtp_credential), APPLY_EMAIL },
        { "ca_file", parse_path, N(ca_file), APPLY_EMAIL },
        { "sendmail", parse_path, N(sendmail), APPLY_EMAIL },
        { "digest", parse_duration_value, N(digest), APPLY_EMAIL },
        { "url", parse_http_url, N(url), APPLY_WEBHOOK },
        { "secret_file", parse_path, N(secret_file), APPLY_WEBHOOK },
        { "secret_credential", parse_credential, N(secret_credential), APPLY_WEBHOOK },
        { "command", parse_command, N(command), APPLY_EXEC },
        { "timeout", parse_positive_duration, N(timeout), APPLY_EXEC | APPLY_WEBHOOK },
        {},
};
#undef N

static const KeySpec *key_find(const KeySpec *table, const char *name) {
        for (const KeySpec *k = table; k->name; k++)
                if (streq(k->name, name))
                        return k;
        return NULL;
}

/* ---- sections ---- */

static void source_config_init(SourceConfig *s) {
        *s = (SourceConfig) {
                .enabled = true,
                .kind = SOURCE_KIND_BUILTIN,
                .request_delay = SOURCE_REQUEST_DELAY_DEFAULT,
                .sweep_interval = SOURCE_SWEEP_INTERVAL_DEFAULT,
        };
}

static void notify_config_init(NotifyConfig *n) {
        *n = (NotifyConfig) {
                .type = NOTIFY_JOURNAL,
                .min_level = 1,
                .events = NOTIFY_EVENT_CHANGE,
                .facility = LOG_DAEMON,
                .starttls = 2,
                .timeout = 30 * USEC_PER_SEC,
        };
}

/* Adds the SourceConfig or NotifyConfig that a new section fills ([daemon] has none). */
static int section_new_object(ConfigParser *p, SectionKind kind, const char *id,
                              size_t *ret_index) {
        Config *c = p->config;
        char **idp = NULL, **filep = NULL;
        unsigned *linep = NULL;
        size_t index = 0;

        if (kind == SECTION_SOURCE) {
                SourceConfig *n = realloc(c->sources, sizeof(SourceConfig) * (c->n_sources + 1));
                if (!n)
                        return -ENOMEM;
                c->sources = n;
                index = c->n_sources++;
                source_config_init(&n[index]);
                idp = &n[index].id, filep = &n[index].file, linep = &n[index].line;
        } else if (kind == SECTION_NOTIFY) {
                NotifyConfig *n = realloc(c->notifiers, sizeof(NotifyConfig) * (c->n_notifiers + 1));
                if (!n)
                        return -ENOMEM;
                c->notifiers = n;
                index = c->n_notifiers++;
                notify_config_init(&n[index]);
                idp = &n[index].name, filep = &n[index].file, linep = &n[index].line;
        }
        if (idp) {
                *linep = p->line;
                if (!(*idp = strdup(id)) || !(*filep = strdup(p->file)))
                        return -ENOMEM;
        }
        *ret_index = index;
        return 0;
}

static int section_open(ConfigParser *p, SectionKind kind, const char *name, const char *id) {
        Section *s;
        size_t index;
        int r;

        /* the same section may appear again (in a drop-in): continue it */
        for (size_t i = 0; i < p->n_sections; i++)
                if (streq(p->sections[i].name, name)) {
                        p->current = &p->sections[i];
                        return 0;
                }
        r = section_new_object(p, kind, id, &index);
        if (r < 0)
                return r;
        s = realloc(p->sections, sizeof(Section) * (p->n_sections + 1));
        if (!s)
                return -ENOMEM;
        p->sections = s;
        s = &s[p->n_sections++];
        *s = (Section) { .kind = kind, .index = index, .line = p->line };
        if (!(s->name = strdup(name)) || !(s->file = strdup(p->file)))
                return -ENOMEM;
        p->current = s;
        return 0;
}

/* line: the header without indentation or line end, e.g. "[source:us]  # comment". */
static int section_header(ConfigParser *p, const char *line) {
        const char *end = strchr(line, ']'), *rest = end ? end + 1 + strspn(end + 1, " \t") : NULL;
        _cleanup_free_ char *name = NULL;
        const char *id;

        p->current = NULL;
        p->skip_section = true;
        if (!end || (*rest && *rest != ';' && *rest != '#')) {
                ERR(p, "malformed section header");
                return 0;
        }
        if (!(name = strndup(line + 1, (size_t) (end - line - 1))))
                return -ENOMEM;
        if (streq(name, "daemon")) {
                p->skip_section = false;
                return section_open(p, SECTION_DAEMON, name, "");
        }
        if ((id = startswith(name, "source:")) || (id = startswith(name, "notify:"))) {
                if (!valid_id(id)) {
                        ERR(p, "invalid name '%s' in [%s] (lower-case letters, digits, '-', '_')",
                            id, name);
                        return 0;
                }
                p->skip_section = false;
                return section_open(p, name[0] == 's' ? SECTION_SOURCE : SECTION_NOTIFY, name, id);
        }
        ERR(p, "unknown section [%s] (expected [daemon], [source:ID] or [notify:NAME])", name);
        return 0;
}

static void *section_base(ConfigParser *p, const KeySpec **ret_table) {
        Config *c = p->config;
        switch (p->current->kind) {
        case SECTION_DAEMON:
                *ret_table = daemon_keys;
                return &c->daemon;
        case SECTION_SOURCE:
                *ret_table = source_keys;
                return &c->sources[p->current->index];
        case SECTION_NOTIFY:
                *ret_table = notify_keys;
                return &c->notifiers[p->current->index];
        default:
                return NULL;
        }
}

static int section_remember(ConfigParser *p, const KeySpec *k) {
        Section *s = p->current;

        for (size_t i = 0; i < s->n_assignments; i++) {
                Assignment *a = &s->assignments[i];
                if (a->key != k)
                        continue;
                if (streq(a->file, p->file)) {
                        ERR(p, "'%s' is already set at line %u", k->name, a->line);
                        return -EEXIST;
                }
                /* a later file overrides an earlier one */
                a->line = p->line;
                return free_and_strdup(&a->file, p->file);
        }
        Assignment *n = realloc(s->assignments, sizeof(Assignment) * (s->n_assignments + 1));
        if (!n)
                return -ENOMEM;
        s->assignments = n;
        n[s->n_assignments] = (Assignment) { .key = k, .line = p->line };
        if (!(n[s->n_assignments].file = strdup(p->file)))
                return -ENOMEM;
        s->n_assignments++;
        return 0;
}

static const Assignment *section_assignment(const Section *s, const char *key) {
        for (size_t i = 0; i < s->n_assignments; i++)
                if (streq(s->assignments[i].key->name, key))
                        return &s->assignments[i];
        return NULL;
}

/* ---- reading ---- */

/* Strips a '#' comment that follows white space (inih strips ';' ones itself). inih has already
 * skipped the white space before the value, so a '#' that begins it starts a comment too. */
static char *strip_hash_comment(char *v) {
        for (char *c = v; (c = strchr(c, '#')); c++)
                if (c == v || isspace((unsigned char) c[-1])) {
                        *c = '\0';
                        break;
                }
        return strstrip(v);
}

static int parser_oom(ConfigParser *p) {
        p->oom = true;
        return 0; /* inih: stop */
}

static int on_continuation(ConfigParser *p, const char *value) {
        const KeySpec *table, *k = p->last_key;
        void *base = section_base(p, &table);
        int r;

        if (!k->list) {
                ERR(p, "continuation lines are only allowed after list keys ('%s' takes one value)",
                    k->name);
                p->prev = PREV_SKIP;
                return 1;
        }
        r = k->parse(p, k->name, value, (char *) base + k->offset);
        return r == -ENOMEM ? parser_oom(p) : 1;
}

static int on_key(void *userdata, const char *section, const char *name, const char *value) {
        ConfigParser *p = userdata;
        _cleanup_free_ char *copy = strdup(value);
        const KeySpec *table = NULL, *k;
        bool is_type;
        char *v;
        void *base;
        int r;

        if (!copy)
                return parser_oom(p);
        v = strip_hash_comment(copy);
        if (p->continuation)
                return on_continuation(p, v);
        if (p->skip_section)
                return 1;
        if (!p->current) {
                ERR(p, "'%s' outside of a section", name);
                return 1;
        }
        base = section_base(p, &table);
        if (!(k = key_find(table, name))) {
                ERR(p, "unknown key '%s'", name);
                return 1;
        }
        r = section_remember(p, k);
        if (r < 0)
                return r == -ENOMEM ? parser_oom(p) : 1;
        p->prev = PREV_KEY;
        p->last_key = k;
        p->list_all = false;
        is_type = k->parse == parse_source_type || k->parse == parse_notify_type;
        if (is_type)
                p->current->type_given = true, p->current->type_set = false;
        if (isempty(v)) {
                ERR(p, "'%s' needs a value", name);
                return 1;
        }
        r = k->parse(p, name, v, (char *) base + k->offset);
        if (r == -ENOMEM)
                return parser_oom(p);
        if (is_type)
                p->current->type_set = r >= 0;
        return 1;
}

/* Whether inih will find "key = value": a '=' or ':' after a name, before any ';' comment. */
static bool line_has_assignment(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '=' || s[i] == ':')
                        return i > 0;
                if (s[i] == ';' && i > 0 && isspace((unsigned char) s[i - 1]))
                        return false;
        }
        return false;
}

/* A line that inih should see, without indentation (inih would take an indented line for a
 * continuation of its own); prefix "=" makes it a continuation for on_key(). */
static char *reader_pass(ConfigParser *p, char *str, size_t num, const char *prefix,
                         const char *t, size_t n, size_t raw) {
        if (raw > num - 1) {
                ERR(p, "line too long (at most %zu characters; split lists over indented "
                       "continuation lines)",
                    num - 1);
                return str;
        }
        assert(strlen(prefix) + n <= raw);
        strcpy(str, prefix);
        memcpy(str + strlen(prefix), t, n);
        str[strlen(prefix) + n] = '\0';
        return str;
}

/* inih's line reader: hands out the file one line at a time and decides what each line is.
 * Lines inih need not see (headers, comments, lines in error) reach it empty. */
static char *reader(char *str, int num, void *userdata) {
        ConfigParser *p = userdata;
        const char *start = p->data + p->pos, *t;
        size_t len, n, raw;

        if (p->pos >= p->size)
                return NULL;
        len = strcspn(start, "\n");
        p->pos += len + (start[len] == '\n');
        p->line++;
        raw = len > 0 && start[len - 1] == '\r' ? len - 1 : len;
        if (p->line == 1 && raw >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0)
                start += 3, raw -= 3; /* UTF-8 byte order mark */
        t = start + strspn(start, " \t");
        n = raw - MIN(raw, (size_t) (t - start));
        str[0] = '\0';
        p->continuation = false;

        if (n == 0 || *t == ';' || *t == '#')
                return str; /* blank lines and comments do not end a list */
        if (t > start && p->prev != PREV_NONE) {
                if (p->prev == PREV_SKIP)
                        return str;
                p->continuation = true;
                return reader_pass(p, str, (size_t) num, "=", t, n, raw);
        }
        p->prev = PREV_SKIP; /* until on_key() accepts the key */
        if (*t == '[') {
                _cleanup_free_ char *header = strndup(t, n);
                if (!header || section_header(p, header) < 0) {
                        p->oom = true;
                        return NULL;
                }
                p->prev = PREV_NONE;
                return str;
        }
        if (!line_has_assignment(t, n)) {
                ERR(p, "syntax error (expected 'key = value' or '[section]')");
                return str;
        }
        return reader_pass(p, str, (size_t) num, "", t, n, raw);
}

static int parse_file(ConfigParser *p, const char *path) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        (void) parser_file_index(p, path); /* errors are sorted in reading order */
        r = read_full_file(path, 1024 * 1024, &data, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                parser_error(p, path, 0, "cannot read: %s", strerror(-r));
                return 0;
        }
        if (memchr(data, '\0', size)) {
                parser_error(p, path, 0, "not a text file (contains NUL bytes)");
                return 0;
        }
        p->file = path;
        p->data = data;
        p->size = size;
        p->pos = 0;
        p->line = 0;
        p->current = NULL;
        p->skip_section = false;
        p->prev = PREV_NONE;
        p->last_key = NULL;
        r = ini_parse_stream(reader, p, on_key, p);
        p->file = NULL;
        p->data = NULL;
        if (p->oom || r < 0)
                return -ENOMEM;
        if (r > 0) /* a line our reader let through and inih rejected */
                parser_error(p, path, (unsigned) r, "syntax error");
        return 0;
}

static int dropin_compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int parse_dropins(ConfigParser *p, const char *path) {
        _cleanup_free_ char *dir = strprintf("%s.d", path);
        _cleanup_strv_free_ char **files = NULL;
        DIR *d;
        struct dirent *de;

        if (!dir)
                return -ENOMEM;
        if (!(d = opendir(dir))) {
                if (errno != ENOENT)
                        parser_error(p, dir, 0, "cannot open: %s", strerror(errno));
                return 0;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && endswith(de->d_name, ".conf")) {
                        char *f = strprintf("%s/%s", dir, de->d_name);
                        if (!f || strv_push(&files, f) < 0) {
                                closedir(d);
                                return -ENOMEM;
                        }
                }
        closedir(d);
        if (files)
                qsort(files, strv_length(files), sizeof(char *), dropin_compare);
        STRV_FOREACH(f, files) {
                int r = parse_file(p, *f);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- validation, once everything is read ---- */

/* The assignment read last, of two that may be NULL: where a conflict became one. */
static const Assignment *assignment_later(ConfigParser *p, const Assignment *a,
                                          const Assignment *b) {
        if (!a || !b)
                return a ? a : b;
        size_t fa = parser_file_index(p, a->file), fb = parser_file_index(p, b->file);
        if (fa != fb)
                return fa > fb ? a : b;
        return a->line > b->line ? a : b;
}

static void section_exclusive(ConfigParser *p, const Section *s, const char *a, const char *b) {
        const Assignment *x = section_assignment(s, a), *y = section_assignment(s, b);

        if (x && y) {
                const Assignment *l = assignment_later(p, x, y);
                parser_error(p, l->file, l->line, "[%s]: '%s' and '%s' exclude each other",
                             s->name, a, b);
        }
}

/* A key that was never set. One that was set to something invalid is already reported. */
static void section_require(ConfigParser *p, const Section *s, const char *key) {
        if (!section_assignment(s, key))
                parser_error(p, s->file, s->line, "[%s] needs '%s'", s->name, key);
}

/* A built-in source read page by page (an index and one document per country). */
static bool source_builtin_pages(const SourceConfig *sc) {
        const SourceType *t = sc->kind == SOURCE_KIND_BUILTIN ? source_type_builtin(sc->id) : NULL;
        return t && t->plan == SOURCE_PLAN_PAGES;
}

static unsigned section_applies(ConfigParser *p, const Section *s) {
        const Config *c = p->config;
        switch (s->kind) {
        case SECTION_DAEMON:
                return APPLY_DAEMON;
        case SECTION_SOURCE: {
                const SourceConfig *sc = &c->sources[s->index];
                if (sc->kind != SOURCE_KIND_BUILTIN)
                        return APPLY_SOURCE_USER;
                return APPLY_SOURCE_BUILTIN |
                       (source_builtin_pages(sc) ? APPLY_SOURCE_BUILTIN_PAGES : 0) |
                       (streq(sc->id, "no") ? APPLY_SOURCE_NO : 0);
        }
        case SECTION_NOTIFY:
                return 1u << (APPLY_NOTIFY_SHIFT + c->notifiers[s->index].type);
        default:
                return 0;
        }
}

static void source_key_error(ConfigParser *p, const Section *s, const Assignment *a) {
        if (a->key->applies == APPLY_SOURCE_NO)
                parser_error(p, a->file, a->line,
                             "'%s' only applies to [source:no] (regjeringen.no's feed of changed "
                             "pages)",
                             a->key->name);
        else if (a->key->applies == APPLY_SOURCE_USER)
                parser_error(p, a->file, a->line,
                             "'%s' is only valid for user-defined sources (type = html|xml)",
                             a->key->name);
        else if (p->config->sources[s->index].kind != SOURCE_KIND_BUILTIN)
                parser_error(p, a->file, a->line,
                             "'%s' does not apply to user-defined sources (they fetch every page "
                             "on every poll)",
                             a->key->name);
        else
                parser_error(p, a->file, a->line,
                             "'%s' does not apply to [%s], which is read as one document",
                             a->key->name, s->name);
}

static void validate_keys(ConfigParser *p, const Section *s) {
        unsigned applies = section_applies(p, s);
        for (size_t i = 0; i < s->n_assignments; i++) {
                const Assignment *a = &s->assignments[i];
                if (a->key->applies & applies)
                        continue;
                if (s->kind == SECTION_SOURCE)
                        source_key_error(p, s, a);
                else
                        parser_error(p, a->file, a->line, "'%s' does not apply to type = %s",
                                     a->key->name,
                                     notify_type_to_string(p->config->notifiers[s->index].type));
        }
}

static void validate_daemon(ConfigParser *p, const Section *s) {
        const DaemonSettings *d = &p->config->daemon;

        if (d->max_connections_per_host > d->max_connections) {
                const Assignment *a = assignment_later(
                        p, section_assignment(s, "max_connections"),
                        section_assignment(s, "max_connections_per_host"));
                parser_error(p, a->file, a->line,
                             "max_connections_per_host (%u) exceeds max_connections (%u)",
                             d->max_connections_per_host, d->max_connections);
        }
}

static void validate_source(ConfigParser *p, const Section *s) {
        SourceConfig *sc = &p->config->sources[s->index];
        const Assignment *a;
        bool any = false;

        if (s->type_given && !s->type_set)
                return; /* the bad type is reported; which keys apply is unknown */
        if (sc->kind == SOURCE_KIND_BUILTIN && !source_type_builtin(sc->id)) {
                parser_error(p, s->file, s->line,
                             "[%s] is not a built-in source; a user-defined source needs type = "
                             "html or xml",
                             s->name);
                return;
        }
        if (sc->kind != SOURCE_KIND_BUILTIN && source_type_builtin(sc->id)) {
                a = section_assignment(s, "type");
                parser_error(p, a->file, a->line, "[%s] is a built-in source and takes no 'type'",
                             s->name);
                return;
        }
        validate_keys(p, s);
        if (sc->kind == SOURCE_KIND_BUILTIN)
                return;
        section_require(p, s, "url");
        if (sc->url && !strstr(sc->url, "{country}") && !strstr(sc->url, "{COUNTRY}")) {
                a = section_assignment(s, "url");
                parser_error(p, a->file, a->line, "[%s]: 'url' must contain {country} or {COUNTRY}",
                             s->name);
        }
        section_require(p, s, "xpath");
        for (int l = 1; l <= 4; l++) {
                char key[] = { 'l', 'e', 'v', 'e', 'l', (char) ('0' + l), '\0' };
                any = any || section_assignment(s, key);
        }
        if (!any)
                parser_error(p, s->file, s->line, "[%s] needs at least one of level1…level4",
                             s->name);
}

/* A password that would travel in the clear. (starttls is ignored for smtps://, where the
 * connection is TLS from the start: --test-config prints it for every smtp_url.) */
static void validate_email_transport(ConfigParser *p, const Section *s, const NotifyConfig *n) {
        if (!n->smtp_url || startswith_no_case(n->smtp_url, "smtps://") || n->starttls != 0 ||
            (!n->smtp_password_file && !n->smtp_credential))
                return;
        const Assignment *a = section_assignment(s, "starttls");
        parser_error(p, a->file, a->line,
                     "[%s]: starttls = no would send the SMTP password in the clear; use "
                     "starttls = required or smtps://",
                     s->name);
}

static void validate_notifier(ConfigParser *p, const Section *s) {
        NotifyConfig *n = &p->config->notifiers[s->index];

        if (!s->type_given) {
                section_require(p, s, "type");
                return;
        }
        if (!s->type_set)
                return;
        validate_keys(p, s);
        switch (n->type) {
        case NOTIFY_EMAIL:
                section_require(p, s, "to");
                section_require(p, s, "from");
                if (!section_assignment(s, "smtp_url") && !section_assignment(s, "sendmail"))
                        parser_error(p, s->file, s->line, "[%s] needs 'smtp_url' or 'sendmail'",
                                     s->name);
                section_exclusive(p, s, "smtp_url", "sendmail");
                section_exclusive(p, s, "smtp_password_file", "smtp_credential");
                if ((n->smtp_password_file || n->smtp_credential) && !n->smtp_user)
                        parser_error(p, s->file, s->line,
                                     "[%s] needs 'smtp_user' (a password is set)", s->name);
                validate_email_transport(p, s, n);
                break;
        case NOTIFY_WEBHOOK:
                section_require(p, s, "url");
                section_exclusive(p, s, "secret_file", "secret_credential");
                break;
        case NOTIFY_EXEC:
                section_require(p, s, "command");
                break;
        default:
                break;
        }
        STRV_FOREACH(id, n->sources)
                if (!config_find_source(p->config, *id)) {
                        const Assignment *a = section_assignment(s, "sources");
                        parser_error(p, a->file, a->line, "'sources': there is no [source:%s]",
                                     *id);
                }
}

static void validate_section(ConfigParser *p, const Section *s) {
        switch (s->kind) {
        case SECTION_DAEMON:
                validate_daemon(p, s);
                break;
        case SECTION_SOURCE:
                validate_source(p, s);
                break;
        case SECTION_NOTIFY:
                validate_notifier(p, s);
                break;
        default:
                break;
        }
}

static int config_fill_defaults(Config *c) {
        DaemonSettings *d = &c->daemon;

        if (!d->database && !(d->database = strdup("/var/lib/advisoryd/advisoryd.db")))
                return -ENOMEM;
        if (!d->user_agent && !(d->user_agent = strdup("advisoryd/" VERSION)))
                return -ENOMEM;
        for (size_t i = 0; i < c->n_notifiers; i++) {
                NotifyConfig *n = &c->notifiers[i];
                if (n->type == NOTIFY_JOURNAL && !n->socket &&
                    !(n->socket = strdup("/run/systemd/journal/socket")))
                        return -ENOMEM;
                if (n->type == NOTIFY_SYSLOG && !n->socket && !(n->socket = strdup("/dev/log")))
                        return -ENOMEM;
                if (n->type == NOTIFY_SYSLOG && !n->ident && !(n->ident = strdup("advisoryd")))
                        return -ENOMEM;
        }
        return 0;
}

static void config_parser_done(ConfigParser *p) {
        for (size_t i = 0; i < p->n_sections; i++) {
                for (size_t j = 0; j < p->sections[i].n_assignments; j++)
                        free(p->sections[i].assignments[j].file);
                free(p->sections[i].assignments);
                free(p->sections[i].name);
                free(p->sections[i].file);
        }
        free(p->sections);
        for (size_t i = 0; i < p->n_errors; i++)
                free(p->errors[i].text);
        free(p->errors);
        strv_free(p->files);
}

int config_load(const char *path, Config **ret, char **ret_errors) {
        _cleanup_config_ Config *c = calloc(1, sizeof(Config));
        ConfigParser p = { .config = c };
        int r;

        if (!c || !(c->path = strdup(path)))
                return -ENOMEM;
        c->daemon = (DaemonSettings) {
                .interval = USEC_PER_HOUR,
                .jitter = 5 * USEC_PER_MINUTE,
                .timeout = 60 * USEC_PER_SEC,
                .max_document_size = 16ULL * 1024 * 1024,
                .max_connections = 16,
                .max_connections_per_host = 4,
                .retry_max_age = 3 * USEC_PER_DAY,
                .failure_threshold = 3,
                .mass_change_percent = 30,
                .mass_change_confirmations = 2,
        };
        r = parse_file(&p, path);
        if (r >= 0)
                r = parse_dropins(&p, path);
        if (r >= 0)
                r = config_fill_defaults(c);
        for (size_t i = 0; r >= 0 && i < p.n_sections; i++)
                validate_section(&p, &p.sections[i]);
        if (r >= 0 && p.oom)
                r = -ENOMEM;
        if (r >= 0 && p.n_errors > 0) {
                r = -EINVAL;
                if (ret_errors && !(*ret_errors = parser_errors_text(&p)))
                        r = -ENOMEM;
        }
        config_parser_done(&p);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static void source_config_done(SourceConfig *s) {
        free(s->id);
        free(s->url);
        free(s->rss_url);
        strv_free(s->countries);
        free(s->xpath);
        for (int l = 0; l < 5; l++)
                free(s->level_regex[l]);
        free(s->file);
}

static void notify_config_done(NotifyConfig *n) {
        char **strings[] = { &n->name,  &n->socket,     &n->ident,
                             &n->from,  &n->smtp_url,   &n->smtp_user,
                             &n->smtp_password_file,    &n->smtp_credential,
                             &n->ca_file, &n->sendmail, &n->url,
                             &n->secret_file, &n->secret_credential, &n->file };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                free(*strings[i]);
        strv_free(n->countries);
        strv_free(n->sources);
        strv_free(n->to);
        strv_free(n->command);
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        free(c->path);
        free(c->daemon.database);
        free(c->daemon.user_agent);
        for (size_t i = 0; i < c->n_sources; i++)
                source_config_done(&c->sources[i]);
        free(c->sources);
        for (size_t i = 0; i < c->n_notifiers; i++)
                notify_config_done(&c->notifiers[i]);
        free(c->notifiers);
        free(c);
        return NULL;
}

const SourceConfig *config_find_source(const Config *c, const char *id) {
        for (size_t i = 0; i < c->n_sources; i++)
                if (streq(c->sources[i].id, id))
                        return &c->sources[i];
        return NULL;
}

const char *notify_type_to_string(NotifyType t) {
        static const char *const names[_NOTIFY_TYPE_MAX] = {
                [NOTIFY_JOURNAL] = "journal", [NOTIFY_SYSLOG] = "syslog", [NOTIFY_EMAIL] = "email",
                [NOTIFY_WEBHOOK] = "webhook", [NOTIFY_EXEC] = "exec",
        };
        return t >= 0 && t < _NOTIFY_TYPE_MAX ? names[t] : "unknown";
}

/* ---- dump ---- */

#define DUMP_LINE_SOFT 78

/* A long list goes on indented continuation lines: a line holds at most INI_MAX_LINE - 1
 * characters, and the dump must read back. */
static void dump_list(FILE *f, const char *key, char *const *l) {
        size_t col;

        if (!l || !l[0]) {
                fprintf(f, "%s = %s\n", key, l ? "" : "*");
                return;
        }
        col = (size_t) fprintf(f, "%s =", key);
        STRV_FOREACH(w, l) {
                size_t n = strlen(*w);
                if (w != l && col + 1 + n > DUMP_LINE_SOFT) {
                        fputs("\n   ", f);
                        col = 3;
                }
                col += 1 + n;
                fprintf(f, " %s", *w);
        }
        fputc('\n', f);
}

static void dump_duration(FILE *f, const char *key, usec_t u) {
        char buf[DURATION_MAX];
        fprintf(f, "%s = %s\n", key, format_duration(buf, u));
}

static void dump_daemon(const DaemonSettings *d, FILE *f) {
        char size[SIZE_MAX_STR];

        fprintf(f, "[daemon]\ndatabase = %s\n", d->database);
        dump_duration(f, "interval", d->interval);
        dump_duration(f, "jitter", d->jitter);
        dump_duration(f, "timeout", d->timeout);
        fprintf(f, "max_document_size = %s\n", format_size(size, d->max_document_size));
        fprintf(f, "max_connections = %u\n", d->max_connections);
        fprintf(f, "max_connections_per_host = %u\n", d->max_connections_per_host);
        fprintf(f, "user_agent = %s\n", d->user_agent);
        dump_duration(f, "retry_max_age", d->retry_max_age);
        fprintf(f, "failure_threshold = %u\n", d->failure_threshold);
        fprintf(f, "mass_change_threshold = %u%%\n", d->mass_change_percent);
        fprintf(f, "mass_change_confirmations = %u\n", d->mass_change_confirmations);
}

/* [source:no]: the feed's address, given or on the index's host. */
static void dump_rss_url(const SourceConfig *s, const SourceType *t, FILE *f) {
        _cleanup_free_ char *derived = NULL;

        if (!s->rss_url)
                derived = no_rss_url(s->url ? s->url : (t ? t->default_url : NULL));
        const char *v = s->rss_url ? s->rss_url : derived;
        /* on a very long host, the derived address may not fit on a line: it stays derived */
        if (v && strlen("rss_url = ") + strlen(v) < INI_MAX_LINE)
                fprintf(f, "rss_url = %s\n", v);
}

static void dump_source(const SourceConfig *s, const DaemonSettings *d, FILE *f) {
        const SourceType *t = source_type_for(s);

        fprintf(f, "\n[source:%s]\n", s->id);
        if (s->kind != SOURCE_KIND_BUILTIN)
                fprintf(f, "type = %s\n", s->kind == SOURCE_KIND_HTML ? "html" : "xml");
        fprintf(f, "enabled = %s\n", s->enabled ? "yes" : "no");
        dump_duration(f, "interval", s->interval ? s->interval : d->interval);
        fprintf(f, "url = %s\n", s->url ? s->url : (t && t->default_url ? t->default_url : ""));
        if (t && t->plan == SOURCE_PLAN_PAGES)
                dump_duration(f, "request_delay", s->request_delay);
        if (source_builtin_pages(s))
                dump_duration(f, "sweep_interval", s->sweep_interval);
        if (s->kind == SOURCE_KIND_BUILTIN && streq(s->id, "no"))
                dump_rss_url(s, t, f);
        if (s->kind == SOURCE_KIND_BUILTIN)
                return;
        dump_list(f, "countries", s->countries);
        fprintf(f, "xpath = %s\n", s->xpath);
        for (int l = 4; l >= 1; l--)
                if (s->level_regex[l])
                        fprintf(f, "level%d = %s\n", l, s->level_regex[l]);
}

static void dump_events(FILE *f, unsigned events) {
        fprintf(f, "events =%s%s%s\n", events & NOTIFY_EVENT_CHANGE ? " change" : "",
                events & NOTIFY_EVENT_SOURCE_FAILING ? " source-failing" : "",
                events & NOTIFY_EVENT_SOURCE_RECOVERED ? " source-recovered" : "");
}

/* One command word, quoted so that split_command() gives it back unchanged. ';' and '#' are
 * escaped as well: after white space, even inside quotes, they would start a comment. */
static void dump_word(FILE *f, const char *w) {
        bool quote = !*w;

        for (const char *c = w; *c && !quote; c++)
                quote = isspace((unsigned char) *c) || strchr("\"'\\;#", *c);
        if (!quote) {
                fprintf(f, " %s", w);
                return;
        }
        fputs(" \"", f);
        for (; *w; w++) {
                if (strchr("\"\\;#", *w))
                        fputc('\\', f);
                fputc(*w, f);
        }
        fputc('"', f);
}

static void dump_notifier(const NotifyConfig *n, FILE *f) {
        static const char *const starttls[] = { "no", "opportunistic", "required" };

        fprintf(f, "\n[notify:%s]\ntype = %s\n", n->name, notify_type_to_string(n->type));
        dump_list(f, "countries", n->countries);
        dump_list(f, "sources", n->sources);
        fprintf(f, "min_level = %d\n", n->min_level);
        dump_events(f, n->events);
        switch (n->type) {
        case NOTIFY_JOURNAL:
                fprintf(f, "socket = %s\n", n->socket);
                break;
        case NOTIFY_SYSLOG:
                fprintf(f, "socket = %s\nident = %s\nfacility = %s\n", n->socket, n->ident,
                        facility_to_string(n->facility));
                break;
        case NOTIFY_EMAIL:
                dump_list(f, "to", n->to);
                fprintf(f, "from = %s\n", n->from);
                if (n->smtp_url)
                        fprintf(f, "smtp_url = %s\nstarttls = %s\n", n->smtp_url,
                                starttls[n->starttls]);
                if (n->sendmail)
                        fprintf(f, "sendmail = %s\n", n->sendmail);
                if (n->smtp_user)
                        fprintf(f, "smtp_user = %s\n", n->smtp_user);
                /* never the password itself: only where it comes from */
                if (n->smtp_password_file)
                        fprintf(f, "smtp_password_file = %s\n", n->smtp_password_file);
                if (n->smtp_credential)
                        fprintf(f, "smtp_credential = %s\n", n->smtp_credential);
                if (n->ca_file)
                        fprintf(f, "ca_file = %s\n", n->ca_file);
                dump_duration(f, "digest", n->digest);
                break;
        case NOTIFY_WEBHOOK:
                fprintf(f, "url = %s\n", n->url);
                if (n->secret_file)
                        fprintf(f, "secret_file = %s\n", n->secret_file);
                if (n->secret_credential)
                        fprintf(f, "secret_credential = %s\n", n->secret_credential);
                dump_duration(f, "timeout", n->timeout);
                break;
        case NOTIFY_EXEC:
                fputs("command =", f);
                STRV_FOREACH(w, n->command)
                        dump_word(f, *w);
                fputc('\n', f);
                dump_duration(f, "timeout", n->timeout);
                break;
        default:
                break;
        }
}

void config_dump(const Config *c, FILE *f) {
        fprintf(f, "# effective configuration of %s\n", c->path);
        dump_daemon(&c->daemon, f);
        for (size_t i = 0; i < c->n_sources; i++)
                dump_source(&c->sources[i], &c->daemon, f);
        for (size_t i = 0; i < c->n_notifiers; i++)
                dump_notifier(&c->notifiers[i], f);
}
