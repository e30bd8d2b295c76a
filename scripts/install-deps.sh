#!/bin/sh
# Install the Debian 12 packages advisoryd needs to build, run and test.
# Called by `make run`, `make check` and `.ci/run`; does nothing when all are present.
#   scripts/install-deps.sh [build|test|bench|all]
set -eu

build="pkg-config gcc make libcurl4-openssl-dev libxml2-dev libsqlite3-dev
libsystemd-dev libjansson-dev libinih-dev iso-codes python3 ca-certificates"
test="$build libcmocka-dev python3-pytest python3-aiosmtpd python3-feedparser
sqlite3 systemd systemd-journal-remote systemd-container man-db groff-base clang valgrind
openssl"
bench="$test urlwatch time strace"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench | all) want=$bench ;;
*) echo "usage: $0 [build|test|bench|all]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "Installing missing Debian packages:$missing" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
