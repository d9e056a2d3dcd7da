"""Tests for pipeline/report.py and pipeline/report_page.py: the HTML report of an output folder.

One real output folder per module (``run_local.py`` on the bundled sample), then the
report CLI on it, as a user runs it. The page is parsed, never printed: assertion
messages hold counts and types, no transcript and no ID.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import pyarrow.dataset as ds
import pytest
from production_support import manifest_epochs, write_fixed_keyring
from voicescrub.pipeline.report import AUDIT_RESIDUE, Entity, audit_outcome, main
from voicescrub.pipeline.report_page import span_box, waveform_svg

from tests.conftest import REPO, SAMPLE_MANIFEST, read_jsonl

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
#: The sample's account whose clips the report's run leaves out (--opt-out).
OPTED_OUT = "acct-3129-7562"


# --- a small DOM ------------------------------------------------------------------------

def attr_name(keyword: str) -> str:
    """``class_`` -> ``class``, ``data_stat`` -> ``data-stat``."""
    return keyword.rstrip("_").replace("_", "-")


class Node:
    def __init__(self, tag: str, attrs: Dict[str, Optional[str]], parent: Optional["Node"]):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: List["Node"] = []
        self.texts: List[str] = []

    def text(self) -> str:
        return "".join(self.texts) + "".join(child.text() for child in self.children)

    def find_all(self, tag: Optional[str] = None, **attrs: str) -> List["Node"]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(
                    attr_name(name) in child.attrs and
                    (value is True or child.attrs[attr_name(name)] == value)
                    for name, value in attrs.items()):
                found.append(child)
            found += child.find_all(tag, **attrs)
        return found

    def with_class(self, name: str) -> List["Node"]:
        return [n for n in self.find_all() if name in (n.attrs.get("class") or "").split()]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID_TAGS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.texts.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    return builder.root


# --- fixtures ---------------------------------------------------------------------------

def read_utterances(output: Path) -> Dict[str, dict]:
    table = ds.dataset(str(output / "utterances"), format="parquet", partitioning="hive").to_table(
        columns=["utterance_id", "pseudonym_epoch", "duration_s", "pii_entities",
                 "contains_critical_pii", "audit_passed"])
    return {row["utterance_id"]: row for row in table.to_pylist()}


def read_table(folder: Path) -> List[dict]:
    if not folder.exists():
        return []
    return ds.dataset(str(folder), format="parquet").to_table().to_pylist()


def add_temp_files(output: Path) -> None:
    """Copies of real files under the names a running or killed run leaves: never counted."""
    for folder in [*sorted((output / "utterances").iterdir()), output / "dead_letter"]:
        part = sorted(folder.glob("part-*.parquet"))[0]
        shutil.copy(part, folder / f"_tmp-0123-{part.name}.tmp")
        shutil.copy(part, folder / f".{part.name}")
        shutil.copy(part, folder / f"{part.name}.tmp")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The sample run with one account opted out and half the rest sampled; a copy with a
    running run's temp files beside, and a copy without ``excluded/``; the rows read
    straight from Parquet."""
    base = tmp_path_factory.mktemp("report")
    output, keyring = base / "output", base / "keyring"
    write_fixed_keyring(str(keyring), manifest_epochs(SAMPLE_MANIFEST))
    (base / "optout.txt").write_text(OPTED_OUT + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "run_local.py"), "--output", str(output),
         "--keyring", str(keyring), "--opt-out", str(base / "optout.txt"),
         "--review-sample-rate", "0.5"],
        cwd=str(base), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "run_local.py failed (see its stderr in the captured output)"

    busy = base / "busy"  # a running run's temp files beside the published ones
    shutil.copytree(output, busy)
    add_temp_files(busy)

    legacy = base / "legacy"  # as written before excluded/ existed
    shutil.copytree(output, legacy)
    shutil.rmtree(legacy / "excluded", ignore_errors=True)

    html = base / "report.html"
    here = os.getcwd()
    os.chdir(base)  # the page names the output as given: "busy", as a user would type it
    try:
        assert main(["--output", "busy", "--html", str(html)]) == 0
    finally:
        os.chdir(here)
    return {"base": base, "output": output, "busy": busy, "legacy": legacy, "html": html,
            "page": html.read_text(encoding="utf-8"), "rows": read_utterances(output),
            "dead": read_table(output / "dead_letter"),
            "excluded": read_table(busy / "excluded")}


def report(run, name: str, *flags: str) -> str:
    html = run["base"] / f"{name}.html"
    assert main(["--output", str(run["busy"]), "--html", str(html), *flags]) == 0
    return html.read_text(encoding="utf-8")


def cards(page: str) -> List[Node]:
    return parse(page).find_all("article", class_="clip")


def stats(root: Node) -> Dict[str, str]:
    return {n.attrs["data-stat"]: n.attrs["data-value"] for n in root.find_all(data_stat=True)}


def bars(root: Node, chart_id: str) -> Dict[str, int]:
    chart = root.find_all(id=chart_id)[0]
    return {g.attrs["data-key"]: int(g.attrs["data-value"]) for g in chart.with_class("bar")}


def non_residue(row: dict) -> List[dict]:
    return [e for e in row["pii_entities"] if e["entity_type"] != AUDIT_RESIDUE]


def outcome_of(row: dict) -> str:
    return audit_outcome(row["audit_passed"], [e["entity_type"] for e in row["pii_entities"]])


# --- the page ---------------------------------------------------------------------------

def test_one_card_player_and_waveform_per_clip_in_order(run):
    shown = cards(run["page"])
    assert len(shown) == len(run["rows"]) > 0
    expected = sorted(run["rows"].values(), key=lambda r: (r["pseudonym_epoch"], r["utterance_id"]))
    assert [c.attrs["data-utterance"] for c in shown] == [r["utterance_id"] for r in expected]
    for card in shown:
        row = run["rows"][card.attrs["data-utterance"]]
        assert len(card.find_all("audio")) == 1
        assert len(card.find_all("svg", class_="waveform")) == 1
        audio = card.find_all("audio")[0]
        assert audio.attrs["src"].startswith("data:audio/flac;base64,")
        assert audio.attrs["preload"] == "metadata" and "controls" in audio.attrs
        assert card.attrs["data-critical"] == ("true" if row["contains_critical_pii"] else "false")
        assert card.attrs["data-audit"] == outcome_of(row)
        assert set(card.attrs["data-entities"].split()) == {
            e["entity_type"] for e in row["pii_entities"]}
        epoch = [n for n in card.find_all("dd") if n.text() == row["pseudonym_epoch"]]
        assert epoch, "the card does not show its partition's epoch"
    page = parse(run["page"])
    assert len(page.find_all("audio")) == len(page.find_all("svg", class_="waveform")) == len(shown)


def test_every_placeholder_is_a_chip_of_its_entity_and_every_span_is_shaded(run):
    for card in cards(run["page"]):
        row = run["rows"][card.attrs["data-utterance"]]
        chips = card.with_class("chip")
        assert len(chips) == len(non_residue(row))
        for chip in chips:
            assert chip.text() == f"[{chip.attrs['data-entity']}]"
        assert Counter(c.attrs["data-entity"] for c in chips) == Counter(
            e["entity_type"] for e in non_residue(row))
        spans = card.find_all("svg", class_="waveform")[0].with_class("span")
        assert Counter(s.attrs["data-entity"] for s in spans) == Counter(
            e["entity_type"] for e in row["pii_entities"])
        assert all(s.find_all("text")[0].text() == s.attrs["data-entity"] for s in spans)


def test_the_page_is_self_contained(run):
    root = parse(run["page"])
    assert "http://" not in run["page"] and "https://" not in run["page"]
    links = [n.attrs.get(name) or "" for n in root.find_all() for name in ("src", "href")]
    assert not [link for link in links if link.startswith(("http:", "https:", "//"))]
    assert not root.find_all("link") and not root.find_all("iframe") and not root.find_all("img")
    scripts = root.find_all("script")
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    assert len(root.find_all("style")) == 1


def test_no_raw_account_or_device_id_appears(run):
    raw_ids = {line[key] for line in read_jsonl(SAMPLE_MANIFEST)
               for key in ("account_id", "device_id") if line.get(key)}
    assert raw_ids
    leaked = sum(raw_id in run["page"] for raw_id in raw_ids)
    assert leaked == 0, f"{leaked} raw ID(s) in the page"


def test_overview_counts_equal_the_parquet(run):
    rows, dead, excluded = run["rows"].values(), run["dead"], run["excluded"]
    root = parse(run["page"])
    numbers = stats(root)
    assert int(numbers["written"]) == len(rows)
    assert int(numbers["dead_lettered"]) == len(dead) > 0
    assert int(numbers["excluded"]) == len(excluded) > 0
    assert {x["reason"] for x in excluded} == {"opted_out", "not_sampled"}
    assert int(numbers["lines_in"]) == len(rows) + len(dead) + len(excluded)
    assert int(numbers["critical_clips"]) == sum(r["contains_critical_pii"] for r in rows)
    assert float(numbers["audio_seconds"]) == pytest.approx(sum(r["duration_s"] for r in rows),
                                                            abs=1e-3)
    entities = Counter(e["entity_type"] for r in rows for e in r["pii_entities"])
    assert int(numbers["entities"]) == sum(entities.values())
    assert bars(root, "chart-entities") == dict(entities)
    assert bars(root, "chart-dead-letters") == dict(Counter(d["stage"] for d in dead))
    reasons = Counter(x["reason"] for x in excluded)
    assert {k: v for k, v in bars(root, "chart-excluded").items() if v} == dict(reasons)
    outcomes = Counter(outcome_of(r) for r in rows)
    assert {k: v for k, v in bars(root, "chart-audit").items() if v} == dict(outcomes)
    by_reason = root.find_all("table", id="dead-letters-by-reason")[0].find_all("tr")[1:]
    assert Counter({(r.find_all("td")[0].text(), r.find_all("td")[1].text()):
                    int(r.find_all("td")[2].text()) for r in by_reason}) == Counter(
        (d["stage"], d["error_type"]) for d in dead)


def test_dead_letter_and_excluded_tables_hold_every_row(run):
    root = parse(run["page"])
    dead_rows = root.find_all("table", id="dead-letters")[0].with_class("dead-letter")
    assert len(dead_rows) == len(run["dead"])
    assert Counter(r.find_all("td")[0].text() for r in dead_rows) == Counter(
        d["stage"] for d in run["dead"])
    excluded_rows = root.find_all("table", id="excluded")[0].with_class("excluded-line")
    assert len(excluded_rows) == len(run["excluded"])
    assert Counter(r.find_all("td")[1].text() for r in excluded_rows) == Counter(
        x["reason"] for x in run["excluded"])


def test_limit_shows_that_many_and_says_of_how_many(run):
    page = report(run, "limit", "--limit", "2")
    assert len(cards(page)) == 2
    shown = parse(page).find_all(id="clips-shown")[0]
    assert shown.text().startswith(f"2 of {len(run['rows'])} clips shown")


def test_critical_filter_shows_only_critical_clips(run):
    shown = cards(report(run, "critical", "--critical"))
    assert len(shown) == sum(r["contains_critical_pii"] for r in run["rows"].values()) > 0
    assert all(run["rows"][c.attrs["data-utterance"]]["contains_critical_pii"] for c in shown)


def test_entity_filter_shows_only_clips_with_that_entity(run):
    counts = Counter(e["entity_type"] for r in run["rows"].values() for e in non_residue(r))
    entity = counts.most_common(1)[0][0]
    shown = cards(report(run, "entity", "--entity", entity))
    having = [r for r in run["rows"].values()
              if entity in {e["entity_type"] for e in r["pii_entities"]}]
    assert len(shown) == len(having) > 0
    assert all(entity in c.attrs["data-entities"].split() for c in shown)


def test_audit_filter_shows_only_that_outcome(run):
    for outcome in ("clean", "widened", "not_audited"):
        shown = cards(report(run, f"audit-{outcome}", "--audit", outcome))
        assert len(shown) == sum(outcome_of(r) == outcome for r in run["rows"].values())
        assert all(c.attrs["data-audit"] == outcome for c in shown)


def test_module_cli_on_an_output_without_excluded_prints_one_line(run):
    html = run["base"] / "legacy.html"
    proc = subprocess.run(
        [sys.executable, "-m", "voicescrub.pipeline.report", "--output", str(run["legacy"]),
         "--html", str(html)],
        cwd=str(run["base"]), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 1
    assert str(html) in proc.stdout and f"of {len(run['rows'])}" in proc.stdout
    transcripts = ds.dataset(str(run["output"] / "utterances"), format="parquet").to_table(
        columns=["transcript_redacted"]).column("transcript_redacted").to_pylist()
    printed = sum(t in proc.stdout + proc.stderr for t in transcripts if t)
    assert printed == 0, f"{printed} transcript(s) printed"
    numbers = stats(parse(html.read_text(encoding="utf-8")))
    assert int(numbers["excluded"]) == 0
    assert int(numbers["lines_in"]) == len(run["rows"]) + len(run["dead"])
    assert len(cards(html.read_text(encoding="utf-8"))) == len(run["rows"])


def test_missing_output_folder_exits_2_with_one_line(run, tmp_path, capsys):
    status = main(["--output", str(tmp_path / "nothing"), "--html", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "error" in err
    assert not (tmp_path / "r.html").exists()
    proc = subprocess.run(
        [sys.executable, "-m", "voicescrub.pipeline.report", "--output",
         str(tmp_path / "nothing"), "--html", str(tmp_path / "r.html")],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if "voicescrub-report" in line]


@pytest.mark.parametrize("flags", [["--limit", "0"], ["--limit", "x"], ["--audit", "maybe"], []])
def test_bad_flags_exit_2(tmp_path, flags):
    argv = flags if not flags else ["--output", str(tmp_path), "--html", str(tmp_path / "r"), *flags]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


# --- the waveform -----------------------------------------------------------------------

def test_waveform_shades_a_span_at_its_seconds_over_a_synthetic_signal():
    rate, seconds = 8000, 10.0
    pcm = np.zeros(int(rate * seconds), dtype=np.int16)
    pcm[2 * rate:3 * rate] = (np.sin(np.arange(rate) / 3.0) * 30000).astype(np.int16)
    spans = [Entity("CREDIT_CARD", 0, 13, 2.5, 5.0, 0.9, "r"),
             Entity(AUDIT_RESIDUE, 0, 0, 7.0, 12.0, 0.8, "audit:r")]
    root = parse(waveform_svg(pcm, rate, spans, duration_s=99.0, width=600))
    shaded = {g.attrs["data-entity"]: g.find_all("rect")[0] for g in root.with_class("span")}
    assert float(shaded["CREDIT_CARD"].attrs["x"]) == pytest.approx(150, abs=0.1)
    assert float(shaded["CREDIT_CARD"].attrs["width"]) == pytest.approx(150, abs=0.1)
    assert float(shaded[AUDIT_RESIDUE].attrs["x"]) == pytest.approx(420, abs=0.1)
    assert float(shaded[AUDIT_RESIDUE].attrs["width"]) == pytest.approx(180, abs=0.1)  # clamped
    labels = [g.find_all("text")[0].text() for g in root.with_class("span")]
    assert labels == ["CREDIT_CARD", AUDIT_RESIDUE]
    # The envelope is loud exactly over 2..3 s (x 120..180) and flat elsewhere.
    points = root.find_all("path", class_="wave")[0].attrs["d"].strip("MZ ").split(" L")
    upper = [tuple(map(float, p.split(","))) for p in points[:600]]
    top = min(y for _, y in upper)
    loud = [x for x, y in upper if y < top + 5]
    assert 120 <= min(loud) and max(loud) <= 180
    assert span_box(1.0, 2.0, 4.0, 600) == (150.0, 150.0)


def test_waveform_without_audio_still_draws_the_spans():
    root = parse(waveform_svg(None, 16000, [Entity("PIN", 0, 5, 1.0, 2.0, 0.9, "r")], 4.0))
    assert float(root.with_class("span")[0].find_all("rect")[0].attrs["x"]) == pytest.approx(150)
    assert not root.find_all("path", class_="wave")


# --- in a real browser ------------------------------------------------------------------

def chromium() -> Optional[str]:
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def test_chromium_decodes_every_player_and_renders_the_page(run, tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium binary (chromium, chromium-browser, google-chrome) on PATH")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000"]
    url = run["html"].resolve().as_uri()
    proc = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0
    shown = parse(proc.stdout).find_all("article", class_="clip")
    assert len(shown) == len(run["rows"])
    for card in shown:
        row = run["rows"][card.attrs["data-utterance"]]
        players = card.find_all("audio")
        assert len(players) == 1 and "data-duration" in players[0].attrs, "not decoded"
        assert float(players[0].attrs["data-duration"]) == pytest.approx(row["duration_s"],
                                                                         abs=0.05)
        assert len(card.find_all("svg", class_="waveform")) == 1
        assert len(card.with_class("chip")) == len(non_residue(row))

    png = tmp_path / "report.png"
    proc = subprocess.run([*flags, f"--screenshot={png}", "--window-size=1280,1600", url],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and png.exists()
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    if os.environ.get("VOICESCRUB_UPDATE_SCREENSHOT") == "1":
        os.makedirs(os.path.join(REPO, "docs"), exist_ok=True)
        shutil.copy(png, os.path.join(REPO, "docs", "report.png"))

