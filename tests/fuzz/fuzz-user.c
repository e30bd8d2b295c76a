/* fuzz-user.c: libFuzzer target for the extractor of user-defined sources, built twice: as
 * fuzz-extract-html (FUZZ_XML 0) and fuzz-extract-xml (FUZZ_XML 1). The pattern is DESIGN.md's
 * example source (an XPath and four regexes), compiled once as the driver compiles it once per
 * poll. Whatever the bytes, the page gives one record that keeps the record's contract, or a
 * failure with a class and a reason and no record. */
#include "fuzz-record.h"
#include "source-user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const UserPattern *pattern(void) {
        static UserPattern *pat;
        if (!pat) {
                SourceConfig sc = {
                        .id = (char *) "mygov",
                        .kind = FUZZ_XML ? SOURCE_KIND_XML : SOURCE_KIND_HTML,
                        .enabled = true,
                        .url = (char *) "https://example.gov/advice/{country}.html",
                        .xpath = (char *) (FUZZ_XML ? "/destination/advice/text"
                                                    : "//div[@class=\"advisory-level\"]"),
                };
                ExtractError err = {};
                sc.level_regex[4] = (char *) "Do not travel";
                sc.level_regex[3] = (char *) "Reconsider";
                sc.level_regex[2] = (char *) "increased caution";
                sc.level_regex[1] = (char *) "normal";
                assert(source_user_pattern_new(&sc, &pat, &err) == 0);
        }
        return pat;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        AdvisoryList l = {};
        ExtractError err = {};
        char *copy = malloc(size + 1);
        int r;

        assert(copy);
        memcpy(copy, data, size);
        copy[size] = '\0';
        r = source_user_extract_page(pattern(), copy, size, "https://example.gov/advice/kz.html",
                                     "KZ", &l, &err);
        if (r < 0) {
                assert(l.n == 0);
                assert(err.failure != FAILURE_NONE && err.message[0]);
        } else {
                assert(r == 1 && l.n == 1);
                fuzz_check_record(&l.items[0]);
                assert(streq(l.items[0].country, "KZ") && l.items[0].regional_level == LEVEL_NONE);
        }
        advisory_list_clear(&l);
        free(copy);
        return 0;
}
