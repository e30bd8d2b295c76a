/* change.h: how a change or a source event reads for people (log line, journal MESSAGE=) and for
 * programs (the JSON payload of DESIGN.md), and the fixed journal MESSAGE_IDs. */
#pragma once

#include <jansson.h>

#include "store.h"

/* Catalogued in systemd/advisoryd.catalog. Never change a released id. */
#define MESSAGE_ID_LEVEL_CHANGED "6b9b771301eb4d47b5aa0a366de3a57f"
#define MESSAGE_ID_SOURCE_FAILING "60056a8315604dc99b966d729638b9d9"
#define MESSAGE_ID_SOURCE_RECOVERED "68e4169bed864656bb6c4c5b60eedf2b"
#define MESSAGE_ID_EXTRACTION_FAULT "b34ea8281abf4991b7e06973cfe6d1dd"
#define MESSAGE_ID_NOTIFICATION_FAILED "4ec9d3fd97d840529a34c99ddb7ac3bf"

/* `no: Kazakhstan (KZ) raised from level 1 to 3: "Utenriksdepartementet fraråder …"` */
char *change_describe(const Change *c);
/* `us: source failing: HTTP 503` / `us: source recovered` */
char *source_event_describe(OutboxEvent event, const char *source, const char *detail);

/* The payload of DESIGN.md ("id", "event", "source", "country", "country_name", "level",
 * "previous_level", "regional_level", "previous_regional_level", "label", "updated", "url",
 * "observed_at"); null for absent values. */
json_t *change_to_json(const Change *c);
/* A source event: "id", "event", "source", "detail", "observed_at". */
json_t *source_event_to_json(int64_t id, OutboxEvent event, const char *source, const char *detail,
                             time_t at);

/* json_object_set_new() that tolerates NULL strings (stored as null). */
int json_set_string(json_t *o, const char *key, const char *value);
int json_set_level(json_t *o, const char *key, int level);
int json_set_time(json_t *o, const char *key, time_t t);


#define _cleanup_json_ _cleanup_(json_decrefp)
