/* source-user.c: user-defined sources (type = html|xml), so that users can watch a government we
 * do not ship without writing C. Two parts:
 *
 * The extractor, pure: a page (bytes), the country it is for, and the source's compiled pattern
 * → one record. The page is parsed as HTML the way browsers read it (tag soup recovered, <html>
 * and <body> implied, so an XPath copied from a browser's inspector works) or as well-formed XML;
 * the XPath is evaluated; the text of the selected nodes is laid out roughly as a browser shows
 * it (block elements and <br> separate words, <script> and <style> are not text; in XML every
 * element separates words), cleaned, and matched against level4, level3, level2, level1 in that
 * order; the first match gives the level. The record's label is that text (the advice in the
 * government's own words), its url the page, its date null (pages have no common date field).
 * Nothing found, or nothing matched, is a failure for that country, never level 1.
 *
 * The driver: one request per country, {country}/{COUNTRY} substituted, conditional GETs paced
 * by max_connections_per_host and request_delay; the XPath and regexes are compiled once per
 * poll. "countries = *" means every code of country_all(): the ISO 3166-1 codes and XK, which
 * governments (and sites keyed by alpha-2 codes) use for Kosovo, but not IC, which ISO reserves
 * for the Canary Islands, part of Spain, and no site keyed by ISO codes publishes as a country of
 * its own (list it explicitly if one does). Under "*", a page that does not exist (404/410) is
 * a country the government does not publish, not a failure — unless no country has a page. */
#include "source-user.h"

#include <ctype.h>
#include <regex.h>
#include <strings.h>

#include "challenge.h"
#include "country.h"
#include "log.h"
#include "poll.h"
#include "source.h"
#include "xml.h"

/* Enough for any advice; a page's whole body stops here. */
#define USER_TEXT_MAX ((size_t) 256 * 1024)
#define USER_EXCERPT_MAX 80

struct UserPattern {
        bool xml;
        char *xpath; /* for messages */
        xmlXPathCompExprPtr compiled;
        regex_t regex[LEVEL_MAX + 1]; /* [1]..[4] */
        bool has_regex[LEVEL_MAX + 1];
};

/* ---- the pattern ---- */

UserPattern *source_user_pattern_free(UserPattern *pattern) {
        if (!pattern)
                return NULL;
        for (int l = LEVEL_MIN; l <= LEVEL_MAX; l++)
                if (pattern->has_regex[l])
                        regfree(&pattern->regex[l]);
        xmlXPathFreeCompExpr(pattern->compiled);
        free(pattern->xpath);
        free(pattern);
        return NULL;
}

/* Without a handler on the context, libxml2 prints XPath syntax errors on stderr. */
static void user_xpath_silent(void *userdata, xmlErrorPtr error) {
}

static xmlXPathCompExprPtr user_xpath_compile(const char *expr) {
        xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
        xmlXPathCompExprPtr e;

        if (!ctx)
                return NULL;
        /* cast: libxml2 2.12 made the error argument const */
        ctx->error = (xmlStructuredErrorFunc) user_xpath_silent;
        e = xmlXPathCtxtCompile(ctx, (const xmlChar *) expr);
        xmlXPathFreeContext(ctx);
        return e;
}

int source_user_pattern_new(const SourceConfig *sc, UserPattern **ret, ExtractError *err) {
        _cleanup_user_pattern_ UserPattern *pat = calloc(1, sizeof(UserPattern));

        if (!pat || !(pat->xpath = strdup(strempty(sc->xpath))))
                return -ENOMEM;
        pat->xml = sc->kind == SOURCE_KIND_XML;
        if (!sc->xpath || !(pat->compiled = user_xpath_compile(sc->xpath))) {
                extract_fail(err, FAILURE_OTHER, "[source:%s]: invalid xpath", sc->id);
                return -EINVAL;
        }
        for (int l = LEVEL_MIN; l <= LEVEL_MAX; l++) {
                if (!sc->level_regex[l])
                        continue;
                if (regcomp(&pat->regex[l], sc->level_regex[l],
                            REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
                        extract_fail(err, FAILURE_OTHER, "[source:%s]: invalid level%d", sc->id, l);
                        return -EINVAL;
                }
                pat->has_regex[l] = true;
        }
        *ret = TAKE_PTR(pat);
        return 0;
}

/* ---- reading a page ---- */

static void user_xml_silent(void *ctx, const char *msg, ...) {
}

/* HTML as browsers read it: recovered tag soup with <html> and <body> implied, never from the
 * network. UTF-8 unless the bytes are not UTF-8: then the page's own <meta charset> (libxml2
 * falls back to ISO-8859-1). */
static int user_parse_html(const char *data, size_t size, const char *url, xmlDocPtr *ret) {
        static bool quiet = false;
        htmlDocPtr doc;

        if (size > INT32_MAX)
                return -EFBIG;
        if (!quiet) {
                xmlSetGenericErrorFunc(NULL, user_xml_silent);
                quiet = true;
        }
        doc = htmlReadMemory(data, (int) size, url, utf8_is_valid(data, size) ? "UTF-8" : NULL,
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
        if (!doc || !xmlDocGetRootElement(doc)) {
                xmlFreeDoc(doc);
                return -EBADMSG;
        }
        *ret = doc;
        return 0;
}

static bool user_is_element(xmlNodePtr n, const char *name) {
        return n->type == XML_ELEMENT_NODE && strcasecmp((const char *) n->name, name) == 0;
}

/* HTML whose text is not shown. */
static bool user_hidden(xmlNodePtr n, bool xml) {
        return !xml && (user_is_element(n, "script") || user_is_element(n, "style") ||
                        user_is_element(n, "template"));
}

/* Elements whose start and end separate words: in XML every element (elements are fields), in
 * HTML the block elements and <br>. Unknown HTML elements are inline, as in browsers. */
static bool user_separates(xmlNodePtr n, bool xml) {
        const htmlElemDesc *d;

        if (n->type != XML_ELEMENT_NODE)
                return false;
        if (xml)
                return true;
        if (user_is_element(n, "br"))
                return true;
        d = htmlTagLookup(n->name);
        return d && !d->isinline;
}

static int user_append(Buffer *b, const xmlChar *s) {
        size_t n = s ? strlen((const char *) s) : 0;
        if (b->size >= USER_TEXT_MAX)
                return 0;
        return buffer_append(b, s, MIN(n, USER_TEXT_MAX - b->size));
}

/* The text under top, walked without recursion (a hostile page may nest deeply). */
static int user_node_text(Buffer *b, xmlNodePtr top, bool xml) {
        xmlNodePtr n = top;
        int r = 0;

        switch (top->type) {
        case XML_ELEMENT_NODE:
        case XML_DOCUMENT_NODE:
        case XML_HTML_DOCUMENT_NODE:
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
                break; /* walked below */
        case XML_NAMESPACE_DECL: /* an xmlNs in disguise (namespace::*): it has no children */
                return user_append(b, ((xmlNsPtr) top)->href);
        default: {       /* attributes, comments, processing instructions */
                xmlChar *c = xmlNodeGetContent(top);
                r = user_append(b, c);
                xmlFree(c);
                return r;
        }
        }
        for (;;) {
                if (b->size >= USER_TEXT_MAX)
                        return 0; /* full: the rest would be cut anyway */
                if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
                        r = user_append(b, n->content);
                else if ((n->type == XML_ELEMENT_NODE || n == top) && n->children &&
                         !user_hidden(n, xml)) {
                        if (user_separates(n, xml) && (r = user_append(b, BAD_CAST " ")) < 0)
                                return r;
                        n = n->children;
                        continue;
                } else if (user_separates(n, xml))
                        r = user_append(b, BAD_CAST " ");
                if (r < 0)
                        return r;
                /* the next node: a sibling, else the sibling of the nearest ancestor */
                for (;;) {
                        if (n == top)
                                return 0;
                        if (n->next) {
                                n = n->next;
                                break;
                        }
                        n = n->parent;
                        if (n != top && user_separates(n, xml) &&
                            (r = user_append(b, BAD_CAST " ")) < 0)
                                return r;
                }
        }
}

/* Whether the walk of top's text (user_node_text) already took n's: n lies under top, and no
 * hidden element stands between them. Attributes and the like are not part of an element's text. */
static bool user_covered(xmlNodePtr n, xmlNodePtr top, bool xml) {
        if (!top || (n->type != XML_ELEMENT_NODE && n->type != XML_TEXT_NODE &&
                     n->type != XML_CDATA_SECTION_NODE))
                return false;
        for (xmlNodePtr p = n->parent; p; p = p->parent) {
                if (user_hidden(p, xml))
                        return false;
                if (p == top)
                        return true;
        }
        return false;
}

/* The cleaned text of what the XPath selects (a node-set's nodes, separated; else the string
 * value of the result). Empty when it selects nothing. A node inside another selected node
 * (//div on nested boxes) adds nothing: its text is already there, once. */
static int user_selected_text(const UserPattern *pat, xmlDocPtr doc, char **ret) {
        _cleanup_(xmlXPathFreeContextp) xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        _cleanup_(xmlXPathFreeObjectp) xmlXPathObjectPtr obj = NULL;
        Buffer b = {};
        int r = 0;

        if (!ctx)
                return -ENOMEM;
        ctx->error = (xmlStructuredErrorFunc) user_xpath_silent;
        obj = xmlXPathCompiledEval(pat->compiled, ctx);
        if (!obj)
                return -EINVAL; /* e.g. an unknown function: compiles, fails on use */
        if (obj->type == XPATH_NODESET) {
                /* the last node walked whole: node-sets come in document order, enclosing nodes first */
                xmlNodePtr top = NULL;

                for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr && r >= 0; i++) {
                        xmlNodePtr n = obj->nodesetval->nodeTab[i];

                        if (user_covered(n, top, pat->xml))
                                continue;
                        r = user_node_text(&b, n, pat->xml);
                        if (r >= 0)
                                r = user_append(&b, BAD_CAST " ");
                        if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
                            n->type == XML_HTML_DOCUMENT_NODE)
                                top = n;
                }
        } else {
                xmlChar *v = xmlXPathCastToString(obj);
                r = v ? user_append(&b, v) : -ENOMEM;
                xmlFree(v);
        }
        if (r >= 0 && (r = buffer_append(&b, "", 0)) >= 0)
                *ret = advisory_clean_text(b.data, b.size, USER_TEXT_MAX);
        buffer_done(&b);
        if (r < 0)
                return r;
        return *ret ? 0 : -ENOMEM;
}

static int user_level(const UserPattern *pat, const char *text) {
        for (int l = LEVEL_MAX; l >= LEVEL_MIN; l--)
                if (pat->has_regex[l] && regexec(&pat->regex[l], text, 0, NULL, 0) == 0)
                        return l;
        return 0;
}

/* A page we could not read: a challenge or block page says so, whatever else went wrong. */
static int user_fail(ExtractError *err, const char *data, size_t size, FailureClass failure,
                     const char *fmt, const char *arg) {
        const char *challenge = challenge_detect(data, size);

        if (challenge)
                return extract_fail(err, FAILURE_BLOCKED, "a %s, not the page", challenge);
        return extract_fail(err, failure, fmt, arg);
}

static int user_parse(const UserPattern *pat, const char *data, size_t size, const char *url,
                      xmlDocPtr *ret, ExtractError *err) {
        int r;

        if (size == 0)
                return extract_fail(err, FAILURE_INVALID_DOCUMENT, "empty document");
        r = pat->xml ? xml_parse(data, size, url, ret) : user_parse_html(data, size, url, ret);
        if (r == -EFBIG)
                return extract_fail(err, FAILURE_TOO_LARGE, "document too large to parse");
        if (r < 0)
                return user_fail(err, data, size, FAILURE_INVALID_DOCUMENT, "%s",
                                 pat->xml ? "not well-formed XML (truncated, or not XML)"
                                          : "not an HTML page");
        return 0;
}

int source_user_extract_page(const UserPattern *pat, const char *data, size_t size,
                             const char *url, const char *country, AdvisoryList *out,
                             ExtractError *err) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
        _cleanup_free_ char *text = NULL, *excerpt = NULL;
        int level, r;

        if ((r = user_parse(pat, data, size, url, &doc, err)) < 0)
                return r;
        r = user_selected_text(pat, doc, &text);
        if (r == -EINVAL)
                return extract_fail(err, FAILURE_OTHER, "the xpath %s cannot be evaluated",
                                    pat->xpath);
        if (r < 0)
                return r;
        xmlFreeDoc(TAKE_PTR(doc)); /* the record needs only the text */
        if (isempty(text))
                return user_fail(err, data, size, FAILURE_EXTRACTION_EMPTY,
                                 "the xpath %s selects no text on this page", pat->xpath);
        level = user_level(pat, text);
        if (level == 0) {
                if (!(excerpt = advisory_clean_text(text, strlen(text), USER_EXCERPT_MAX)))
                        return -ENOMEM;
                return user_fail(err, data, size, FAILURE_EXTRACTION_EMPTY,
                                 "no level1…level4 pattern matches \"%s\"", excerpt);
        }
        r = advisory_list_add(out, country, level, LEVEL_NONE, text, NULL, url);
        return r < 0 ? r : 1;
}

/* ---- page URLs and countries ---- */

#define PLACEHOLDER_LOWER "{country}"
#define PLACEHOLDER_UPPER "{COUNTRY}"

char *source_user_page_url(const char *template, const char *alpha2) {
        char lower[3] = { (char) tolower((unsigned char) alpha2[0]),
                          (char) tolower((unsigned char) alpha2[1]), '\0' };
        char upper[3] = { (char) toupper((unsigned char) alpha2[0]),
                          (char) toupper((unsigned char) alpha2[1]), '\0' };
        Buffer b = {};
        const char *t = template;

        while (*t) {
                const char *rest;
                int r;
                if ((rest = startswith(t, PLACEHOLDER_LOWER)))
                        r = buffer_puts(&b, lower);
                else if ((rest = startswith(t, PLACEHOLDER_UPPER)))
                        r = buffer_puts(&b, upper);
                else
                        r = buffer_append(&b, t, 1), rest = t + 1;
                if (r < 0) {
                        buffer_done(&b);
                        return NULL;
                }
                t = rest;
        }
        return buffer_steal(&b);
}

int source_user_url_country(const char *template, const char *url, char ret[static 3]) {
        const char *t = template, *u = url;
        char code[3] = "";

        while (*t) {
                const char *rest = startswith(t, PLACEHOLDER_LOWER);
                if (!rest)
                        rest = startswith(t, PLACEHOLDER_UPPER);
                if (!rest) {
                        if (*u != *t)
                                return -EINVAL;
                        t++, u++;
                        continue;
                }
                if (!isalpha((unsigned char) u[0]) || !isalpha((unsigned char) u[1]))
                        return -EINVAL;
                char c[3] = { (char) toupper((unsigned char) u[0]),
                              (char) toupper((unsigned char) u[1]), '\0' };
                if (code[0] && !streq(code, c))
                        return -EINVAL; /* two placeholders, two different codes */
                memcpy(code, c, 3);
                t = rest, u += 2;
        }
        if (*u || !code[0])
                return -EINVAL;
        if (!country_by_alpha2(code))
                return -ENOENT;
        memcpy(ret, code, 3);
        return 0;
}

int source_user_countries(const SourceConfig *sc, const char ***ret, size_t *ret_n) {
        size_t n_all, n = 0;
        const Country *all = country_all(&n_all);
        const char **codes;

        if (sc->countries) {
                n_all = strv_length(sc->countries);
                if (!(codes = calloc(MAX(n_all, (size_t) 1), sizeof(char *))))
                        return -ENOMEM;
                STRV_FOREACH(c, sc->countries)
                        codes[n++] = *c;
        } else {
                if (!(codes = calloc(n_all, sizeof(char *))))
                        return -ENOMEM;
                for (size_t i = 0; i < n_all; i++)
                        if (!streq(all[i].alpha2, "IC"))
                                codes[n++] = all[i].alpha2;
        }
        *ret = codes;
        *ret_n = n;
        return 0;
}

/* ---- the extractor as advisoryctl extract calls it ---- */

int source_user_extract(const ExtractInput *in, AdvisoryList *out, ExtractError *err) {
        _cleanup_user_pattern_ UserPattern *pat = NULL;
        const SourceConfig *sc = in->config;
        char country[3];
        int r;

        if (!sc || sc->kind == SOURCE_KIND_BUILTIN || !sc->url)
                return extract_fail(err, FAILURE_OTHER,
                                    "a user-defined source needs its configuration (-c)");
        if (!in->url)
                return extract_fail(err, FAILURE_OTHER,
                                    "which country is this page? Give its address with --url "
                                    "(a page of %s)",
                                    sc->url);
        r = source_user_url_country(sc->url, in->url, country);
        if (r == -ENOENT)
                return extract_fail(err, FAILURE_OTHER, "%s names no ISO 3166-1 country", in->url);
        if (r < 0)
                return extract_fail(err, FAILURE_OTHER, "%s is not a page of [source:%s] (%s)",
                                    in->url, sc->id, sc->url);
        if ((r = source_user_pattern_new(sc, &pat, err)) < 0)
                return r;
        return source_user_extract_page(pat, in->data, in->size, in->url, country, out, err);
}

/* ---- the driver ---- */

typedef struct UserPoll {
        UserPattern *pattern;
        const char **countries;
        size_t n_countries;
} UserPoll;

static void user_poll_free(void *state) {
        UserPoll *up = state;

        if (!up)
                return;
        source_user_pattern_free(up->pattern);
        free(up->countries);
        free(up);
}

static int on_user_page(Poll *p, const char *url, FetchResult *result, void *userdata) {
        const UserPoll *up = poll_driver_state(p);
        _cleanup_advisory_list_ AdvisoryList records = {};
        ExtractError err = {};
        int r;

        if (result->not_modified)
                return 0;
        r = source_user_extract_page(up->pattern, result->data, result->size, url, userdata,
                                     &records, &err);
        if (r < 0) {
                poll_fail(p, url, err.failure ?: FAILURE_INVALID_DOCUMENT, "%s",
                          err.message[0] ? err.message : strerror(-r));
                return r;
        }
        return poll_record(p, url, &records);
}

/* Under "*", a government need not publish every country; but one that publishes none is gone. */
static void on_user_poll_finish(Poll *p, void *state) {
        const PollOutcome *o = poll_outcome(p);

        if (o->requested > 0 && o->absent == o->requested)
                poll_fail(p, NULL, FAILURE_HTTP_4XX,
                          "no country has a page: all %u addresses answered 404 or 410",
                          o->requested);
}

int source_user_start(Poll *p) {
        const SourceConfig *sc = poll_source(p);
        const Config *config = poll_config(p);
        PollFetchFlags flags = POLL_FETCH_CONDITIONAL;
        UserPoll *up = calloc(1, sizeof(UserPoll));
        ExtractError err = {};
        int r;

        if (!up)
                return -ENOMEM;
        poll_set_driver(p, up, on_user_poll_finish, user_poll_free);
        if ((r = source_user_pattern_new(sc, &up->pattern, &err)) < 0 ||
            (r = source_user_countries(sc, &up->countries, &up->n_countries)) < 0)
                return r;
        if (!sc->countries)
                flags |= POLL_FETCH_MAY_BE_ABSENT; /* "*": not every country has a page */
        poll_set_pacing(p, config->daemon.max_connections_per_host, sc->request_delay);
        for (size_t i = 0; i < up->n_countries; i++) {
                _cleanup_free_ char *url = source_user_page_url(sc->url, up->countries[i]);
                if (!url)
                        return -ENOMEM;
                r = poll_fetch_with(p, url, flags, on_user_page, (void *) up->countries[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
