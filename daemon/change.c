/* change.c: the words and the JSON of a change. */
#include "change.h"

#include "country.h"
#include "diff.h"
#include "source.h"
#include "timeutil.h"

char *change_describe(const Change *c) {
        const char *dir = diff_direction(c->previous_level, c->previous_regional_level, c->level,
                                         c->regional_level);
        _cleanup_free_ char *regional = NULL;

        if (c->regional_level != c->previous_regional_level) {
                char before[16] = "none", after[16] = "none";
                if (c->previous_regional_level)
                        snprintf(before, sizeof(before), "%d", c->previous_regional_level);
                if (c->regional_level)
                        snprintf(after, sizeof(after), "%d", c->regional_level);
                regional = strprintf(" (regional level %s → %s)", before, after);
        } else if (c->regional_level)
                regional = strprintf(" (regional level %d)", c->regional_level);
        if (!regional && !(regional = strdup("")))
                return NULL;
        if (c->level == c->previous_level)
                return strprintf("%s: %s (%s) %s: level %d%s: \"%s\"", c->source,
                                 country_name(c->country), c->country, dir, c->level, regional,
                                 strempty(c->label));
        return strprintf("%s: %s (%s) %s from level %d to %d%s: \"%s\"", c->source,
                         country_name(c->country), c->country, dir, c->previous_level, c->level,
                         regional, strempty(c->label));
}

char *source_event_describe(OutboxEvent event, const char *source, const char *detail) {
        if (event == OUTBOX_SOURCE_FAILING)
                return strprintf("%s: source failing (%s): %s", source, source_government(source),
                                 strna(detail));
        return strprintf("%s: source recovered (%s)", source, source_government(source));
}

int json_set_string(json_t *o, const char *key, const char *value) {
        return json_object_set_new(o, key, value ? json_string(value) : json_null());
}

int json_set_level(json_t *o, const char *key, int level) {
        return json_object_set_new(o, key, level > 0 ? json_integer(level) : json_null());
}

int json_set_time(json_t *o, const char *key, time_t t) {
        char buf[ISO8601_MAX];
        return json_set_string(o, key, t > 0 ? format_iso8601(buf, t, false) : NULL);
}

json_t *change_to_json(const Change *c) {
        _cleanup_json_ json_t *o = json_object();

        if (!o || json_object_set_new(o, "id", json_integer(c->id)) < 0 ||
            json_set_string(o, "event", "change") < 0 || json_set_string(o, "source", c->source) < 0 ||
            json_set_string(o, "country", c->country) < 0 ||
            json_set_string(o, "country_name", country_name(c->country)) < 0 ||
            json_set_level(o, "level", c->level) < 0 ||
            json_set_level(o, "previous_level", c->previous_level) < 0 ||
            json_set_level(o, "regional_level", c->regional_level) < 0 ||
            json_set_level(o, "previous_regional_level", c->previous_regional_level) < 0 ||
            json_set_string(o, "label", c->label) < 0 || json_set_string(o, "updated", c->updated) < 0 ||
            json_set_string(o, "url", c->url) < 0 || json_set_time(o, "observed_at", c->observed_at) < 0)
                return NULL;
        return TAKE_PTR(o);
}

json_t *source_event_to_json(int64_t id, OutboxEvent event, const char *source, const char *detail,
                             time_t at) {
        _cleanup_json_ json_t *o = json_object();

        if (!o || json_object_set_new(o, "id", json_integer(id)) < 0 ||
            json_set_string(o, "event", outbox_event_to_string(event)) < 0 ||
            json_set_string(o, "source", source) < 0 || json_set_string(o, "detail", detail) < 0 ||
            json_set_time(o, "observed_at", at) < 0)
                return NULL;
        return TAKE_PTR(o);
}
