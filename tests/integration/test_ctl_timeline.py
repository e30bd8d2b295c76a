"""advisoryctl timeline --svg: an SVG document (parsed as XML) with one row per government and one
band per level period in the range shown, in period order, with a legend and a date axis; the
colours stay apart in greyscale; --output; errors."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from advisoryenv import CTL_SNAPSHOTS, assert_golden, import_snapshots, run_ctl

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    db = tmp_path_factory.mktemp("timeline") / "advisoryd.db"
    import_snapshots(db)
    return db


def timeline(db, *args):
    r = run_ctl(db, "timeline", *args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def svg(text):
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg"
    return root


def classes(e):
    return (e.get("class") or "").split()


def bands(root):
    return [g for g in root.iter(SVG + "g") if "band" in classes(g)]


def rows(root):
    return [g for g in root.iter(SVG + "g") if "row" in classes(g)]


def history(db, country, since=None):
    args = ["--json", "history", country] + (["--since", since] if since else [])
    return json.loads(run_ctl(db, *args).stdout)


def luminance(colour):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_one_band_per_period(world):
    root = svg(timeline(world, "kazakhstan", "--svg", "--until", "2023-01-01"))
    assert [r.get("data-source") for r in rows(root)] == ["au", "ca", "de", "us"]
    periods = history(world, "KZ")
    for row in rows(root):
        mine = [p for p in periods if p["source"] == row.get("data-source")]
        got = [g for g in row.iter(SVG + "g") if "band" in classes(g)]
        assert [(int(g.get("data-level")), g.get("data-since"), g.get("data-until"))
                for g in got] == [(p["level"], p["since"], p["until"]) for p in mine]
        for g, p in zip(got, mine):
            assert f"level-{p['level']}" in classes(g)
            title = g.find(SVG + "title").text
            assert f"level {p['level']}" in title and p["label"] in title
    assert len(bands(root)) == len(periods) == 10


def test_bands_are_placed_in_time_and_do_not_overlap(world):
    root = svg(timeline(world, "UA", "--svg", "--since", "2021-01-01", "--until", "2023-01-01"))
    for row in rows(root):
        rects = [g.find(SVG + "rect") for g in row.iter(SVG + "g") if "band" in classes(g)]
        xs = [(float(r.get("x")), float(r.get("x")) + float(r.get("width"))) for r in rects]
        assert all(a[1] <= b[0] + 0.2 for a, b in zip(xs, xs[1:]))
        # two years on the axis: the first band begins at June 2021, 5/24 of the way
        x0, width = 190, 960 - 190 - 30
        assert abs(xs[0][0] - (x0 + width * 151 / 730)) < 1.5
        assert abs(xs[-1][1] - (x0 + width)) < 0.2  # the last one lasts until the end


def test_regional_levels_and_labels(world):
    root = svg(timeline(world, "UA", "--svg", "--until", "2023-01-01"))
    (de_first,) = [g for g in bands(root)
                   if g.get("data-source") == "de" and g.get("data-level") == "1"]
    assert de_first.get("data-regional-level") == "4"
    assert [r for r in de_first.iter(SVG + "rect") if "regional" in classes(r)]
    assert [t.text for t in de_first.iter(SVG + "text")] == ["1/4"]
    labelled = [g for g in bands(root) if g.find(SVG + "text") is not None]
    assert len(labelled) >= 6  # every band wide enough carries its level


def test_since_clips_to_the_periods_in_force(world):
    root = svg(timeline(world, "KZ", "--svg", "--since", "2022-03-01", "--until", "2022-12-31"))
    expected = history(world, "KZ", since="2022-03-01")
    assert [(g.get("data-source"), g.get("data-level")) for g in bands(root)] == \
        [(p["source"], str(p["level"])) for p in sorted(expected, key=lambda p: p["source"])]
    assert len(bands(root)) == 7


def test_legend_axis_and_title(world):
    root = svg(timeline(world, "KZ", "--svg", "--until", "2023-01-01"))
    assert root.find(SVG + "title").text == \
        "Kazakhstan (KZ): travel advice by government, 2021-06-01T00:00:00Z to 2023-01-01T00:00:00Z"
    legend = next(g for g in root.iter(SVG + "g") if "legend" in classes(g))
    texts = [t.text for t in legend.iter(SVG + "text")]
    assert texts[:4] == ["1: normal precautions", "2: increased caution", "3: reconsider travel",
                         "4: do not travel"]
    fills = [r.get("fill") for r in legend.iter(SVG + "rect")][:4]
    # greyscale: every level darker than the one below it, clearly
    lum = [luminance(f) for f in fills]
    assert all(a - b > 0.15 for a, b in zip(lum, lum[1:])), lum
    axis = next(g for g in root.iter(SVG + "g") if "axis" in classes(g))
    ticks = [t.text for t in axis.iter(SVG + "text")]
    assert 3 <= len(ticks) <= 10
    assert ticks == sorted(ticks) and all(re.fullmatch(r"\d{4}-\d\d", t) for t in ticks)
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


@pytest.mark.parametrize("since, until, pattern", [
    ("2020-01-01", "2030-01-01", r"\d{4}"),
    ("2022-01-01", "2022-02-01", r"\d{4}-\d\d-\d\d"),
])
def test_axis_scales(world, since, until, pattern):
    root = svg(timeline(world, "KZ", "--svg", "--since", since, "--until", until))
    axis = next(g for g in root.iter(SVG + "g") if "axis" in classes(g))
    ticks = [t.text for t in axis.iter(SVG + "text")]
    assert 2 <= len(ticks) <= 10 and all(re.fullmatch(pattern, t) for t in ticks), ticks


def test_golden(world):
    assert_golden("timeline-kz.svg",
                  timeline(world, "KZ", "--svg", "--since", "2021-01-01", "--until", "2023-01-01"))


def test_a_country_without_records(world):
    root = svg(timeline(world, "Tonga", "--svg", "--until", "2023-01-01"))
    assert bands(root) == [] and rows(root) == []
    assert any("No government's advice recorded" in (t.text or "") for t in root.iter(SVG + "text"))


def test_output_file(world, tmp_path):
    out = tmp_path / "kz.svg"
    r = run_ctl(world, "timeline", "KZ", "--svg", "--until", "2023-01-01", "--output", out)
    assert r.returncode == 0 and r.stdout == ""
    assert out.read_text() == timeline(world, "KZ", "--svg", "--until", "2023-01-01")


def test_local_time_labels(world):
    text = run_ctl(world, "--local", "timeline", "KZ", "--svg", "--until", "2023-01-01",
                   env={"TZ": "Asia/Almaty"}).stdout
    root = svg(text)
    assert {g.get("data-since") for g in bands(root)} >= {"2022-01-06T18:00:00+06:00"}


@pytest.mark.parametrize("args, message", [
    (["timeline", "KZ"], "give --svg"),
    (["--json", "timeline", "KZ", "--svg"], "give --svg"),
    (["timeline", "--svg"], "timeline takes one COUNTRY"),
    (["timeline", "atlantis", "--svg"], "unknown country"),
    (["timeline", "KZ", "--svg", "--since", "2023-01-01", "--until", "2022-01-01"],
     "must end after it begins"),
])
def test_usage_errors(world, args, message):
    r = run_ctl(world, *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and r.stdout == ""


def test_snapshot_times_are_the_band_edges(world):
    root = svg(timeline(world, "KZ", "--svg", "--until", "2023-01-01"))
    edges = {g.get("data-since") for g in bands(root)}
    assert edges == {CTL_SNAPSHOTS[s] for s in ("2021-06-01", "2022-01-06", "2022-06-01")}
