# advisoryd: one non-recursive Makefile.
#
#   make                 build build/advisoryd and build/advisoryctl
#   make run             install missing Debian packages, build, run the daemon in the foreground
#   make check           install missing Debian packages, build, run unit + integration tests
#   make check SANITIZE=1   the same, built with ASan+UBSan into build-san/
#   make crash-test      SIGKILL the daemon at random moments, prove nothing is lost or corrupted
#   make fuzz            libFuzzer targets (clang) into build-fuzz/, each run FUZZ_TIME s (60)
#   make bench           the benchmark against urlwatch (BENCHMARKS.md)
#   make install         PREFIX=/usr/local DESTDIR= (see the README: Installing)
#   make uninstall       the same variables
#   make clean

PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
BINDIR = $(PREFIX)/bin
SBINDIR = $(PREFIX)/sbin
MANDIR = $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

VERSION := 0.1.0

# make V=1 shows the commands
ifeq ($(V),1)
Q =
E = @:
else
Q = @
E = @echo
endif
PYTHON ?= /usr/bin/python3
CC ?= cc

ifeq ($(FUZZ),1)
BUILD ?= build-fuzz
CC = clang
WERROR = 0
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
else ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SANFLAGS =
endif

PKGS = libcurl libxml-2.0 sqlite3 libsystemd jansson inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wformat=2 -Wno-format-nonliteral
WERROR ?= 1
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' \
	-Iinclude -I$(BUILD) $(WARNINGS) $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

DAEMON_MAIN = daemon/main.c
CTL_SRCS = $(wildcard daemon/ctl*.c)
LIB_SRCS = $(filter-out $(DAEMON_MAIN) $(CTL_SRCS),$(wildcard daemon/*.c))
LIB_OBJS = $(LIB_SRCS:daemon/%.c=$(BUILD)/%.o) $(BUILD)/country-table.o
CTL_OBJS = $(CTL_SRCS:daemon/%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/test-*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/advisoryd $(BUILD)/advisoryctl

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

$(BUILD)/country-table.c: scripts/gen-countries.py
	@mkdir -p $(@D)
	$(E) "  GEN     $@"
	$(Q)$(PYTHON) scripts/gen-countries.py > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(E) "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/country-table.o: $(BUILD)/country-table.c
	$(E) "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/libadvisory.a: $(LIB_OBJS)
	$(E) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/advisoryd: $(BUILD)/main.o $(BUILD)/libadvisory.a
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/advisoryctl: $(CTL_OBJS) $(BUILD)/libadvisory.a
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libadvisory.a
	@mkdir -p $(@D)
	$(E) "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Itests/unit -o $@ $< $(BUILD)/libadvisory.a \
		$(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS) -lm

# Fuzzing (libFuzzer, clang): one target per extractor (built-in, user-defined html and xml), the
# config parser and the e-mail renderer (RFC 2047 headers, quoted-printable).
#   make fuzz                  build, then run each target FUZZ_TIME seconds (default 60)
FUZZ_SOURCES = us no uk ca de au
FUZZ_TIME ?= 60
FUZZ_BINS = $(FUZZ_SOURCES:%=$(BUILD)/fuzz/fuzz-extract-%) $(BUILD)/fuzz/fuzz-extract-html \
	$(BUILD)/fuzz/fuzz-extract-xml $(BUILD)/fuzz/fuzz-config $(BUILD)/fuzz/fuzz-mail

# user-defined sources: the same target for html and xml pages
$(BUILD)/fuzz/fuzz-extract-html $(BUILD)/fuzz/fuzz-extract-xml: tests/fuzz/fuzz-user.c $(BUILD)/libadvisory.a
	@mkdir -p $(@D)
	$(E) "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -DFUZZ_XML=$(if $(filter %-xml,$@),1,0) -o $@ $< \
		$(BUILD)/libadvisory.a $(PKG_LIBS) -lm

# (a static pattern rule: a plain one would also "remake" the included fuzz-extract-*.d files)
$(FUZZ_SOURCES:%=$(BUILD)/fuzz/fuzz-extract-%): $(BUILD)/fuzz/fuzz-extract-%: tests/fuzz/fuzz-extract.c $(BUILD)/libadvisory.a
	@mkdir -p $(@D)
	$(E) "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -DFUZZ_SOURCE='"$*"' -o $@ $< \
		$(BUILD)/libadvisory.a $(PKG_LIBS) -lm

$(BUILD)/fuzz/fuzz-config: tests/fuzz/fuzz-config.c $(BUILD)/libadvisory.a
	@mkdir -p $(@D)
	$(E) "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libadvisory.a $(PKG_LIBS) -lm

$(BUILD)/fuzz/fuzz-mail: tests/fuzz/fuzz-mail.c $(BUILD)/libadvisory.a
	@mkdir -p $(@D)
	$(E) "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libadvisory.a $(PKG_LIBS) -lm

fuzz-build: $(FUZZ_BINS)

fuzz: deps-test
	$(MAKE) FUZZ=1 fuzz-build
	scripts/fuzz.sh build-fuzz/fuzz $(FUZZ_TIME)

run: deps
	$(MAKE) all
	@mkdir -p var
	$(BUILD)/advisoryd -c config/advisoryd.conf --database var/advisoryd.db

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
		echo "  TEST    $$t"; \
		ADVISORYD_TESTDATA=tests/fixtures $$t > $$t.log 2>&1 || { cat $$t.log; exit 1; }; \
		grep -E '^\[  (PASSED|SKIPPED) ' $$t.log | sed 's/^/          /'; \
	done

integration: all
	ADVISORYD_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

check: deps-test
	$(MAKE) all unit
	$(MAKE) integration

# Crash consistency: the daemon SIGKILLed at >= 240 random moments against a loopback server whose
# levels change every cycle; prints the figures (scripts/crash-test.py). About a minute or two.
crash-test: all
	$(PYTHON) scripts/crash-test.py --build $(BUILD)

.PHONY: crash-test

# Performance against urlwatch on a loopback workload (issue 9), not part of check; several
# minutes. The table goes to stdout and $(BUILD)/bench/report.md; see BENCHMARKS.md.
#   make bench BENCH_ARGS="--reps 1 --skip-idle"     (bench/run.py --help lists the options)
.PHONY: bench
bench:
	@scripts/install-deps.sh bench
	$(MAKE) all
	$(PYTHON) bench/run.py --build $(BUILD) $(BENCH_ARGS)

# ---- install ----
# Everything the README lists under "Installing": binaries, the unit with its paths substituted,
# the journal catalog, the man pages (every man/*.[1-8]), bash completions (shell/NAME.bash
# becomes NAME) and, unless one is already there, the configuration. Without DESTDIR (a real
# install on this machine) the journal catalog database is rebuilt and systemd reloaded.
MAN_PAGES = $(wildcard man/*.[1-8])
BASH_COMPLETIONS = $(wildcard shell/*.bash)
INSTALLED_CONF = $(DESTDIR)$(SYSCONFDIR)/advisoryd/advisoryd.conf

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(SYSCONFDIR)/advisoryd
	install -m 0755 $(BUILD)/advisoryd $(DESTDIR)$(SBINDIR)/advisoryd
	install -m 0755 $(BUILD)/advisoryctl $(DESTDIR)$(BINDIR)/advisoryctl
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/advisoryd.service.in > $(BUILD)/advisoryd.service
	install -m 0644 $(BUILD)/advisoryd.service $(DESTDIR)$(UNITDIR)/advisoryd.service
	install -m 0644 systemd/advisoryd.catalog $(DESTDIR)$(CATALOGDIR)/advisoryd.catalog
	@set -e; for f in $(MAN_PAGES); do \
		s=$${f##*.}; \
		echo "install -D -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/$${f##*/}"; \
		install -D -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/$${f##*/}; \
	done
	@set -e; for f in $(BASH_COMPLETIONS); do \
		n=$${f##*/}; n=$${n%.bash}; \
		echo "install -D -m 0644 $$f $(DESTDIR)$(COMPLETIONDIR)/$$n"; \
		install -D -m 0644 $$f $(DESTDIR)$(COMPLETIONDIR)/$$n; \
	done
	@# the configuration must be readable by the service's transient user: 0644, no secrets in it
	@if [ -e $(INSTALLED_CONF) ]; then \
		echo "$(INSTALLED_CONF) exists, not overwritten"; \
	else \
		echo "install -m 0644 config/advisoryd.conf $(INSTALLED_CONF)"; \
		install -m 0644 config/advisoryd.conf $(INSTALLED_CONF); \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
		journalctl --update-catalog 2>/dev/null || true; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi; \
	fi

# Removes what install put there; the configuration only while it is the shipped one, unmodified.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/advisoryd $(DESTDIR)$(BINDIR)/advisoryctl \
		$(DESTDIR)$(UNITDIR)/advisoryd.service $(DESTDIR)$(CATALOGDIR)/advisoryd.catalog
	@set -e; for f in $(MAN_PAGES); do \
		echo "rm -f $(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}"; \
		rm -f $(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; \
	done
	@set -e; for f in $(BASH_COMPLETIONS); do \
		n=$${f##*/}; n=$${n%.bash}; \
		echo "rm -f $(DESTDIR)$(COMPLETIONDIR)/$$n"; \
		rm -f $(DESTDIR)$(COMPLETIONDIR)/$$n; \
	done
	@if cmp -s config/advisoryd.conf $(INSTALLED_CONF); then \
		echo "rm -f $(INSTALLED_CONF)"; rm -f $(INSTALLED_CONF); \
		rmdir $(DESTDIR)$(SYSCONFDIR)/advisoryd 2>/dev/null || true; \
	elif [ -e $(INSTALLED_CONF) ]; then \
		echo "$(INSTALLED_CONF) was modified, kept"; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
		journalctl --update-catalog 2>/dev/null || true; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi; \
	fi

clean:
	rm -rf build build-san build-fuzz

.PHONY: all deps deps-test run unit integration check install uninstall clean fuzz fuzz-build
.DELETE_ON_ERROR:

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d $(BUILD)/fuzz/*.d)
