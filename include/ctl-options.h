/* ctl-options.h: options every advisoryctl command accepts, before or after its name. */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "ctl.h"

enum {
        ARG_JSON = 0x100,
        ARG_CSV,
        ARG_LOCAL,
        ARG_DATABASE,
        ARG_VERSION,
        ARG_SOURCE,
        ARG_SINCE,
        ARG_MIN_LEVEL,
        ARG_URL,
        ARG_AT,
        ARG_PENDING,
        ARG_FAILED,
        ARG_OUTPUT,
        ARG_SVG,
        ARG_UNTIL,
        _ARG_CTL_MAX,
};

#define CTL_COMMON_OPTIONS                                                                         \
        { "json", no_argument, NULL, ARG_JSON }, { "csv", no_argument, NULL, ARG_CSV },            \
        {                                                                                          \
                "local", no_argument, NULL, ARG_LOCAL                                              \
        }

/* Handles --json, --csv, --local; false for any other option. */
bool ctl_common_option(Ctl *ctl, int c);
