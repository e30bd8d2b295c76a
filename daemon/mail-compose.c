/* mail-compose.c: the words of advisoryd's e-mails. Each message is written once, through a small
 * document builder that produces the text body and its HTML alternative side by side, so the two
 * never disagree. Everything that came from a page is cleaned (one line, no controls or bidi
 * formatting, bounded) before it is written into either. */
#include "mail-compose.h"

#include <assert.h>
#include <stdarg.h>

#include "advisory.h"
#include "country.h"
#include "diff.h"
#include "hmac.h"
#include "source.h"
#include "timeutil.h"

#define LABEL_MAX 1000      /* the changed advice, in the body */
#define OTHER_LABEL_MAX 240 /* one line of the cross-government view */
#define DIGEST_SUBJECT_COUNTRIES 4

void government_advice_done(GovernmentAdvice *a) {
        free(a->source);
        free(a->label);
        free(a->updated);
        free(a->url);
        *a = (GovernmentAdvice) {};
}

void government_advice_free_many(GovernmentAdvice *a, size_t n) {
        for (size_t i = 0; i < n; i++)
                government_advice_done(&a[i]);
        free(a);
}

void mail_draft_done(MailDraft *d) {
        free(d->subject);
        free(d->message_id);
        free(d->list_id);
        free(d->text);
        free(d->html);
        for (size_t i = 0; i < ELEMENTSOF(d->extra_values); i++)
                free(d->extra_values[i]);
        *d = (MailDraft) {};
}

/* ---- identifiers ---- */

char *mail_message_id_change(const Change *c, const char *notifier, const char *from) {
        _cleanup_free_ char *domain = mail_address_domain(from);
        if (!domain)
                return NULL;
        return strprintf("<advisoryd.change-%lld-%lld.%s@%s>", (long long) c->id,
                         (long long) c->observed_at, notifier, domain);
}

char *mail_message_id_digest(const int64_t *ids, size_t n, const char *notifier, const char *from) {
        _cleanup_free_ char *domain = mail_address_domain(from);
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[SHA256_HEX_SIZE];
        Sha256 s;

        if (!domain || n == 0)
                return NULL;
        sha256_init(&s);
        for (size_t i = 0; i < n; i++) {
                char id[24];
                int l = snprintf(id, sizeof(id), "%lld,", (long long) ids[i]);
                sha256_update(&s, id, (size_t) l);
        }
        sha256_final(&s, d);
        return strprintf("<advisoryd.digest-%lld-%lld-%zu-%.12s.%s@%s>", (long long) ids[0],
                         (long long) ids[n - 1], n, hex_encode(d, sizeof(d), hex), notifier,
                         domain);
}

char *mail_message_id_source_event(const SourceEvent *e, const char *notifier, const char *from) {
        _cleanup_free_ char *domain = mail_address_domain(from);
        if (!domain)
                return NULL;
        return strprintf("<advisoryd.%s-%lld-%lld.%s@%s>", outbox_event_to_string(e->event),
                         (long long) e->outbox_id, (long long) e->at, notifier, domain);
}

/* ---- phrases ---- */

static const char *change_direction(const Change *c) {
        return diff_direction(c->previous_level, c->previous_regional_level, c->level,
                              c->regional_level);
}

char *mail_change_headline(const Change *c) {
        const char *gov = source_government(c->source), *dir = change_direction(c);

        if (c->level != c->previous_level || c->regional_level == c->previous_regional_level)
                return strprintf("%s %s to level %d (was %d)", gov, dir, c->level,
                                 c->previous_level);
        if (c->regional_level == LEVEL_NONE)
                return strprintf("%s lifted regional advice (was level %d)", gov,
                                 c->previous_regional_level);
        if (c->previous_regional_level == LEVEL_NONE)
                return strprintf("%s %s regional advice to level %d (was none)", gov, dir,
                                 c->regional_level);
        return strprintf("%s %s regional advice to level %d (was %d)", gov, dir, c->regional_level,
                         c->previous_regional_level);
}

static char *change_sentence(const Change *c) {
        const char *gov = source_government(c->source), *dir = change_direction(c);
        const char *name = country_name(c->country);

        if (c->level != c->previous_level)
                return strprintf("%s %s its travel advice for %s (%s) from level %d to level %d.",
                                 gov, dir, name, c->country, c->previous_level, c->level);
        if (c->regional_level == LEVEL_NONE)
                return strprintf("%s lifted its regional travel advice for %s (%s): no part of "
                                 "the country is above level %d any more.",
                                 gov, name, c->country, c->level);
        return strprintf("%s %s its travel advice for parts of %s (%s) to level %d; the country "
                         "as a whole stays at level %d.",
                         gov, dir, name, c->country, c->regional_level, c->level);
}

static char *level_text(int level) {
        return strprintf("%d (%s)", level, level_meaning(level));
}

static char *regional_text(const Change *c) {
        if (c->regional_level == c->previous_regional_level)
                return c->regional_level ? strprintf("level %d in parts of the country",
                                                     c->regional_level)
                                         : strdup("none");
        if (c->regional_level == LEVEL_NONE)
                return strprintf("none (was level %d)", c->previous_regional_level);
        if (c->previous_regional_level == LEVEL_NONE)
                return strprintf("level %d in parts of the country (was none)", c->regional_level);
        return strprintf("level %d in parts of the country (was %d)", c->regional_level,
                         c->previous_regional_level);
}

/* ---- a text body and an HTML body, written together ---- */

typedef struct Doc {
        Buffer text, html;
        bool oom;
} Doc;

static char *clean(const char *s, size_t max) {
        return advisory_clean_text(strempty(s), strlen(strempty(s)), max);
}

_printf_(3, 4) static void doc_raw(Doc *d, Buffer *b, const char *fmt, ...) {
        va_list ap;
        _cleanup_free_ char *s = NULL;

        va_start(ap, fmt);
        s = strvprintf(fmt, ap);
        va_end(ap);
        if (!s || buffer_puts(b, s) < 0)
                d->oom = true;
}

/* Appends s cleaned to max bytes, HTML-escaped in the HTML body. */
static void doc_clean(Doc *d, Buffer *b, const char *s, size_t max) {
        _cleanup_free_ char *c = clean(s, max);
        if (!c || (b == &d->html ? mail_append_html_escaped(b, c) : buffer_puts(b, c)) < 0)
                d->oom = true;
}

static void doc_para(Doc *d, const char *s) {
        doc_clean(d, &d->text, s, LABEL_MAX * 2);
        doc_raw(d, &d->text, "\n\n");
        doc_raw(d, &d->html, "<p>");
        doc_clean(d, &d->html, s, LABEL_MAX * 2);
        doc_raw(d, &d->html, "</p>\n");
}

static void doc_heading(Doc *d, const char *s) {
        doc_clean(d, &d->text, s, 300);
        doc_raw(d, &d->text, "\n\n");
        doc_raw(d, &d->html, "<h3>");
        doc_clean(d, &d->html, s, 300);
        doc_raw(d, &d->html, "</h3>\n");
}

static bool url_linkable(const char *url) {
        return startswith_no_case(url, "https://") || startswith_no_case(url, "http://");
}

/* "Name:        value" / <tr><th>Name</th><td>value</td></tr>; an http(s) value is a link. */
static void doc_field(Doc *d, const char *indent, const char *name, const char *value, size_t max) {
        _cleanup_free_ char *v = clean(value, max);

        if (!v) {
                d->oom = true;
                return;
        }
        doc_raw(d, &d->text, "%s%s:%*s%s\n", indent, name, (int) (12 - MIN(strlen(name), 11)), "",
                v);
        doc_raw(d, &d->html, "<tr><th align=\"left\" valign=\"top\">%s</th><td>", name);
        if (url_linkable(v)) {
                doc_raw(d, &d->html, "<a href=\"");
                doc_clean(d, &d->html, v, max);
                doc_raw(d, &d->html, "\">");
        }
        doc_clean(d, &d->html, v, max);
        doc_raw(d, &d->html, "%s</td></tr>\n", url_linkable(v) ? "</a>" : "");
}

static void doc_table_begin(Doc *d) {
        doc_raw(d, &d->html, "<table cellpadding=\"2\">\n");
}

static void doc_table_end(Doc *d) {
        doc_raw(d, &d->text, "\n");
        doc_raw(d, &d->html, "</table>\n");
}

static size_t utf8_width(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char) *s & 0xc0) != 0x80;
        return n;
}

static char *advice_level_text(const GovernmentAdvice *a) {
        if (a->regional_level > a->level)
                return strprintf("level %d, regional %d", a->level, a->regional_level);
        return strprintf("level %d", a->level);
}

/* One line per government: "  Canada          level 2  "…" (updated 2022-01-06)". */
static void doc_advice_row(Doc *d, const GovernmentAdvice *a, size_t width, size_t level_width) {
        const char *gov = source_government(a->source);
        _cleanup_free_ char *level = advice_level_text(a);
        _cleanup_free_ char *label = clean(a->label, OTHER_LABEL_MAX);
        _cleanup_free_ char *updated = a->updated ? clean(a->updated, 64) : NULL;

        if (!level || !label || (a->updated && !updated)) {
                d->oom = true;
                return;
        }
        doc_raw(d, &d->text, "  ");
        doc_clean(d, &d->text, gov, 100);
        doc_raw(d, &d->text, "%*s  %-*s  \"%s\"", (int) (width - MIN(utf8_width(gov), width)), "",
                (int) level_width, level, label);
        if (updated)
                doc_raw(d, &d->text, " (updated %s)", updated);
        doc_raw(d, &d->text, "\n");

        doc_raw(d, &d->html, "<tr><td>");
        doc_clean(d, &d->html, gov, 100);
        doc_raw(d, &d->html, "</td><td>%s</td><td>", level);
        if (a->url && url_linkable(a->url)) {
                doc_raw(d, &d->html, "<a href=\"");
                doc_clean(d, &d->html, a->url, 2048);
                doc_raw(d, &d->html, "\">");
        }
        doc_clean(d, &d->html, label, OTHER_LABEL_MAX);
        doc_raw(d, &d->html, "%s</td><td>", a->url && url_linkable(a->url) ? "</a>" : "");
        doc_clean(d, &d->html, strempty(updated), 64);
        doc_raw(d, &d->html, "</td></tr>\n");
}

static bool advice_selected(const GovernmentAdvice *a, const char *country, const char *skip) {
        return streq(a->country, country) && !streq_ptr(a->source, skip);
}

/* The cross-government view of one country: every government's current advice but skip's. */
static void doc_advice_table(Doc *d, const char *country, const char *skip,
                             const GovernmentAdvice *advice, size_t n) {
        size_t width = 0, level_width = 0, shown = 0;

        for (size_t i = 0; i < n; i++)
                if (advice_selected(&advice[i], country, skip)) {
                        _cleanup_free_ char *level = advice_level_text(&advice[i]);
                        width = MAX(width, utf8_width(source_government(advice[i].source)));
                        level_width = MAX(level_width, level ? strlen(level) : 0);
                }
        doc_raw(d, &d->html, "<table cellpadding=\"2\">\n<tr><th align=\"left\">Government</th>"
                             "<th align=\"left\">Level</th><th align=\"left\">Advice</th>"
                             "<th align=\"left\">Updated</th></tr>\n");
        for (size_t i = 0; i < n; i++)
                if (advice_selected(&advice[i], country, skip)) {
                        doc_advice_row(d, &advice[i], width, level_width);
                        shown++;
                }
        doc_raw(d, &d->html, "</table>\n");
        if (shown == 0) {
                _cleanup_free_ char *none = strprintf("(no other government watched here advises "
                                                      "on %s)", country_name(country));
                if (!none) {
                        d->oom = true;
                        return;
                }
                doc_raw(d, &d->text, "  %s\n", none);
                doc_raw(d, &d->html, "<p>");
                doc_clean(d, &d->html, none, 300);
                doc_raw(d, &d->html, "</p>\n");
        }
        doc_raw(d, &d->text, "\n");
}

static void doc_change_fields(Doc *d, const char *indent, const Change *c) {
        char observed[ISO8601_MAX];
        _cleanup_free_ char *level = level_text(c->level), *was = level_text(c->previous_level);
        _cleanup_free_ char *levels = NULL, *regional = regional_text(c), *label = NULL;

        if (!level || !was || !regional ||
            !(levels = c->level == c->previous_level ? strdup(level)
                                                      : strprintf("%s, was %s", level, was)) ||
            !(label = strprintf("\"%s\"", strempty(c->label)))) {
                d->oom = true;
                return;
        }
        doc_field(d, indent, "Level", levels, 200);
        doc_field(d, indent, "Regional", regional, 200);
        doc_field(d, indent, "Advice", label, LABEL_MAX);
        if (c->updated)
                doc_field(d, indent, "Updated", c->updated, 64);
        if (c->url)
                doc_field(d, indent, "Link", c->url, 2048);
        doc_field(d, indent, "Observed", format_iso8601(observed, c->observed_at, false), 64);
}

static void doc_begin(Doc *d, const char *title) {
        doc_raw(d, &d->html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
        doc_clean(d, &d->html, title, MAIL_HEADER_VALUE_MAX);
        doc_raw(d, &d->html, "</title></head>\n<body>\n");
}

static void doc_end(Doc *d, const MailSetup *s) {
        doc_raw(d, &d->text, "Levels: 1 normal precautions, 2 increased caution, 3 reconsider "
                             "travel, 4 do not travel.\n-- \nSent by advisoryd for the notifier "
                             "\"%s\".\n",
                s->notifier);
        doc_raw(d, &d->html, "<p><small>Levels: 1 normal precautions, 2 increased caution, "
                             "3 reconsider travel, 4 do not travel.<br>\nSent by advisoryd for "
                             "the notifier &quot;%s&quot;.</small></p>\n</body></html>\n",
                s->notifier);
}

static void doc_done(Doc *d) {
        buffer_done(&d->text);
        buffer_done(&d->html);
}

/* ---- drafts ---- */

static int draft_extra(MailDraft *m, size_t *n, const char *name, char *value) {
        if (!value)
                return -ENOMEM;
        assert(*n < ELEMENTSOF(m->extra));
        m->extra_values[*n] = value;
        m->extra[*n] = (MailHeader) { .name = name, .value = value };
        (*n)++;
        return 0;
}

/* Fills in what every message has, taking the document's bodies. */
static int draft_finish(MailDraft *m, const MailSetup *s, Doc *d, size_t n_extra) {
        _cleanup_free_ char *domain = mail_address_domain(s->from);

        if (d->oom || !domain || buffer_append(&d->text, "", 0) < 0 ||
            buffer_append(&d->html, "", 0) < 0)
                return -ENOMEM;
        if (!(m->list_id = strprintf("advisoryd %s <%s.advisoryd.%s>", s->notifier, s->notifier,
                                     domain)))
                return -ENOMEM;
        m->text = buffer_steal(&d->text);
        m->html = buffer_steal(&d->html);
        m->mail = (Mail) {
                .from = s->from,
                .to = s->to,
                .subject = m->subject,
                .date = s->now,
                .message_id = m->message_id,
                .list_id = m->list_id,
                .extra = m->extra,
                .n_extra = n_extra,
                .text = m->text,
                .html = m->html,
        };
        return 0;
}

/* mail.extra points into the draft itself: moving it means pointing it at the new place */
static void draft_move(MailDraft *to, MailDraft *from) {
        *to = *from;
        to->mail.extra = to->extra;
        *from = (MailDraft) {};
}

static int change_extra(MailDraft *m, size_t *n, const Change *c) {
        if (draft_extra(m, n, "X-Advisoryd-Event", strdup("change")) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Source", strdup(c->source)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Country", strdup(c->country)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Level", strprintf("%d", c->level)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Previous-Level", strprintf("%d", c->previous_level)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Change-Id", strprintf("%lld", (long long) c->id)) < 0)
                return -ENOMEM;
        if (c->regional_level &&
            draft_extra(m, n, "X-Advisoryd-Regional-Level", strprintf("%d", c->regional_level)) < 0)
                return -ENOMEM;
        return 0;
}

int mail_compose_change(MailDraft *ret, const MailSetup *s, const Change *c,
                        const GovernmentAdvice *advice, size_t n_advice) {
        _cleanup_free_ char *headline = mail_change_headline(c), *sentence = change_sentence(c);
        _cleanup_free_ char *country = NULL, *heading = NULL;
        MailDraft m = {};
        Doc d = {};
        size_t n_extra = 0;
        int r = -ENOMEM;

        if (!headline || !sentence ||
            !(country = strprintf("%s (%s)", country_name(c->country), c->country)) ||
            !(heading = strprintf("What the other governments say about %s now:",
                                  country_name(c->country))) ||
            !(m.subject = strprintf("[advisoryd] %s: %s", country_name(c->country), headline)) ||
            !(m.message_id = mail_message_id_change(c, s->notifier, s->from)) ||
            change_extra(&m, &n_extra, c) < 0)
                goto fail;
        doc_begin(&d, m.subject);
        doc_para(&d, sentence);
        doc_table_begin(&d);
        doc_field(&d, "", "Country", country, 200);
        doc_field(&d, "", "Government", source_government(c->source), 200);
        doc_change_fields(&d, "", c);
        doc_table_end(&d);
        doc_heading(&d, heading);
        doc_advice_table(&d, c->country, c->source, advice, n_advice);
        doc_end(&d, s);
        r = draft_finish(&m, s, &d, n_extra);
        if (r < 0)
                goto fail;
        draft_move(ret, &m);
        return 0;
fail:
        doc_done(&d);
        mail_draft_done(&m);
        return r;
}

/* "[advisoryd] 3 changes: Kazakhstan, Azerbaijan, Chad and 2 more" */
static char *digest_subject(const Change *changes, size_t n) {
        Buffer b = {};
        size_t shown = 0, distinct = 0;

        if (buffer_printf(&b, "[advisoryd] %zu changes:", n) < 0)
                goto oom;
        for (size_t i = 0; i < n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen = seen || streq(changes[j].country, changes[i].country);
                if (seen)
                        continue;
                distinct++;
                if (shown == DIGEST_SUBJECT_COUNTRIES)
                        continue;
                if (buffer_printf(&b, "%s %s", shown ? "," : "", country_name(changes[i].country)) < 0)
                        goto oom;
                shown++;
        }
        if (distinct > shown && buffer_printf(&b, " and %zu more", distinct - shown) < 0)
                goto oom;
        if (buffer_append(&b, "", 0) < 0)
                goto oom;
        return buffer_steal(&b);
oom:
        buffer_done(&b);
        return NULL;
}

/* Distinct values of a field, space-separated, in order of appearance. */
static char *digest_list(const Change *changes, size_t n, bool countries) {
        Buffer b = {};

        for (size_t i = 0; i < n; i++) {
                const char *v = countries ? changes[i].country : changes[i].source;
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen = seen || streq(v, countries ? changes[j].country : changes[j].source);
                if (!seen && buffer_printf(&b, "%s%s", b.size ? " " : "", v) < 0) {
                        buffer_done(&b);
                        return NULL;
                }
        }
        if (buffer_append(&b, "", 0) < 0) {
                buffer_done(&b);
                return NULL;
        }
        return buffer_steal(&b);
}

static int digest_extra(MailDraft *m, size_t *n, const Change *changes, size_t count) {
        int highest = 0;

        for (size_t i = 0; i < count; i++)
                highest = MAX(highest, MAX(changes[i].level, changes[i].regional_level));
        if (draft_extra(m, n, "X-Advisoryd-Event", strdup("digest")) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Source", digest_list(changes, count, false)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Country", digest_list(changes, count, true)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Level", strprintf("%d", highest)) < 0 ||
            draft_extra(m, n, "X-Advisoryd-Changes", strprintf("%zu", count)) < 0)
                return -ENOMEM;
        return 0;
}

static void doc_digest_countries(Doc *d, const Change *changes, size_t n,
                                 const GovernmentAdvice *advice, size_t n_advice) {
        doc_heading(d, "What the governments say now:");
        for (size_t i = 0; i < n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen = seen || streq(changes[j].country, changes[i].country);
                if (seen)
                        continue;
                doc_raw(d, &d->text, "%s (%s)\n", country_name(changes[i].country),
                        changes[i].country);
                doc_raw(d, &d->html, "<h4>");
                doc_clean(d, &d->html, country_name(changes[i].country), 200);
                doc_raw(d, &d->html, " (%s)</h4>\n", changes[i].country);
                doc_advice_table(d, changes[i].country, NULL, advice, n_advice);
        }
}

int mail_compose_digest(MailDraft *ret, const MailSetup *s, const Change *changes,
                        const int64_t *outbox_ids, size_t n, const GovernmentAdvice *advice,
                        size_t n_advice) {
        _cleanup_free_ char *intro = NULL;
        MailDraft m = {};
        Doc d = {};
        size_t n_extra = 0;
        int r = -ENOMEM;

        if (n == 0)
                return -EINVAL;
        if (!(m.subject = digest_subject(changes, n)) ||
            !(m.message_id = mail_message_id_digest(outbox_ids, n, s->notifier, s->from)) ||
            !(intro = strprintf("%zu changes in travel advice:", n)) ||
            digest_extra(&m, &n_extra, changes, n) < 0)
                goto fail;
        doc_begin(&d, m.subject);
        doc_para(&d, intro);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *sentence = change_sentence(&changes[i]);
                _cleanup_free_ char *numbered = sentence ? strprintf("%zu. %s", i + 1, sentence) : NULL;
                if (!numbered)
                        goto fail;
                doc_clean(&d, &d.text, numbered, LABEL_MAX);
                doc_raw(&d, &d.text, "\n");
                doc_raw(&d, &d.html, "<p><b>");
                doc_clean(&d, &d.html, numbered, LABEL_MAX);
                doc_raw(&d, &d.html, "</b></p>\n");
                doc_table_begin(&d);
                doc_change_fields(&d, "   ", &changes[i]);
                doc_table_end(&d);
        }
        doc_digest_countries(&d, changes, n, advice, n_advice);
        doc_end(&d, s);
        r = draft_finish(&m, s, &d, n_extra);
        if (r < 0)
                goto fail;
        draft_move(ret, &m);
        return 0;
fail:
        doc_done(&d);
        mail_draft_done(&m);
        return r;
}

static void doc_source_event(Doc *d, const SourceEvent *e) {
        const char *gov = source_government(e->source);
        char when[ISO8601_MAX];
        _cleanup_free_ char *intro = NULL;

        if (e->event == OUTBOX_SOURCE_FAILING)
                intro = strprintf("advisoryd cannot read the travel advice published by %s "
                                  "(source \"%s\"): %u polls in a row have failed. Until it "
                                  "works again, the advice last recorded from it stands, and "
                                  "changes it publishes are not seen. You will get one more "
                                  "message when it recovers.",
                                  gov, e->source, e->failures);
        else
                intro = strprintf("advisoryd reads the travel advice published by %s (source "
                                  "\"%s\") again. Changes it published while it was failing are "
                                  "reported as usual.",
                                  gov, e->source);
        if (!intro) {
                d->oom = true;
                return;
        }
        doc_para(d, intro);
        doc_table_begin(d);
        if (e->event == OUTBOX_SOURCE_FAILING)
                doc_field(d, "", "Last error", strna(e->detail), 500);
        doc_field(d, "", "Last success",
                  e->last_success > 0 ? format_iso8601(when, e->last_success, false) : "never",
                  64);
        doc_field(d, "", "Reported", format_iso8601(when, e->at, false), 64);
        doc_table_end(d);
}

int mail_compose_source_event(MailDraft *ret, const MailSetup *s, const SourceEvent *e) {
        bool failing = e->event == OUTBOX_SOURCE_FAILING;
        MailDraft m = {};
        Doc d = {};
        size_t n_extra = 0;
        int r = -ENOMEM;

        if (!(m.subject = strprintf("[advisoryd] Source %s: %s (%s)",
                                    failing ? "failing" : "recovered",
                                    source_government(e->source), e->source)) ||
            !(m.message_id = mail_message_id_source_event(e, s->notifier, s->from)) ||
            draft_extra(&m, &n_extra, "X-Advisoryd-Event",
                        strdup(outbox_event_to_string(e->event))) < 0 ||
            draft_extra(&m, &n_extra, "X-Advisoryd-Source", strdup(e->source)) < 0)
                goto fail;
        doc_begin(&d, m.subject);
        doc_source_event(&d, e);
        doc_end(&d, s);
        r = draft_finish(&m, s, &d, n_extra);
        if (r < 0)
                goto fail;
        draft_move(ret, &m);
        return 0;
fail:
        doc_done(&d);
        mail_draft_done(&m);
        return r;
}
