"""advisoryd under systemd, checked without a running systemd: the installed unit passes
`systemd-analyze verify` and scores an exposure of 1.5 or less, its system-call filter leaves the
exec notifier what it needs, the journal catalog explains every MESSAGE_ID (also on records the
daemon really sent, through `journalctl -x`), log lines carry <N> priorities only when stderr is
the journal stream, and `--test-config --quiet` (the unit's ExecReload=) is silent when valid."""

import os
import re
import shutil
import struct
import subprocess
import uuid
from pathlib import Path

import pytest

from advisoryenv import ADVISORYD, BUILD, FEED_PATH, REPO, child_env
from test_install import make_install

MAX_EXPOSURE = 1.5
CHANGE_H = REPO / "include" / "change.h"
CATALOG = REPO / "systemd" / "advisoryd.catalog"


def message_ids():
    """name → id of every MESSAGE_ID in include/change.h."""
    ids = dict(re.findall(r'#define (MESSAGE_ID_\w+) "([0-9a-f]{32})"', CHANGE_H.read_text()))
    assert len(ids) >= 5, ids
    return ids


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """make install DESTDIR=…; returns (destdir, a copy of the unit whose paths point into
    DESTDIR, so that verify finds the binaries it names)."""
    dest = tmp_path_factory.mktemp("install") / "dest"
    make_install(dest)
    unit = (dest / "usr/local/lib/systemd/system/advisoryd.service").read_text()
    checkable = dest.parent / "unit" / "advisoryd.service"
    checkable.parent.mkdir()
    checkable.write_text(unit.replace("=/usr/local/", f"={dest}/usr/local/"))
    return dest, checkable


def unit_settings(path):
    """[(section, key, value)] of a unit file, in order."""
    out, section = [], None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.append((section, key, value))
    return out


def service(path, key):
    return [v for s, k, v in unit_settings(path) if s == "Service" and k == key]


# ---- the unit ----


def test_unit_verifies_clean(installed):
    _, unit = installed
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True,
                       text=True, timeout=120)
    # verify exits 0 on unknown keys and bad values too, and only says so: both must be quiet
    assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), r.stderr


def test_unit_documentation_pages_are_installed(installed):
    dest, unit = installed
    pages = []
    for value in [v for s, k, v in unit_settings(unit) if s == "Unit" and k == "Documentation"]:
        pages += re.findall(r"man:([\w.-]+)\((\d)\)", value)
    assert ("advisoryd", "8") in pages
    env = dict(child_env(), MANPATH=str(dest / "usr/local/share/man"))
    for name, section in pages:
        assert (REPO / "man" / f"{name}.{section}").exists(), f"man/{name}.{section} is missing"
        r = subprocess.run(["man", "-w", section, name], capture_output=True, text=True, env=env,
                           timeout=60)
        assert r.returncode == 0, f"man:{name}({section}) is not installed"


def test_unit_exposure_is_at_most_1_5(installed):
    _, unit = installed
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"Overall exposure level for advisoryd\.service: (\d+\.\d+)", r.stdout)
    assert m, f"no exposure level in:\n{r.stdout}\n{r.stderr}"
    assert float(m.group(1)) <= MAX_EXPOSURE, r.stdout


def test_unit_speaks_the_service_protocol(installed):
    _, unit = installed
    assert service(unit, "Type") == ["notify"]
    assert service(unit, "NotifyAccess") == ["main"]
    assert service(unit, "WatchdogSec") and service(unit, "WatchdogSec")[0] not in ("0", "")
    # reload: check the configuration (fails the reload visibly), then SIGHUP the daemon
    reload = service(unit, "ExecReload")
    assert reload[0].endswith("/advisoryd --test-config --quiet"), reload
    assert reload[-1] == "/bin/kill -HUP $MAINPID", reload
    # a configuration error (exit 2) is not retried in a loop
    assert service(unit, "Restart") == ["on-failure"]
    assert "2" in service(unit, "RestartPreventExitStatus")[0].split()


def test_unit_keeps_state_and_configuration_where_the_daemon_looks(installed):
    _, unit = installed
    assert service(unit, "DynamicUser") == ["yes"]
    assert service(unit, "StateDirectory") == ["advisoryd"]  # /var/lib/advisoryd
    assert service(unit, "ConfigurationDirectory") == ["advisoryd"]  # /etc/advisoryd
    default_db = re.search(r"^database = (\S+)", (REPO / "config/advisoryd.conf").read_text(),
                           re.M).group(1)
    assert default_db.startswith("/var/lib/advisoryd/")
    # credentials by name only: looked up in /etc/credstore/ & co. and absent when missing; a
    # LoadCredential= with a path whose file is missing would fail the unit (systemd 252)
    assert service(unit, "LoadCredential") == ["advisoryd.smtp", "advisoryd.webhook"]


def test_the_unit_credential_names_are_valid_in_the_configuration(env):
    conf = env.write_config(extra="[notify:mail]\ntype = email\nto = a@example.org\n"
                                  "from = b@example.org\nsmtp_url = smtp://127.0.0.1:25\n"
                                  "smtp_user = u\nsmtp_credential = advisoryd.smtp\n"
                                  "[notify:hook]\ntype = webhook\nurl = http://127.0.0.1:9/h\n"
                                  "secret_credential = advisoryd.webhook\n")
    r = env.advisoryd("--test-config", "--quiet", "-c", conf)
    assert (r.returncode, r.stderr) == (0, "")


def syscall_groups():
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"],
                         capture_output=True, text=True, timeout=60).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.split()[0], [])
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.append(line.strip())
    return groups


def expand(groups, names):
    out = set()
    for n in names:
        out |= expand(groups, groups[n]) if n.startswith("@") else {n}
    return out


def test_unit_syscall_filter_leaves_what_the_daemon_and_its_children_need(installed):
    """SystemCallFilter= lines: an allow list, then ~deny lists. The exec notifier forks and
    execs a command, feeds it through a pipe, waits for it and kills it on timeout."""
    _, unit = installed
    groups = syscall_groups()
    allowed = set()
    for value in service(unit, "SystemCallFilter"):
        if value.startswith("~"):
            allowed -= expand(groups, value[1:].split())
        else:
            allowed |= expand(groups, value.split())
    needed = {"execve", "fork", "vfork", "clone", "clone3", "wait4", "waitid", "pipe2", "kill",
              "pidfd_open", "pidfd_send_signal", "setsid", "setpgid", "dup2", "close_range",
              "socket", "connect", "sendmsg", "recvmsg", "epoll_wait", "timerfd_settime",
              "signalfd4", "fcntl", "fdatasync", "pread64", "pwrite64", "getrandom", "mmap",
              "mprotect"}
    assert needed - allowed == set()
    # and what it must not do
    assert {"mount", "reboot", "init_module", "setuid", "sched_setscheduler", "ptrace"} \
        & allowed == set()


def test_the_installed_unit_under_a_booted_systemd():
    """scripts/systemd-smoke.sh boots this machine's OS in a container (read-only, overlaid)
    with the DESTDIR install bound in, and drives advisoryd.service as an operator would."""
    if os.geteuid() != 0 or not shutil.which("systemd-nspawn"):
        pytest.skip("needs root and systemd-nspawn (systemd-container)")
    r = subprocess.run([str(REPO / "scripts/systemd-smoke.sh"), str(BUILD)], capture_output=True,
                       text=True, timeout=400, stdin=subprocess.DEVNULL, env=child_env())
    if r.returncode == 3:
        pytest.skip(r.stderr.strip())
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}"
    assert re.search(r"^\d+ passed, 0 failed$", r.stdout, re.M), r.stdout


# ---- the journal catalog ----


def catalog_root(tmp_path, catalog=CATALOG):
    root = tmp_path / "root"
    (root / "usr/lib/systemd/catalog").mkdir(parents=True)
    (root / "var/lib/systemd/catalog").mkdir(parents=True)
    shutil.copy(catalog, root / "usr/lib/systemd/catalog/advisoryd.catalog")
    return root


def update_catalog(root):
    return subprocess.run(["journalctl", f"--root={root}", "--update-catalog"],
                          capture_output=True, text=True, timeout=60)


def test_catalog_documents_every_message_id(tmp_path):
    root = catalog_root(tmp_path)
    r = update_catalog(root)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    r = subprocess.run(["journalctl", f"--root={root}", "--list-catalog", "--no-pager"],
                       capture_output=True, text=True, timeout=60)
    listed = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    for name, mid in message_ids().items():
        assert mid in listed, f"{name} ({mid}) is not in systemd/advisoryd.catalog"
        assert listed[mid].startswith("advisoryd: "), listed[mid]  # Defined-By: advisoryd
    assert set(listed) == set(message_ids().values())


def test_a_broken_catalog_is_refused(tmp_path):
    """The check above can fail: journalctl does reject a malformed catalog."""
    bad = tmp_path / "bad.catalog"
    bad.write_text(CATALOG.read_text().replace("-- 6b9b771301eb4d47b5aa0a366de3a57f",
                                               "-- 6b9b771301eb4d47b5aa0a366de3a57"))
    r = update_catalog(catalog_root(tmp_path, bad))
    assert r.returncode != 0 and "advisoryd.catalog" in r.stderr


def journal_export(records):
    """The journal export format (systemd.io/JOURNAL_EXPORT_FORMATS) of native records."""
    out, boot = b"", uuid.uuid4().hex
    for i, rec in enumerate(records):
        fields = [("__REALTIME_TIMESTAMP", str(1748736000000000 + i)),
                  ("__MONOTONIC_TIMESTAMP", str(1000000 + i)), ("_BOOT_ID", boot),
                  ("SYSLOG_IDENTIFIER", "advisoryd")] + list(rec.fields)
        for name, value in fields:
            v = value.encode()
            if b"\n" in v:
                out += name.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n"
            else:
                out += name.encode() + b"=" + v + b"\n"
        out += b"\n"
    return out


def journalctl_x(tmp_path, records):
    """`journalctl -x` over these records with only our catalog, or None when this machine
    cannot do it. journalctl reads the catalog database from the host's /var/lib/systemd/catalog
    even with --root: a private mount namespace puts ours there, for journalctl alone."""
    remote = shutil.which("systemd-journal-remote") or "/lib/systemd/systemd-journal-remote"
    if not os.path.exists(remote):
        return None
    if os.geteuid() != 0 or not os.path.isdir("/var/lib/systemd/catalog"):
        return None
    root = catalog_root(tmp_path)
    assert update_catalog(root).returncode == 0
    jdir = root / "var/log/journal" / uuid.uuid4().hex
    jdir.mkdir(parents=True)
    r = subprocess.run([remote, f"--output={jdir}/remote.journal", "-"],
                       input=journal_export(records), capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    script = ('mount --bind "$1/var/lib/systemd/catalog" /var/lib/systemd/catalog && '
              'exec journalctl --root="$1" -x --no-pager -o short')
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                        "sh", str(root)], capture_output=True, text=True, timeout=60,
                       env=dict(child_env(), SYSTEMD_COLORS="0"))
    if r.returncode != 0 and "unshare" in r.stderr:
        return None  # no mount namespaces here (not privileged)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_journalctl_x_explains_what_the_daemon_logs(env, tmp_path):
    """Real records: two changes, a source failing, the source recovered. Every field the
    catalog substitutes must be in the record, or journalctl shows the bare field name."""
    env.write_config(daemon={"failure_threshold": "1"}, notifiers=False,
                     extra=f"[notify:j]\ntype = journal\nsocket = {env.journal.path}\n"
                           "events = change source-failing source-recovered\n")
    env.serve_feed("us-baseline.xml")
    env.once_ok()
    env.serve_feed("us-changed.xml")
    env.once_ok()
    good = env.server.document(FEED_PATH)
    env.server.fail(FEED_PATH, 503)
    env.once_ok(expect=3)
    env.server.restore(FEED_PATH, good)
    env.once_ok()
    records = env.journal.wait(4, 20)
    assert sorted(r["MESSAGE_ID"] for r in records) == sorted(
        [message_ids()["MESSAGE_ID_LEVEL_CHANGED"]] * 2
        + [message_ids()["MESSAGE_ID_SOURCE_FAILING"], message_ids()["MESSAGE_ID_SOURCE_RECOVERED"]])

    text = journalctl_x(tmp_path, records)
    if text is None:
        pytest.skip("needs root, mount namespaces and systemd-journal-remote")
    for rec in records:
        assert rec["MESSAGE"] in text
    for rec in (r for r in records if r["MESSAGE_ID"] == message_ids()["MESSAGE_ID_LEVEL_CHANGED"]):
        assert (f"Subject: Travel advisory changed: us on {rec['ADVISORY_COUNTRY_NAME']} "
                f"({rec['ADVISORY_COUNTRY']})") in text
        assert (f"went from {rec['ADVISORY_PREVIOUS_LEVEL']} to {rec['ADVISORY_LEVEL']}.") in text
        assert f"advisoryctl status {rec['ADVISORY_COUNTRY']}" in text
    assert "Subject: Advisory source us is failing" in text
    assert "Subject: Advisory source us recovered" in text
    assert not re.search(r"@[A-Z_]+@", text), text
    # a field the record lacks would be shown by its bare name
    assert not re.search(r"\bADVISORY_(SOURCE|COUNTRY|COUNTRY_NAME|LEVEL|PREVIOUS_LEVEL)\b(?! is)",
                         "\n".join(line for line in text.splitlines() if "Subject:" in line
                                   or "went from" in line)), text


# ---- logging under systemd ----


def run_with_stderr_as_journal_stream(argv, match=True):
    """Runs argv with stderr on a pipe and JOURNAL_STREAM naming that pipe (as systemd sets it
    for StandardError=journal), or another inode when match is False. Returns (rc, stderr)."""
    rfd, wfd = os.pipe()
    st = os.fstat(wfd)
    ino = st.st_ino if match else st.st_ino + 1
    env = dict(child_env(), JOURNAL_STREAM=f"{st.st_dev}:{ino}")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=wfd, env=env)
    finally:
        os.close(wfd)
    with os.fdopen(rfd, "rb") as r:
        err = r.read().decode()
    return p.wait(60), err


def test_log_lines_carry_priorities_under_the_journal(env):
    env.write_config(daemon={"failure_threshold": "1"})
    env.server.fail(FEED_PATH, 503)

    rc, err = run_with_stderr_as_journal_stream([str(ADVISORYD), "--once", "-c", str(env.config)])

    assert rc == 3, err
    lines = err.splitlines()
    assert lines and all(re.match(r"<[0-7]>\S", line) for line in lines), err
    assert any(re.match(r"<4>Failed to poll 'us': .*503", line) for line in lines), err  # warning
    assert any(line.startswith("<6>Polling 1 source") for line in lines), err  # info


def test_log_lines_are_plain_otherwise(env):
    env.server.fail(FEED_PATH, 503)

    rc, err = run_with_stderr_as_journal_stream([str(ADVISORYD), "--once", "-c", str(env.config)],
                                                match=False)

    assert rc == 3, err
    assert "Failed to poll 'us'" in err
    assert not re.search(r"^<\d>", err, re.M), err


def test_configuration_errors_are_logged_as_errors(env):
    conf = env.write_config(daemon={"bogus": "1", "interval": "soon"})

    rc, err = run_with_stderr_as_journal_stream([str(ADVISORYD), "--test-config", "-c", str(conf)])

    assert rc == 2
    assert re.search(rf"^<3>{re.escape(str(conf))}:\d+: unknown key 'bogus'$", err, re.M), err
    assert re.search(rf"^<3>{re.escape(str(conf))}:\d+: .*interval", err, re.M), err


# ---- the unit's ExecReload= check ----


def test_test_config_quiet_is_silent_when_valid(env):
    r = env.advisoryd("--test-config", "--quiet", "-c", env.config)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    # without --quiet the documented output is unchanged: the effective configuration
    r = env.advisoryd("--test-config", "-c", env.config)
    assert r.returncode == 0 and "[daemon]" in r.stdout and "[source:us]" in r.stdout


def test_test_config_quiet_still_reports_errors(env):
    conf = env.write_config(daemon={"bogus": "1"})
    r = env.advisoryd("--test-config", "--quiet", "-c", conf)
    assert r.returncode == 2
    assert r.stdout == ""
    assert f"{conf}:" in r.stderr and "unknown key 'bogus'" in r.stderr
