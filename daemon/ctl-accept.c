/* ctl-accept.c: advisoryctl accept SOURCE: an operator says the document the mass-change guard
 * held back is right (a real worldwide change); the daemon records it at the next poll, if that
 * poll gives the same result. */
#include "ctl-options.h"
#include "ctl.h"

#include "guard.h"
#include "log.h"

int ctl_accept(Ctl *ctl, int argc, char *argv[]) {
        static const struct option options[] = { CTL_COMMON_OPTIONS, {} };
        _cleanup_free_ char *saved = NULL, *formatted = NULL;
        const char *source;
        GuardState state = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                if (!ctl_common_option(ctl, c))
                        return -EINVAL;
        if (optind + 1 != argc)
                return ctl_usage_error("accept takes one SOURCE");
        source = argv[optind];
        if (ctl_open_store(ctl, true) < 0)
                return -EIO;
        r = store_get_value(ctl->store, source, "guard", &saved);
        if (r < 0)
                return log_error_errno(r, "advisoryctl: cannot read the database: %s",
                                       store_error(ctl->store));
        if (r == 0 || guard_state_parse(saved, &state) < 0 || state.fingerprint == 0) {
                fprintf(stderr, "advisoryctl: nothing of '%s' is held back\n", source);
                return -ENOENT;
        }
        state.accepted = state.fingerprint;
        formatted = guard_state_format(&state);
        if (!formatted)
                return log_oom();
        r = store_set_value(ctl->store, source, "guard", formatted);
        if (r < 0)
                return log_error_errno(r, "advisoryctl: cannot write the database: %s",
                                       store_error(ctl->store));
        printf("Accepted: the document of '%s' held back as a suspected extraction fault is "
               "recorded at the next poll if that poll gives the same result.\n",
               source);
        return 0;
}
