#!/bin/sh
# Runs every fuzz target in DIR for SECONDS each: first over its regression inputs (crashers found
# earlier, kept in tests/fuzz/regressions/<target>/), then fuzzing from a corpus seeded with the
# test fixtures. Prints the executions per target; a crash fails the run and leaves the input in
# build-fuzz/crashes/.
#   scripts/fuzz.sh DIR SECONDS
set -eu
dir=$1
seconds=$2
crashes=build-fuzz/crashes
mkdir -p "$crashes"

seeds_for() {
        case "$1" in
        fuzz-config) echo tests/fuzz/seeds/config config ;;
        fuzz-extract-html | fuzz-extract-xml) echo tests/fixtures/user ;;
        fuzz-extract-*) echo "tests/fixtures/${1#fuzz-extract-}" ;;
        fuzz-mail) echo tests/fuzz/seeds/mail ;;
        esac
}

status=0
for bin in "$dir"/fuzz-*; do
        case "$bin" in *.d) continue ;; esac
        name=$(basename "$bin")
        corpus=build-fuzz/corpus/$name
        regressions=tests/fuzz/regressions/$name
        mkdir -p "$corpus"
        for s in $(seeds_for "$name"); do
                [ -d "$s" ] && find "$s" -maxdepth 1 -type f -exec cp -n {} "$corpus/" \; 2>/dev/null
                [ -f "$s" ] && cp -n "$s" "$corpus/" 2>/dev/null
        done
        if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
                "$bin" -runs=0 "$regressions"/* >/dev/null 2>&1 || {
                        echo "$name: a regression input crashes again"; status=1; continue; }
        fi
        log=build-fuzz/$name.log
        if "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-16384}" -timeout=10 \
                -artifact_prefix="$crashes/$name-" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
                runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
                printf '%-24s %12s executions in %ss, no crash\n' "$name" "$runs" "$seconds"
        else
                echo "$name: CRASH (see $log and $crashes/)"
                tail -n 30 "$log"
                status=1
        fi
done
exit $status
