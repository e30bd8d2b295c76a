/* xml.h: libxml2 from memory, never from the network, never expanding external entities, never
 * printing to stderr; and the few walks every extractor needs. */
#pragma once

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlDocPtr, xmlFreeDoc);
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlXPathContextPtr, xmlXPathFreeContext);
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlXPathObjectPtr, xmlXPathFreeObject);
#define _cleanup_xml_doc_ _cleanup_(xmlFreeDocp)

/* Well-formed XML only: a truncated or malformed document is -EBADMSG. */
int xml_parse(const char *data, size_t size, const char *url, xmlDocPtr *ret);
/* HTML as browsers read it (tag soup recovered). -EBADMSG when nothing could be read. */
int html_parse(const char *data, size_t size, const char *url, xmlDocPtr *ret);

/* The first child element of n with this local name, or NULL. */
xmlNodePtr xml_child(xmlNodePtr n, const char *name);
bool xml_is(xmlNodePtr n, const char *name);
/* Text content of n, cleaned with advisory_clean_text(); NULL on OOM (or n NULL). */
char *xml_text(xmlNodePtr n, size_t max);
/* Attribute value, or NULL. The caller frees with free(). */
char *xml_attr(xmlNodePtr n, const char *name);

/* Evaluates expr and returns the cleaned text of every node it selects (or the string value of a
 * non-node-set result). -EINVAL for an invalid expression. */
int xml_xpath_strings(xmlDocPtr doc, const char *expr, char ***ret);
