/* manager.h: owns the configuration, the store, the fetcher and one poller per enabled source;
 * arms each source's timer; runs polls; hands recorded changes to the dispatcher. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "config.h"

typedef struct Manager Manager;

typedef struct ManagerOptions {
        const char *database; /* overrides [daemon] database when set */
        bool once;            /* poll every enabled source now, deliver, exit */
} ManagerOptions;

/* Takes ownership of config. */
int manager_new(Manager **ret, sd_event *event, Config *config, const ManagerOptions *options);
Manager *manager_free(Manager *m);
/* Opens the database and arms the timers (or, with once, starts every poll). */
int manager_start(Manager *m);
/* Swaps in a new configuration (takes ownership); sources are re-armed. */
int manager_reload(Manager *m, Config *config);
/* With once: 0 when every source was recorded, 3 when at least one failed. */
int manager_exit_status(Manager *m);
/* "Polling 6 sources; next poll of no in 12m; 0 failing", plus "; <note>" while a note is set */
char *manager_status(Manager *m);
/* A note for the status line (copied; NULL clears it), e.g. why the last reload failed. */
int manager_set_status_note(Manager *m, const char *note);
