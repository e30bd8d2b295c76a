/* source-no.c: the Norwegian Ministry of Foreign Affairs (Utenriksdepartementet, UD). One
 * regjeringen.no country page (…/reiseinformasjon/velg-land/<slug>/id<N>/) → one record. Pure:
 * bytes + URL → record. How pages are found and polled is not this file's business; how the advice
 * prose is read is no-classify.c's.
 *
 * A page reads (2024–2026):
 *   <h1>Afghanistan - reiseinformasjon</h1>
 *   <span class="date">Sist oppdatert: 20.06.2024</span>          (the page, not the advice)
 *   <div class="article-body"> … <div class="factbox">
 *     <div class="factbox-static">
 *       <p class="factbox-pre-title">SIST OPPDATERT: 04.08.2021 - FORTSATT GYLDIG</p>
 *       <h2 class="factbox-title">Reiseadvarsel for Afghanistan</h2></div>
 *     <div class="factbox-content"><div class="factbox-static"><p>…</p><p>…</p></div></div></div>
 * one <p> per clause. The other factboxes (h3 togglers: Innreise, Sikkerhet, Helse …) are not
 * advice, nor are the ingress and the news paragraphs that often repeat it. No "Reiseadvarsel"
 * factbox means no advice: level 1. The site sits behind Cloudflare, which answers some networks
 * with HTTP 200 and a challenge page: a document without the country page's whole structure is
 * refused, never read as level 1. */
#include <ctype.h>
#include <strings.h>

#include "challenge.h"
#include "country.h"
#include "no-classify.h"
#include "source.h"
#include "xml.h"

/* Our own label for a page without advice: UD writes nothing there. */
#define NO_LABEL_NONE "Ingen reiseadvarsel"

#define PARAGRAPHS_MAX 64
#define TEXT_MAX (64 * 1024) /* of one paragraph or heading */
#define TAIL_SCAN (64 * 1024)

typedef struct NoPage {
        char *name;        /* "Afghanistan", from the heading "Afghanistan - reiseinformasjon" */
        char *page_date;   /* "Sist oppdatert: 20.06.2024" */
        bool article_body;
        bool box_broken;   /* an advice box without its content */
        char *box_title;   /* "Reiseadvarsel for Afghanistan" (the first advice box) */
        char *box_status;  /* "SIST OPPDATERT: 04.08.2021 - FORTSATT GYLDIG" */
        char **paragraphs; /* of every advice box, cleaned */
        size_t n_boxes;
} NoPage;

static void no_page_done(NoPage *p) {
        free(p->name);
        free(p->page_date);
        free(p->box_title);
        free(p->box_status);
        strv_free(p->paragraphs);
        *p = (NoPage) {};
}

/* ---- tree ---- */

/* The node after n in document order below root, not entering n's children unless descend.
 * Iterative: a hostile page may nest elements deeper than any stack. */
static xmlNodePtr next_node(xmlNodePtr n, xmlNodePtr root, bool descend) {
        if (descend && n->children)
                return n->children;
        for (; n && n != root; n = n->parent)
                if (n->next)
                        return n->next;
        return NULL;
}

static bool has_class(xmlNodePtr n, const char *cls) {
        _cleanup_free_ char *v = xml_attr(n, "class");
        size_t l = strlen(cls);

        for (const char *p = v; p && *p;) {
                size_t w;

                p += strspn(p, " \t\r\n");
                w = strcspn(p, " \t\r\n");
                if (w == l && strncmp(p, cls, l) == 0)
                        return true;
                p += w;
        }
        return false;
}

static bool is_block(xmlNodePtr n) {
        static const char *const blocks[] = {
                "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                "br", "tr", "td", "table", "section",
        };
        for (size_t i = 0; i < ELEMENTSOF(blocks); i++)
                if (xml_is(n, blocks[i]))
                        return true;
        return false;
}

static bool is_skipped(xmlNodePtr n) {
        return xml_is(n, "script") || xml_is(n, "style") || xml_is(n, "noscript");
}

/* The text below n, with blocks and line breaks as spaces (xml_text() would run
 * "landet.<br>Nordmenn" together), cleaned with advisory_clean_text(). */
static char *node_text(xmlNodePtr root) {
        _cleanup_(buffer_done) Buffer b = {};
        bool descend = true;

        if (buffer_append(&b, "", 0) < 0)
                return NULL;
        for (xmlNodePtr n = root->children; n; n = next_node(n, root, descend)) {
                descend = !is_skipped(n);
                if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
                        if (buffer_puts(&b, (const char *) n->content) < 0)
                                return NULL;
                } else if (n->type == XML_ELEMENT_NODE && is_block(n) && buffer_puts(&b, " ") < 0)
                        return NULL;
        }
        return advisory_clean_text(b.data, b.size, TEXT_MAX);
}

static xmlNodePtr find_class(xmlNodePtr root, const char *cls) {
        for (xmlNodePtr n = root->children; n; n = next_node(n, root, true))
                if (n->type == XML_ELEMENT_NODE && has_class(n, cls))
                        return n;
        return NULL;
}

/* ---- the advice box ---- */

static int push_text(char ***l, char *text) {
        if (!text)
                return -ENOMEM;
        if (!*text) {
                free(text);
                return 0;
        }
        if (strv_length(*l) >= PARAGRAPHS_MAX) {
                free(text);
                return -E2BIG;
        }
        return strv_push(l, text);
}

/* One paragraph per <p> or <li>; text outside them (rare) forms paragraphs of its own. */
static int box_paragraphs(xmlNodePtr content, char ***l) {
        _cleanup_(buffer_done) Buffer loose = {};
        bool descend = true;
        int r;

        if (buffer_append(&loose, "", 0) < 0)
                return -ENOMEM;
        for (xmlNodePtr n = content->children; n; n = next_node(n, content, descend)) {
                descend = !is_skipped(n);
                if (xml_is(n, "p") || xml_is(n, "li")) {
                        descend = false;
                        r = push_text(l, advisory_clean_text(loose.data, loose.size, TEXT_MAX));
                        if (r < 0 || (r = push_text(l, node_text(n))) < 0)
                                return r;
                        loose.size = 0;
                        loose.data[0] = '\0';
                } else if (n->type == XML_TEXT_NODE && n->content &&
                           (buffer_puts(&loose, (const char *) n->content) < 0 ||
                            buffer_puts(&loose, " ") < 0))
                        return -ENOMEM;
        }
        return push_text(l, advisory_clean_text(loose.data, loose.size, TEXT_MAX));
}

/* A factbox whose title starts with "Reiseadvarsel": the advice. Others are ignored. */
static int page_read_box(xmlNodePtr box, NoPage *page) {
        xmlNodePtr title = find_class(box, "factbox-title"), content;
        _cleanup_free_ char *t = title ? node_text(title) : NULL;
        size_t n;
        int r;

        if (title && !t)
                return -ENOMEM;
        if (!t || strncasecmp(t, "reiseadvarsel", strlen("reiseadvarsel")) != 0)
                return 0;
        page->n_boxes++;
        content = find_class(box, "factbox-content");
        if (!content) {
                page->box_broken = true;
                return 0;
        }
        if (!page->box_title) {
                xmlNodePtr status = find_class(box, "factbox-pre-title");
                page->box_title = TAKE_PTR(t);
                if (status && !(page->box_status = node_text(status)))
                        return -ENOMEM;
        }
        n = strv_length(page->paragraphs);
        if ((r = box_paragraphs(content, &page->paragraphs)) < 0)
                return r;
        if (strv_length(page->paragraphs) == n)
                page->box_broken = true;
        return 0;
}

/* ---- the page ---- */

/* "Afghanistan - reiseinformasjon" → "Afghanistan" (also with an en dash, or none; and
 * "Reiseinformasjon for Ghana", as some slugs read). Returns 1 and the name, or 0 for any other
 * heading ("Siden finnes ikke", "Reiseinformasjon: velg land"). */
static int heading_country_name(const char *h1, char **ret) {
        static const char suffix[] = "reiseinformasjon", prefix[] = "reiseinformasjon for ";
        size_t l = strlen(h1), sl = strlen(suffix);
        const char *e;

        if (strncasecmp(h1, prefix, strlen(prefix)) == 0 && h1[strlen(prefix)]) {
                *ret = strdup(h1 + strlen(prefix));
                return *ret ? 1 : -ENOMEM;
        }
        while (l > 0 && (h1[l - 1] == ' ' || h1[l - 1] == '.'))
                l--;
        if (l <= sl || strncasecmp(h1 + l - sl, suffix, sl) != 0)
                return 0;
        e = h1 + l - sl;
        while (e > h1) {
                if (e[-1] == ' ' || e[-1] == '-' || e[-1] == ':')
                        e--;
                else if (e - h1 >= 3 && (strncmp(e - 3, "\xe2\x80\x93", 3) == 0 ||
                                         strncmp(e - 3, "\xe2\x80\x94", 3) == 0))
                        e -= 3; /* en dash, em dash */
                else
                        break;
        }
        if (e == h1)
                return 0;
        *ret = strndup(h1, (size_t) (e - h1));
        return *ret ? 1 : -ENOMEM;
}

static int page_read_element(xmlNodePtr n, NoPage *page, bool *descend) {
        if (!page->name && xml_is(n, "h1")) {
                _cleanup_free_ char *t = node_text(n);
                if (!t)
                        return -ENOMEM;
                return heading_country_name(t, &page->name);
        } else if (!page->page_date && xml_is(n, "span") && has_class(n, "date")) {
                if (!(page->page_date = node_text(n)))
                        return -ENOMEM;
        } else if (has_class(n, "article-body"))
                page->article_body = true;
        else if (has_class(n, "factbox")) {
                *descend = false;
                return page_read_box(n, page);
        }
        return 0;
}

static int page_read(xmlDocPtr doc, NoPage *page) {
        xmlNodePtr root = xmlDocGetRootElement(doc);
        bool descend = true;
        int r;

        if (!(page->paragraphs = calloc(1, sizeof(char *))))
                return -ENOMEM;
        for (xmlNodePtr n = root; n; n = next_node(n, root, descend)) {
                descend = !is_skipped(n);
                if (n->type == XML_ELEMENT_NODE && (r = page_read_element(n, page, &descend)) < 0)
                        return r;
        }
        return 0;
}

/* "Reiseadvarsel for Afghanistan" → "Afghanistan"; NULL without a name. */
static const char *box_country_name(const char *title) {
        const char *p = title + strlen("reiseadvarsel");

        while (*p == ' ' || *p == ':')
                p++;
        if (strncasecmp(p, "for ", 4) != 0)
                return NULL;
        p += 4;
        return *p ? p : NULL;
}

static bool complete_document(const char *data, size_t size) {
        size_t from = size > TAIL_SCAN ? size - TAIL_SCAN : 0;

        for (size_t i = from; i + 6 <= size; i++)
                if (data[i] == '<' && strncasecmp(data + i, "</html", 6) == 0)
                        return true;
        return false;
}

static int no_refuse(const ExtractInput *in, ExtractError *err, const char *why) {
        const char *challenge = challenge_detect(in->data, in->size);

        if (challenge)
                return extract_fail(err, FAILURE_BLOCKED, "%s instead of a country page",
                                    challenge);
        return extract_fail(err, FAILURE_INVALID_DOCUMENT, "%s", why);
}

static int page_validate(const ExtractInput *in, const NoPage *page, ExtractError *err) {
        if (!page->name)
                return no_refuse(in, err,
                                 "not a regjeringen.no country page "
                                 "(no \"… - reiseinformasjon\" heading)");
        if (!page->article_body)
                return no_refuse(in, err, "not a regjeringen.no country page (no article body)");
        if (!complete_document(in->data, in->size))
                return no_refuse(in, err, "truncated country page (no </html>)");
        if (page->box_broken)
                return no_refuse(in, err, "advice box without its text (truncated page?)");
        return 0;
}

/* The country: from the heading, else from the advice box's title. */
static int page_country(const NoPage *page, const Country **ret, ExtractError *err) {
        const char *box_name = page->box_title ? box_country_name(page->box_title) : NULL;
        const Country *h = country_by_name_nb(page->name);
        const Country *b = box_name ? country_by_name_nb(box_name) : NULL;

        if (h && b && h != b)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                    "page for '%s' warns about '%s'", page->name, box_name);
        if (!h && !b)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "unknown country name '%s'",
                                    box_name ?: page->name);
        *ret = h ?: b;
        return 0;
}

/* The advice's own date, else the page's, else none. */
static const char *page_updated(const NoPage *page, char buf[static NO_DATE_MAX]) {
        if (page->box_status && no_parse_date(page->box_status, buf) >= 0)
                return buf;
        if (page->page_date && no_parse_date(page->page_date, buf) >= 0)
                return buf;
        return NULL;
}

static int page_levels(const NoPage *page, const Country *c, NoVerdict *v, ExtractError *err) {
        _cleanup_free_ char *bad = NULL;
        int r;

        if (page->n_boxes == 0) {
                *v = (NoVerdict) { .level = 1 };
                return 0;
        }
        r = no_classify_advice(page->paragraphs, c->alpha2, v, &bad);
        if (r == -EBADMSG)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "unrecognised advice: %s", bad);
        if (r == -ENOMSG)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "advice box without advice: %s",
                                    page->paragraphs[0] ?: "(empty)");
        return r;
}

static int no_fail_errno(ExtractError *err, int r) {
        extract_fail(err, FAILURE_OTHER, "%s", strerror(-r));
        return r;
}

int source_no_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_(no_page_done) NoPage page = {};
        _cleanup_free_ char *label = NULL;
        char date[NO_DATE_MAX];
        const Country *c = NULL;
        NoVerdict v = {};
        int r;

        if (in->size == 0)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document");
        if (html_parse(in->data, in->size, in->url, &doc) < 0)
                return no_refuse(in, err, "not an HTML document");
        if ((r = page_read(doc, &page)) < 0) {
                if (r == -E2BIG)
                        return extract_fail(err, FAILURE_INVALID_DOCUMENT,
                                            "advice box with more than %d paragraphs",
                                            PARAGRAPHS_MAX);
                return no_fail_errno(err, r);
        }
        if ((r = page_validate(in, &page, err)) < 0 || (r = page_country(&page, &c, err)) < 0 ||
            (r = page_levels(&page, c, &v, err)) < 0)
                return r == -ENOMEM ? no_fail_errno(err, r) : r;

        label = page.n_boxes > 0 ? strv_join(page.paragraphs, " ") : strdup(NO_LABEL_NONE);
        if (!label)
                return no_fail_errno(err, -ENOMEM);
        r = advisory_list_add(out, c->alpha2, v.level, v.regional_level, label,
                              page_updated(&page, date), isempty(in->url) ? NULL : in->url);
        if (r < 0)
                return no_fail_errno(err, r);
        return 1;
}
