/* test-mail-compose.c: what the e-mails say: subjects and headlines for every kind of move,
 * Message-IDs that depend on the change and the notifier but not on the attempt, the
 * cross-government view (other governments only, this country only), digests, source events,
 * and hostile labels that stay text in both bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mail-compose.h"
#include "util.h"

static Change kz(void) {
        return (Change) {
                .id = 12,
                .source = (char *) "us",
                .country = "KZ",
                .level = 3,
                .previous_level = 1,
                .label = (char *) "Level 3: Reconsider Travel",
                .updated = (char *) "2022-01-05",
                .url = (char *) "https://travel.state.gov/kazakhstan.html",
                .observed_at = 1641376800,
        };
}

static GovernmentAdvice advice[] = {
        { .source = (char *) "ca", .country = "KZ", .level = 2,
          .label = (char *) "Exercise a high degree of caution", .updated = (char *) "2022-01-06",
          .url = (char *) "https://travel.gc.ca/destinations/kazakhstan" },
        { .source = (char *) "de", .country = "KZ", .level = 1, .regional_level = 4,
          .label = (char *) "Teilreisewarnung für die Grenzregion" },
        { .source = (char *) "us", .country = "KZ", .level = 3, .label = (char *) "Level 3" },
        { .source = (char *) "ca", .country = "AZ", .level = 2, .label = (char *) "Azerbaijan!" },
};

static char *const to[] = { "duty@example.org", NULL };

static MailSetup setup(const char *notifier) {
        return (MailSetup) { .notifier = notifier, .from = "advisoryd@example.org", .to = to,
                             .now = 1641380400 };
}

static const char *extra(const MailDraft *m, const char *name) {
        for (size_t i = 0; i < m->mail.n_extra; i++)
                if (streq(m->mail.extra[i].name, name))
                        return m->mail.extra[i].value;
        return NULL;
}

static void test_headlines(void **state) {
        Change c = kz();
        _cleanup_free_ char *a = mail_change_headline(&c);
        assert_string_equal(a, "United States raised to level 3 (was 1)");

        c.level = 1, c.previous_level = 3;
        _cleanup_free_ char *b = mail_change_headline(&c);
        assert_string_equal(b, "United States lowered to level 1 (was 3)");

        /* only a part of the country moved */
        c.level = c.previous_level = 2, c.regional_level = 4, c.previous_regional_level = 0;
        _cleanup_free_ char *r = mail_change_headline(&c);
        assert_string_equal(r, "United States raised regional advice to level 4 (was none)");
        c.regional_level = 3, c.previous_regional_level = 4;
        _cleanup_free_ char *l = mail_change_headline(&c);
        assert_string_equal(l, "United States lowered regional advice to level 3 (was 4)");
        c.regional_level = 0;
        _cleanup_free_ char *x = mail_change_headline(&c);
        assert_string_equal(x, "United States lifted regional advice (was level 4)");

        /* a user-defined source is named by its id */
        c = kz();
        c.source = (char *) "mygov";
        _cleanup_free_ char *u = mail_change_headline(&c);
        assert_string_equal(u, "mygov raised to level 3 (was 1)");
}

static void test_message_ids(void **state) {
        Change c = kz();
        _cleanup_free_ char *a = mail_message_id_change(&c, "ops", "advisoryd@example.org");
        assert_string_equal(a, "<advisoryd.change-12-1641376800.ops@example.org>");
        /* the same change to another notifier, and another change, differ */
        _cleanup_free_ char *b = mail_message_id_change(&c, "security", "advisoryd@example.org");
        assert_string_not_equal(a, b);
        c.id = 13;
        _cleanup_free_ char *d = mail_message_id_change(&c, "ops", "advisoryd@example.org");
        assert_string_not_equal(a, d);

        int64_t ids[] = { 4, 7, 9 }, other[] = { 4, 8, 9 };
        _cleanup_free_ char *g = mail_message_id_digest(ids, 3, "ops", "advisoryd@example.org");
        _cleanup_free_ char *h = mail_message_id_digest(ids, 3, "ops", "advisoryd@example.org");
        _cleanup_free_ char *i = mail_message_id_digest(other, 3, "ops", "advisoryd@example.org");
        assert_true(startswith(g, "<advisoryd.digest-4-9-3-"));
        assert_true(endswith(g, ".ops@example.org>"));
        assert_string_equal(g, h);
        assert_string_not_equal(g, i); /* same ends, another row in the middle */

        SourceEvent e = { .outbox_id = 5, .event = OUTBOX_SOURCE_FAILING, .source = "us",
                          .at = 1641376800 };
        _cleanup_free_ char *s = mail_message_id_source_event(&e, "ops", "a@example.org");
        assert_string_equal(s, "<advisoryd.source-failing-5-1641376800.ops@example.org>");
}

static void test_change_mail(void **state) {
        Change c = kz();
        MailSetup s = setup("ops");
        MailDraft m = {}, again = {};

        assert_int_equal(mail_compose_change(&m, &s, &c, advice, ELEMENTSOF(advice)), 0);
        assert_string_equal(m.mail.subject,
                            "[advisoryd] Kazakhstan: United States raised to level 3 (was 1)");
        assert_string_equal(m.mail.message_id, "<advisoryd.change-12-1641376800.ops@example.org>");
        assert_string_equal(m.mail.list_id, "advisoryd ops <ops.advisoryd.example.org>");
        assert_int_equal(m.mail.date, s.now);
        assert_string_equal(extra(&m, "X-Advisoryd-Source"), "us");
        assert_string_equal(extra(&m, "X-Advisoryd-Country"), "KZ");
        assert_string_equal(extra(&m, "X-Advisoryd-Level"), "3");
        assert_string_equal(extra(&m, "X-Advisoryd-Previous-Level"), "1");
        assert_null(extra(&m, "X-Advisoryd-Regional-Level"));

        const char *t = m.mail.text;
        assert_true(startswith(t, "United States raised its travel advice for Kazakhstan (KZ) "
                                  "from level 1 to level 3.\n"));
        assert_non_null(strstr(t, "\"Level 3: Reconsider Travel\""));
        assert_non_null(strstr(t, "2022-01-05"));
        assert_non_null(strstr(t, "https://travel.state.gov/kazakhstan.html"));
        /* the other governments, one line each; not the US again, not another country */
        assert_non_null(strstr(t, "What the other governments say about Kazakhstan now:"));
        assert_non_null(strstr(t, "\n  Canada   level 2              \"Exercise a high degree of "
                                  "caution\" (updated 2022-01-06)\n"));
        assert_non_null(strstr(t, "\n  Germany  level 1, regional 4  \"Teilreisewarnung für die "
                                  "Grenzregion\"\n"));
        assert_null(strstr(t, "\"Level 3\"\n"));
        assert_null(strstr(t, "Azerbaijan!"));
        assert_non_null(strstr(m.mail.html, "<td>Teilreisewarnung für die Grenzregion</td>"));
        assert_non_null(strstr(m.mail.html, "<a href=\"https://travel.gc.ca/destinations/kazakhstan\">"));

        /* a retry an hour later: another Date, the same Message-ID */
        s.now += 3600;
        assert_int_equal(mail_compose_change(&again, &s, &c, advice, ELEMENTSOF(advice)), 0);
        assert_string_equal(again.mail.message_id, m.mail.message_id);
        mail_draft_done(&again);
        mail_draft_done(&m);
}

static void test_change_mail_without_other_governments(void **state) {
        Change c = kz();
        MailSetup s = setup("ops");
        MailDraft m = {};

        assert_int_equal(mail_compose_change(&m, &s, &c, advice + 2, 2), 0);
        assert_non_null(strstr(m.mail.text, "(no other government watched here advises on "
                                            "Kazakhstan)"));
        mail_draft_done(&m);
}

static void test_hostile_label(void **state) {
        Change c = kz();
        MailSetup s = setup("ops");
        MailDraft m = {};
        _cleanup_free_ char *msg = NULL;
        size_t size;

        c.label = (char *) "Level 3\r\nBcc: victim@example.org\r\n\r\n.\r\n<script>alert(1)</script>"
                           " \u202eevil";
        c.url = (char *) "javascript:alert(1)";
        assert_int_equal(mail_compose_change(&m, &s, &c, advice, ELEMENTSOF(advice)), 0);
        /* one line of text, in quotes */
        assert_non_null(strstr(m.mail.text, "\"Level 3 Bcc: victim@example.org . "
                                            "<script>alert(1)</script> evil\"\n"));
        assert_null(strstr(m.mail.html, "<script>"));
        assert_non_null(strstr(m.mail.html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
        /* not a link: only http(s) addresses are */
        assert_null(strstr(m.mail.html, "href=\"javascript:"));
        assert_int_equal(mail_render(&m.mail, &msg, &size), 0);
        assert_null(strstr(msg, "\r\nBcc:"));
        assert_null(strstr(msg, "\r\n.\r\n"));
        mail_draft_done(&m);
}

static void test_digest(void **state) {
        Change c[3] = { kz(), kz(), kz() };
        int64_t ids[] = { 21, 22, 25 };
        MailSetup s = setup("ops");
        MailDraft m = {};

        c[1].id = 13, c[1].country[0] = 'A', c[1].country[1] = 'Z', c[1].level = 2,
        c[1].previous_level = 3;
        c[2].id = 14, c[2].level = 4, c[2].previous_level = 3;
        assert_int_equal(mail_compose_digest(&m, &s, c, ids, 3, advice, ELEMENTSOF(advice)), 0);
        assert_string_equal(m.mail.subject, "[advisoryd] 3 changes: Kazakhstan, Azerbaijan");
        assert_true(startswith(m.mail.message_id, "<advisoryd.digest-21-25-3-"));
        assert_string_equal(extra(&m, "X-Advisoryd-Event"), "digest");
        assert_string_equal(extra(&m, "X-Advisoryd-Country"), "KZ AZ");
        assert_string_equal(extra(&m, "X-Advisoryd-Source"), "us");
        assert_string_equal(extra(&m, "X-Advisoryd-Level"), "4");
        assert_string_equal(extra(&m, "X-Advisoryd-Changes"), "3");
        const char *t = m.mail.text;
        const char *one = strstr(t, "1. United States raised its travel advice for Kazakhstan (KZ) "
                                    "from level 1 to level 3.");
        const char *two = strstr(t, "2. United States lowered its travel advice for Azerbaijan");
        const char *three = strstr(t, "3. United States raised its travel advice for Kazakhstan "
                                      "(KZ) from level 3 to level 4.");
        assert_true(one && two && three && one < two && two < three);
        /* every government per country, once per country */
        const char *kzv = strstr(t, "\nKazakhstan (KZ)\n");
        assert_non_null(kzv);
        assert_null(strstr(kzv + 1, "\nKazakhstan (KZ)\n"));
        assert_non_null(strstr(kzv, "  United States"));
        assert_non_null(strstr(t, "\nAzerbaijan (AZ)\n  Canada  level 2  \"Azerbaijan!\"\n"));
        mail_draft_done(&m);
}

static void test_source_events(void **state) {
        MailSetup s = setup("ops");
        SourceEvent e = { .outbox_id = 5, .event = OUTBOX_SOURCE_FAILING, .source = "us",
                          .detail = "HTTP 503\r\nBcc: x@y", .failures = 3, .at = 1641376800 };
        MailDraft m = {};

        assert_int_equal(mail_compose_source_event(&m, &s, &e), 0);
        assert_string_equal(m.mail.subject, "[advisoryd] Source failing: United States (us)");
        assert_non_null(strstr(m.mail.text, "3 polls in a row have failed"));
        assert_non_null(strstr(m.mail.text, "Last error:  HTTP 503 Bcc: x@y\n"));
        assert_non_null(strstr(m.mail.text, "Last success: never\n"));
        assert_string_equal(extra(&m, "X-Advisoryd-Event"), "source-failing");
        mail_draft_done(&m);

        e.event = OUTBOX_SOURCE_RECOVERED;
        e.last_success = 1641376800;
        assert_int_equal(mail_compose_source_event(&m, &s, &e), 0);
        assert_string_equal(m.mail.subject, "[advisoryd] Source recovered: United States (us)");
        assert_non_null(strstr(m.mail.text, "Last success: 2022-01-05T10:00:00Z\n"));
        assert_null(strstr(m.mail.text, "Last error"));
        mail_draft_done(&m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_headlines),
                cmocka_unit_test(test_message_ids),
                cmocka_unit_test(test_change_mail),
                cmocka_unit_test(test_change_mail_without_other_governments),
                cmocka_unit_test(test_hostile_label),
                cmocka_unit_test(test_digest),
                cmocka_unit_test(test_source_events),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
