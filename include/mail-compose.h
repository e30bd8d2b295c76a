/* mail-compose.h: what advisoryd's e-mails say. A change (or a digest of changes, or a source
 * event) plus what the governments currently advise becomes a Mail: subject, headers for
 * filtering, a text body and its HTML alternative, and a Message-ID derived from what is told,
 * never from the attempt. Pure: the caller looks things up and passes them in. */
#pragma once

#include "mail.h"
#include "store.h"

/* One government's current advice for a country (the current period of a source). */
typedef struct GovernmentAdvice {
        char *source;
        char country[3];
        int level, regional_level;
        char *label, *updated, *url;
} GovernmentAdvice;
void government_advice_done(GovernmentAdvice *a);
void government_advice_free_many(GovernmentAdvice *a, size_t n);

typedef struct MailSetup {
        const char *notifier;
        const char *from;
        char *const *to;
        time_t now; /* the Date: field and "now" in the text */
} MailSetup;

/* A source-failing or source-recovered event. */
typedef struct SourceEvent {
        int64_t outbox_id;
        OutboxEvent event;
        const char *source;
        const char *detail;  /* the error, for failing */
        unsigned failures;   /* consecutive failures that made it failing */
        time_t at;           /* when it was raised */
        time_t last_success; /* 0: never */
} SourceEvent;

/* A composed message: owns every string that mail points to. */
typedef struct MailDraft {
        Mail mail;
        char *subject, *message_id, *list_id, *text, *html;
        MailHeader extra[8];
        char *extra_values[8];
} MailDraft;
void mail_draft_done(MailDraft *d);

/* "<advisoryd.change-12-1641376800.ops@example.org>": the change id and its observation time
 * (so that a recreated database does not reuse an id) and the notifier. */
char *mail_message_id_change(const Change *c, const char *notifier, const char *from);
/* "<advisoryd.digest-12-19-3-1a2b3c4d5e6f.ops@example.org>": first and last outbox row, count,
 * and a hash over every row id. */
char *mail_message_id_digest(const int64_t *outbox_ids, size_t n, const char *notifier,
                             const char *from);
char *mail_message_id_source_event(const SourceEvent *e, const char *notifier, const char *from);

/* "United States raised to level 3 (was 1)", "Norway raised regional advice to level 4 (was
 * none)", "Germany lifted regional advice (was level 4)". */
char *mail_change_headline(const Change *c);

/* advice: the current advice of the governments for c's country (any order; c's own source and
 * other countries are skipped). */
int mail_compose_change(MailDraft *ret, const MailSetup *s, const Change *c,
                        const GovernmentAdvice *advice, size_t n_advice);
/* changes[i] was queued in outbox row outbox_ids[i]; oldest first. advice: for every country. */
int mail_compose_digest(MailDraft *ret, const MailSetup *s, const Change *changes,
                        const int64_t *outbox_ids, size_t n, const GovernmentAdvice *advice,
                        size_t n_advice);
int mail_compose_source_event(MailDraft *ret, const MailSetup *s, const SourceEvent *e);
