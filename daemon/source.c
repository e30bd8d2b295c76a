/* source.c: the table of built-in publishers. */
#include "source.h"

static const SourceType source_us = {
        .id = "us",
        .government = "United States",
        .default_url = "https://travel.state.gov/_res/rss/TAsTWs.xml",
        .plan = SOURCE_PLAN_SINGLE,
        .extract = source_us_extract,
};

const SourceType *const source_types_builtin[] = {
        &source_us,
        NULL,
};

const SourceType *source_type_builtin(const char *id) {
        for (const SourceType *const *t = source_types_builtin; *t; t++)
                if (streq((*t)->id, id))
                        return *t;
        return NULL;
}

const SourceType *source_type_for(const SourceConfig *sc) {
        return sc->kind == SOURCE_KIND_BUILTIN ? source_type_builtin(sc->id) : NULL;
}

const char *source_government(const char *id) {
        const SourceType *t = source_type_builtin(id);
        return t ? t->government : id;
}
