/* fuzz-record.h: the contract every extracted record keeps, asserted by the extractor targets. */
#pragma once

#include <assert.h>
#include <string.h>

#include "advisory.h"
#include "util.h"

static inline void fuzz_check_record(const Advisory *a) {
        assert(level_valid(a->level));
        assert(a->regional_level == LEVEL_NONE ||
               (a->regional_level > a->level && level_valid(a->regional_level)));
        assert(strlen(a->country) == 2);
        assert(a->label && strlen(a->label) <= ADVISORY_LABEL_MAX);
        assert(utf8_is_valid(a->label, strlen(a->label)));
        assert(!strpbrk(a->label, "\r\n"));
}
