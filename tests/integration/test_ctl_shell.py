"""advisoryctl's bash completion (shell/advisoryctl.bash) run by bash itself, and its manual page
(man/advisoryctl.1) checked by groff and against --help."""

import re
import shutil
import subprocess

import pytest

from advisoryenv import REPO, run_ctl

COMPLETION = REPO / "shell" / "advisoryctl.bash"
MANPAGE = REPO / "man" / "advisoryctl.1"
COMMANDS = ["status", "history", "changes", "sources", "notifications", "feed", "timeline",
            "extract", "import", "accept"]


def complete(line, cwd=None):
    """What bash offers for the last word of line (after a space: a new word)."""
    words = line.split(" ")
    script = (f"source {COMPLETION}\n"
              f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
              f"COMP_CWORD={len(words) - 1}\n"
              "_advisoryctl\n"
              "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                       text=True, cwd=cwd, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return [w for w in r.stdout.split("\n") if w]


def test_commands():
    assert complete("advisoryctl ") == COMMANDS
    assert complete("advisoryctl --json st") == ["status"]
    assert complete("advisoryctl --database x.db h") == ["history"]
    assert "--database" in complete("advisoryctl --")


def test_accept_completes_source_ids():
    assert "us" in complete("advisoryctl accept ")
    assert complete("advisoryctl accept u") == ["uk", "us"]


@pytest.mark.parametrize("command, options", [
    ("status", {"--min-level"}),
    ("history", {"--source", "--since"}),
    ("changes", {"--since", "--source", "--min-level"}),
    ("notifications", {"--pending", "--failed"}),
    ("feed", {"--since", "--output"}),
    ("timeline", {"--since", "--until", "--svg", "--output"}),
    ("import", {"--source", "--at", "--url"}),
    ("extract", {"--source", "--url"}),
])
def test_options_of_each_command(command, options):
    assert set(complete(f"advisoryctl {command} --")) == options | {"--json", "--csv", "--local"}


def test_every_option_of_help_is_completed():
    r = run_ctl(None, "--help", database=False)
    offered = set(complete("advisoryctl --"))
    for name in COMMANDS:
        offered |= set(complete(f"advisoryctl {name} --"))
    assert set(re.findall(r"--[a-z][a-z-]+", r.stdout)) <= offered


def test_source_ids_from_the_configuration(tmp_path):
    conf = tmp_path / "advisoryd.conf"
    conf.write_text("[daemon]\n[source:us]\n[source:mygov]\ntype = html\n")
    (tmp_path / "advisoryd.conf.d").mkdir()
    (tmp_path / "advisoryd.conf.d" / "10-x.conf").write_text("[source:other]\n")
    offered = complete(f"advisoryctl -c {conf} history KZ --source ")
    assert {"us", "ca", "de", "au", "mygov", "other"} <= set(offered)
    assert complete(f"advisoryctl -c {conf} import --source my") == ["mygov"]


def test_countries():
    assert complete("advisoryctl status K") == ["KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR",
                                               "KW", "KY", "KZ"]
    assert complete("advisoryctl history kz") == ["kz"]
    assert "XK" in complete("advisoryctl timeline X")
    assert len(complete("advisoryctl status ")) == 250
    assert complete("advisoryctl changes K") == []  # changes takes no country


def test_values_and_files(tmp_path):
    (tmp_path / "saved.json").write_text("{}")
    assert complete("advisoryctl changes --min-level ") == ["1", "2", "3", "4"]
    assert "7d" in complete("advisoryctl feed --since ")
    assert complete("advisoryctl import --source ca sa", cwd=tmp_path) == ["saved.json"]
    assert complete("advisoryctl feed --output sa", cwd=tmp_path) == ["saved.json"]


# ---- the manual ----


@pytest.mark.skipif(not shutil.which("groff"), reason="groff is not installed")
def test_manual_page_renders_without_warnings():
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(MANPAGE)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_manual_page_documents_every_command_and_option():
    text = MANPAGE.read_text().replace("\\-", "-")
    help_text = run_ctl(None, "--help", database=False).stdout
    for name in COMMANDS:
        assert re.search(rf"^(\.B[IR]? \"?|\\fB){name}\b", text, re.M), name
    for option in set(re.findall(r"--[a-z][a-z-]+", help_text)):
        assert option in text, option
    for code, meaning in (("0", "Success"), ("1", "Failure"), ("2", "Usage error")):
        assert re.search(rf"^\.B {code}\n{meaning}", text, re.M), code
