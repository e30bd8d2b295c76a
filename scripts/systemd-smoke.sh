#!/bin/bash
# systemd-smoke.sh: the installed advisoryd.service under a real, booted systemd.
#
#   sudo scripts/systemd-smoke.sh [BUILD-DIR]      (default: build)
#
# `make install DESTDIR=…` of the binaries in BUILD-DIR, then systemd-nspawn boots this machine's
# own OS read-only (an overlay of / with a tmpfs on top, a private network) with the installed
# /usr/local and /etc/advisoryd bound in, and a driver unit that starts advisoryd against a local
# HTTP server and checks what an operator would: READY and the status line, `systemctl reload`
# with a typo (fails, service keeps running), SIGHUP with a typo (status says why), a good
# reload, `journalctl -x` on a level change, log priorities, credentials from /etc/credstore,
# the exposure score of the running unit, and a clean stop. Prints "N passed, N failed".
#
# Needs root, overlayfs and systemd-nspawn (Debian: systemd-container), and boots a container
# (about 20 s); `make check` runs it (tests/integration/test_systemd.py), which skips when it
# cannot: not root, no nspawn, or no container can boot here (exit 3, e.g. inside a chroot).
# The other integration tests check the unit offline.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "systemd-smoke: must run as root" >&2; exit 2; }
command -v systemd-nspawn >/dev/null || { echo "systemd-smoke: needs systemd-nspawn (systemd-container)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/advisoryd-smoke.XXXXXX)
cleanup() {
        mountpoint -q "$tmp/root" && umount "$tmp/root"
        mountpoint -q "$tmp/layer" && umount "$tmp/layer"
        rm -rf "$tmp"
}
trap cleanup EXIT

make -s -C "$repo" -o all install DESTDIR="$tmp/dest" BUILD="$build" >/dev/null
mkdir -p "$tmp/units" "$tmp/out" "$tmp/layer" "$tmp/root"
cp "$repo/tests/fixtures/integration/us-baseline.xml" "$tmp/out/feed.xml"
cp "$repo/tests/fixtures/integration/us-changed.xml" "$tmp/out/changed.xml"
cat > "$tmp/dest/etc/advisoryd/advisoryd.conf" <<'EOF'
[daemon]
interval = 5s
jitter = 0

[source:us]
url = http://127.0.0.1:8000/feed.xml

[notify:journal]
type = journal
events = change source-failing source-recovered
EOF

# /etc/systemd/system of the container: only the driver (the host's enablements stay out)
cat > "$tmp/units/smoke.target" <<'EOF'
[Unit]
Description=advisoryd smoke test
Wants=smoke.service
EOF
cat > "$tmp/units/smoke.service" <<'EOF'
[Unit]
Description=advisoryd smoke test driver
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/bash /out/drive.sh
StandardOutput=truncate:/out/drive.log
StandardError=inherit
EOF
# an ASan build (make check SANITIZE=1): LeakSanitizer cannot stop the world inside the sandbox
mkdir "$tmp/units/advisoryd.service.d"
printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' > "$tmp/units/advisoryd.service.d/asan.conf"
cat > "$tmp/out/drive.sh" <<'EOF'
set -u
pass=0 fail=0
check() { # check NAME COMMAND...: PASS when the command succeeds
        local name=$1; shift
        if "$@" >/dev/null 2>&1; then echo "PASS: $name"; pass=$((pass + 1));
        else echo "FAIL: $name"; fail=$((fail + 1)); fi
}
prop() { systemctl show -p "$1" --value advisoryd; }
conf=/etc/advisoryd/advisoryd.conf

(cd /out && exec python3 -m http.server 8000 --bind 127.0.0.1 >/out/http.log 2>&1) &
for _ in $(seq 50); do python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8000))' 2>/dev/null && break; sleep 0.1; done
journalctl --update-catalog
mkdir -p -m 0700 /etc/credstore && echo s3cret > /etc/credstore/advisoryd.smtp

check "systemctl start" systemctl start advisoryd
for _ in $(seq 100); do journalctl -u advisoryd | grep -q "baseline of" && break; sleep 0.1; done
check "status line" bash -c "systemctl show -p StatusText --value advisoryd | grep -Eq '^Polling 1 source; next poll of us in [0-9]+s; 0 failing$'"
check "database in /var/lib/advisoryd" test -s /var/lib/advisoryd/advisoryd.db
check "credential from /etc/credstore" test -e /run/credentials/advisoryd.service/advisoryd.smtp
pid=$(prop MainPID)

cp $conf /out/good.conf
echo "bogus = 1" >> $conf
check "reload with a typo fails" bash -c '! systemctl reload advisoryd'
check "and the service keeps running" test "$(prop ActiveState)/$(prop MainPID)" = "active/$pid"
systemctl kill -s HUP advisoryd
for _ in $(seq 50); do prop StatusText | grep -q "not reloaded" && break; sleep 0.1; done
check "SIGHUP with a typo: status says why" bash -c "systemctl show -p StatusText --value advisoryd | grep -q \"configuration not reloaded: $conf:[0-9]*: unknown key 'bogus'\""
check "errors are logged at priority 3" bash -c "journalctl -u advisoryd -p err -o cat | grep -q \"unknown key 'bogus'\""
cp /out/good.conf $conf
check "good reload" systemctl reload advisoryd
check "status cleared" bash -c "! systemctl show -p StatusText --value advisoryd | grep -q 'not reloaded'"

cp /out/changed.xml /out/feed.xml
for _ in $(seq 200); do journalctl MESSAGE_ID=6b9b771301eb4d47b5aa0a366de3a57f | grep -q Kazakhstan && break; sleep 0.1; done
check "journalctl -x explains a change" bash -c "journalctl -x MESSAGE_ID=6b9b771301eb4d47b5aa0a366de3a57f | grep -q 'Subject: Travel advisory changed: us on Kazakhstan (KZ)'"
score=$(systemd-analyze security advisoryd --no-pager | sed -n 's/.*Overall exposure level for advisoryd.service: \([0-9.]*\).*/\1/p')
echo "exposure of the running unit: $score"
check "exposure <= 1.5" python3 -c "import sys; sys.exit(not float('$score') <= 1.5)"

check "systemctl stop" systemctl stop advisoryd
check "exited 0" test "$(prop Result)/$(prop ExecMainStatus)" = "success/0"
journalctl -u advisoryd --no-pager -o short-monotonic > /out/journal.txt
echo "$pass passed, $fail failed"
EOF

mount -t tmpfs -o mode=0755 tmpfs "$tmp/layer"
mkdir "$tmp/layer/upper" "$tmp/layer/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/layer/upper,workdir=$tmp/layer/work" "$tmp/root"
timeout 300 systemd-nspawn -q -D "$tmp/root" --private-network --link-journal=no --register=no \
        --keep-unit --machine="advisoryd-smoke-$$" \
        --bind-ro="$tmp/units:/etc/systemd/system" \
        --bind-ro="$tmp/dest/usr/local:/usr/local" \
        --bind="$tmp/dest/etc/advisoryd:/etc/advisoryd" \
        --bind="$tmp/out:/out" \
        -b systemd.unit=smoke.target >"$tmp/console.log" 2>&1 || true

if [ ! -s "$tmp/out/drive.log" ]; then
        # No systemd came up (a chroot, a container without the privileges to mount): nothing
        # could be checked here, which is not a failure of the unit (exit 3, the test skips).
        if ! grep -q 'running in system mode' "$tmp/console.log"; then
                echo "systemd-smoke: cannot boot a container on this machine:" >&2
                tail -5 "$tmp/console.log" >&2
                exit 3
        fi
        echo "systemd-smoke: the container did not run the driver:" >&2
        tail -30 "$tmp/console.log" >&2
        exit 1
fi
cat "$tmp/out/drive.log"
if grep -q '^FAIL' "$tmp/out/drive.log" || ! grep -q ' passed, 0 failed$' "$tmp/out/drive.log"; then
        echo "--- journal of advisoryd.service" >&2
        cat "$tmp/out/journal.txt" >&2 || true
        exit 1
fi
