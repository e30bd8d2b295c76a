"""`make install` and `make uninstall` (PREFIX, DESTDIR): every file where the README says, with
the unit's paths substituted, an existing configuration left alone, and nothing left behind by
uninstall but a configuration the operator changed. The man pages render without warnings.

The binaries are the ones under test ($ADVISORYD_BUILD): install is run with `-o all`, so it
copies them and never rebuilds."""

import re
import stat
import subprocess
from pathlib import Path

import pytest

from advisoryenv import BUILD, REPO, child_env

MAN_PAGES = sorted((REPO / "man").glob("*.[1-8]"))
BASH_COMPLETIONS = sorted((REPO / "shell").glob("*.bash"))


def make(target, destdir, **variables):
    """`make -o all TARGET DESTDIR=… BUILD=…` in the repository; returns the CompletedProcess."""
    argv = ["make", "-C", str(REPO), "-o", "all", target, f"DESTDIR={destdir}", f"BUILD={BUILD}"]
    if BUILD.name == "build-san":
        argv.append("SANITIZE=1")
    argv += [f"{k}={v}" for k, v in variables.items()]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL, env=child_env())
    assert r.returncode == 0, f"make {target} failed:\n{r.stdout}\n{r.stderr}"
    return r


def make_install(destdir, **variables):
    return make("install", destdir, **variables)


def expected_files(prefix="/usr/local", sysconfdir="/etc"):
    """What the README promises: path below DESTDIR → mode."""
    p = prefix.lstrip("/")
    files = {
        f"{p}/sbin/advisoryd": 0o755,
        f"{p}/bin/advisoryctl": 0o755,
        f"{p}/lib/systemd/system/advisoryd.service": 0o644,
        f"{p}/lib/systemd/catalog/advisoryd.catalog": 0o644,
        f"{sysconfdir.lstrip('/')}/advisoryd/advisoryd.conf": 0o644,
    }
    for page in MAN_PAGES:
        files[f"{p}/share/man/man{page.suffix[1:]}/{page.name}"] = 0o644
    for completion in BASH_COMPLETIONS:
        files[f"{p}/share/bash-completion/completions/{completion.stem}"] = 0o644
    return files


def installed_files(destdir):
    root = Path(destdir)
    return {str(f.relative_to(root)): stat.S_IMODE(f.stat().st_mode)
            for f in root.rglob("*") if not f.is_dir()}


def test_the_documented_man_pages_exist():
    names = {p.name for p in MAN_PAGES}
    assert {"advisoryd.8", "advisoryd.conf.5"} <= names


def test_install_lays_out_every_file(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest)

    assert installed_files(dest) == expected_files()
    unit = (dest / "usr/local/lib/systemd/system/advisoryd.service").read_text()
    assert "ExecStart=/usr/local/sbin/advisoryd\n" in unit
    assert "ExecReload=/usr/local/sbin/advisoryd --test-config --quiet\n" in unit
    assert "@" not in unit.replace("@system-service", "").replace("@privileged", "") \
        .replace("@resources", "")
    assert (dest / "usr/local/lib/systemd/catalog/advisoryd.catalog").read_bytes() == \
        (REPO / "systemd/advisoryd.catalog").read_bytes()
    assert (dest / "etc/advisoryd/advisoryd.conf").read_bytes() == \
        (REPO / "config/advisoryd.conf").read_bytes()

    # the installed daemon accepts the installed configuration as it is
    r = subprocess.run([str(dest / "usr/local/sbin/advisoryd"), "--test-config", "--quiet",
                        "-c", str(dest / "etc/advisoryd/advisoryd.conf")],
                       capture_output=True, text=True, env=child_env(), timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_install_with_prefix_usr(tmp_path):
    """PREFIX=/usr: where a distribution package puts things (systemd's own directories)."""
    dest = tmp_path / "dest"
    make_install(dest, PREFIX="/usr")

    assert installed_files(dest) == expected_files("/usr")
    unit = (dest / "usr/lib/systemd/system/advisoryd.service").read_text()
    assert "ExecStart=/usr/sbin/advisoryd\n" in unit


def test_install_keeps_an_existing_configuration(tmp_path):
    dest = tmp_path / "dest"
    conf = dest / "etc/advisoryd/advisoryd.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("# the operator's own\n[daemon]\ninterval = 2h\n")
    conf.chmod(0o640)

    r = make_install(dest)

    assert conf.read_text() == "# the operator's own\n[daemon]\ninterval = 2h\n"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    assert "advisoryd.conf exists, not overwritten" in r.stdout
    # everything else was installed all the same
    assert set(installed_files(dest)) == set(expected_files())


def test_install_twice_is_harmless(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest)
    make_install(dest)
    assert installed_files(dest) == expected_files()


def test_uninstall_removes_what_install_put_there(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest)

    make("uninstall", dest)

    assert installed_files(dest) == {}
    assert not (dest / "etc/advisoryd").exists()


def test_uninstall_keeps_a_modified_configuration(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest)
    conf = dest / "etc/advisoryd/advisoryd.conf"
    conf.write_text(conf.read_text() + "\n[source:no]\n")

    r = make("uninstall", dest)

    assert installed_files(dest) == {"etc/advisoryd/advisoryd.conf": 0o644}
    assert conf.read_text().endswith("\n[source:no]\n")
    assert "was modified, kept" in r.stdout


@pytest.mark.parametrize("page", MAN_PAGES, ids=lambda p: p.name)
def test_man_page_renders_without_warnings(page):
    # groff itself, all warnings on: what a broken macro or escape would trip
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(page)],
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    # and man(1) as a reader runs it
    env = dict(child_env(), MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="0")
    r = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True, text=True,
                       env=env, timeout=60)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    text = re.sub(".\b", "", r.stdout)  # overstrike bold and underline
    assert "NAME" in text and "SEE ALSO" in text
    name = page.name.rsplit(".", 1)[0]
    assert f"{name} - " in " ".join(text.split()), text[:400]


def test_installed_man_pages_are_found_by_man(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest)
    env = dict(child_env(), MANPATH=str(dest / "usr/local/share/man"))
    for section, name in (("8", "advisoryd"), ("5", "advisoryd.conf")):
        r = subprocess.run(["man", "-w", section, name], capture_output=True, text=True, env=env,
                           timeout=60)
        assert r.stdout.strip() == str(dest / f"usr/local/share/man/man{section}/{name}.{section}")
