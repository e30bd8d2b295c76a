/* xml.c: safe libxml2 parsing from memory and small tree helpers. */
#include "xml.h"

#include <libxml/hash.h>

#include "advisory.h"

/* libxml2 would print parse errors on stderr; errors reach us as a NULL document instead. */
static void xml_silent(void *ctx, const char *msg, ...) {
}

static void xml_quiet(void) {
        static bool done = false;
        if (!done) {
                xmlSetGenericErrorFunc(NULL, xml_silent);
                done = true;
        }
}

/* No publisher's document declares entities. One that does is an attack (external entities naming
 * local files, "billion laughs"): refused before any walk could expand a reference. */
static bool xml_declares_entities(xmlDocPtr doc) {
        xmlDtdPtr dtd = doc->intSubset;

        return dtd && (xmlHashSize(dtd->entities) > 0 || xmlHashSize(dtd->pentities) > 0);
}

int xml_parse(const char *data, size_t size, const char *url, xmlDocPtr *ret) {
        xmlDocPtr doc;

        if (size > INT32_MAX)
                return -EFBIG;
        xml_quiet();
        doc = xmlReadMemory(data, (int) size, url, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                    XML_PARSE_NOCDATA);
        if (!doc || !xmlDocGetRootElement(doc) || xml_declares_entities(doc)) {
                xmlFreeDoc(doc);
                return -EBADMSG;
        }
        *ret = doc;
        return 0;
}

int html_parse(const char *data, size_t size, const char *url, xmlDocPtr *ret) {
        htmlDocPtr doc;

        if (size > INT32_MAX)
                return -EFBIG;
        xml_quiet();
        doc = htmlReadMemory(data, (int) size, url, "UTF-8",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_RECOVER | HTML_PARSE_NOIMPLIED);
        if (!doc || !xmlDocGetRootElement(doc)) {
                xmlFreeDoc(doc);
                return -EBADMSG;
        }
        *ret = doc;
        return 0;
}

bool xml_is(xmlNodePtr n, const char *name) {
        return n && n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name);
}

xmlNodePtr xml_child(xmlNodePtr n, const char *name) {
        for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
                if (xml_is(c, name))
                        return c;
        return NULL;
}

char *xml_text(xmlNodePtr n, size_t max) {
        xmlChar *t;
        char *s;

        if (!n)
                return NULL;
        t = xmlNodeGetContent(n);
        if (!t)
                return strdup("");
        s = advisory_clean_text((const char *) t, strlen((const char *) t), max);
        xmlFree(t);
        return s;
}

char *xml_attr(xmlNodePtr n, const char *name) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        char *s;

        if (!v)
                return NULL;
        s = strdup((const char *) v);
        xmlFree(v);
        return s;
}

int xml_xpath_strings(xmlDocPtr doc, const char *expr, char ***ret) {
        _cleanup_(xmlXPathFreeContextp) xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        _cleanup_(xmlXPathFreeObjectp) xmlXPathObjectPtr obj = NULL;
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));

        if (!ctx || !l)
                return -ENOMEM;
        obj = xmlXPathEvalExpression((const xmlChar *) expr, ctx);
        if (!obj)
                return -EINVAL;
        if (obj->type == XPATH_NODESET) {
                for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
                        char *s = xml_text(obj->nodesetval->nodeTab[i], ADVISORY_LABEL_MAX);
                        if (!s || strv_push(&l, s) < 0)
                                return -ENOMEM;
                }
        } else {
                xmlChar *v = xmlXPathCastToString(obj);
                char *s = v ? advisory_clean_text((const char *) v, strlen((const char *) v),
                                                  ADVISORY_LABEL_MAX)
                            : NULL;
                xmlFree(v);
                if (!s || strv_push(&l, s) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
