/* fuzz-extract.c: libFuzzer target for one built-in extractor (FUZZ_SOURCE, e.g. "us"). Whatever
 * the bytes, the extractor returns records that satisfy the record's contract, or a failure with
 * a class and a reason and no records. */
#include "fuzz-record.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const SourceType *t = source_type_builtin(FUZZ_SOURCE);
        AdvisoryList l = {};
        ExtractError err = {};
        char *copy = malloc(size + 1);
        int r;

        assert(t && copy);
        /* extractors get a NUL after the document, as the fetcher and advisoryctl give it */
        memcpy(copy, data, size);
        copy[size] = '\0';
        ExtractInput in = { .data = copy, .size = size, .url = "https://example.org/doc" };
        r = t->extract(&in, &l, &err);
        if (r < 0) {
                assert(l.n == 0);
                assert(err.failure != FAILURE_NONE && err.message[0]);
        } else {
                assert((size_t) r == l.n && l.n > 0);
                for (size_t i = 0; i < l.n; i++)
                        fuzz_check_record(&l.items[i]);
        }
        advisory_list_clear(&l);
        free(copy);
        return 0;
}
