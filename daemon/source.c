/* source.c: the table of built-in publishers, and the type of user-defined sources. */
#include "source.h"

#include "no-poll.h"
#include "source-uk.h"
#include "source-user.h"

static const SourceType source_us = {
        .id = "us",
        .government = "United States",
        .default_url = "https://travel.state.gov/_res/rss/TAsTWs.xml",
        .plan = SOURCE_PLAN_SINGLE,
        .extract = source_us_extract,
};

/* An index, then one document per country: only those changed since, plus a daily sweep. */
static const SourceType source_uk = {
        .id = "uk",
        .government = "United Kingdom",
        .default_url = UK_INDEX_URL,
        .plan = SOURCE_PLAN_PAGES,
        .extract = source_uk_extract,
        .start = source_uk_start,
};

static const SourceType source_ca = {
        .id = "ca",
        .government = "Canada",
        .default_url = "https://data.international.gc.ca/travel-voyage/index-alpha-eng.json",
        .plan = SOURCE_PLAN_SINGLE,
        .extract = source_ca_extract,
};

static const SourceType source_de = {
        .id = "de",
        .government = "Germany",
        .default_url = "https://www.auswaertiges-amt.de/opendata/travelwarning",
        .plan = SOURCE_PLAN_SINGLE,
        .extract = source_de_extract,
};

static const SourceType source_au = {
        .id = "au",
        .government = "Australia",
        .default_url = "https://www.smartraveller.gov.au/destinations-export",
        .plan = SOURCE_PLAN_SINGLE,
        .extract = source_au_extract,
};

/* type = html | xml: one page per country from a URL template (the id is the section's). */
static const SourceType source_user = {
        .id = "user",
        .government = "user-defined",
        .default_url = NULL, /* url is required */
        .plan = SOURCE_PLAN_PAGES,
        .extract = source_user_extract,
        .start = source_user_start,
};

/* One page per country, found in the A–Å index; the RSS feed of changed pages each poll, every
 * page once per sweep_interval (source-no-poll.c). */
static const SourceType source_no = {
        .id = "no",
        .government = "Norway",
        .default_url = NO_INDEX_URL,
        .plan = SOURCE_PLAN_PAGES,
        .extract = source_no_extract,
        .start = source_no_start,
};

const SourceType *const source_types_builtin[] = {
        &source_no,
        &source_us,
        &source_uk,
        &source_ca,
        &source_de,
        &source_au,
        NULL,
};

const SourceType *source_type_builtin(const char *id) {
        for (const SourceType *const *t = source_types_builtin; *t; t++)
                if (streq((*t)->id, id))
                        return *t;
        return NULL;
}

const SourceType *source_type_for(const SourceConfig *sc) {
        switch (sc->kind) {
        case SOURCE_KIND_BUILTIN:
                return source_type_builtin(sc->id);
        case SOURCE_KIND_HTML:
        case SOURCE_KIND_XML:
                return &source_user;
        default:
                return NULL;
        }
}

const char *source_government(const char *id) {
        const SourceType *t = source_type_builtin(id);
        return t ? t->government : id;
}
