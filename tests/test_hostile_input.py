"""Hostile input next to valid lines: no line can stop the job, hang it or duplicate a row.

One run over two manifests (a glob) holding valid lines and hostile ones: times whose
epoch cannot be named, a FIFO as audio, account IDs that are not UTF-8, an
utterance_id repeated within and across the manifests, a ``file://`` URI. Every
valid line is written once, every hostile one dead-lettered with its own reason,
and a rerun with the glob spelled differently leaves the row count unchanged.
"""

from __future__ import annotations

import json
import os

import pytest
from production_support import SAMPLES, job_args, read_table_rows
from voicescrub.pipeline.run import run
from voicescrub.transforms.stages.read_manifest import first_and_duplicates


def sample_line(uid: str, source: str = "", **changes) -> dict:
    """Sample line ``source`` (``uid`` itself by default) under the ID ``uid``."""
    with open(os.path.join(SAMPLES, "manifest.jsonl"), encoding="utf-8") as handle:
        entry = next(e for e in map(json.loads, handle) if e["utterance_id"] == (source or uid))
    entry["audio_uri"] = os.path.join(SAMPLES, entry["audio_uri"])
    entry.update(changes, utterance_id=uid)
    return entry


def as_bytes(entry: dict) -> bytes:
    return json.dumps(entry).encode("utf-8") + b"\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    fifo = folder / "fifo.wav"
    os.mkfifo(fifo)
    first = [
        as_bytes(sample_line("s03")),                                       # valid
        as_bytes(sample_line("s03")),                                       # same id again
        as_bytes(sample_line("y1", "s03", recorded_at="9999-12-31T00:00:00Z")),
        as_bytes(sample_line("y2", "s03", recorded_at="9999-12-31T23:30:00-05:00")),
        as_bytes(sample_line("fifo", "s03", audio_uri=str(fifo))),
        as_bytes(sample_line("nonutf8a", "s03", account_id="ACCOUNT_A")).replace(b"ACCOUNT_A", b"acct-\xff\xfe"),
        as_bytes(sample_line("nonutf8b", "s03", account_id="ACCOUNT_B")).replace(b"ACCOUNT_B", b"acct-\xfa\xfb"),
    ]
    second = [
        as_bytes(sample_line("s03")),                                       # same id, other manifest
        as_bytes(sample_line("s13", audio_uri="file://" + os.path.join(SAMPLES, "audio", "s13.ogg"))),
    ]
    inputs = folder / "in"
    inputs.mkdir()
    (inputs / "a.jsonl").write_bytes(b"".join(first))
    (inputs / "b.jsonl").write_bytes(b"".join(second))
    output, keyring = folder / "out", folder / "keyring"
    summary = run(job_args(str(inputs / "*.jsonl"), str(output), str(keyring)))
    rows = read_table_rows(str(output / "utterances"))
    dead = read_table_rows(str(output / "dead_letter"))
    here = os.getcwd()
    os.chdir(folder)  # the same manifests, spelled relative to another folder
    try:
        rerun = run(job_args("./in/../in/*.jsonl", str(output), str(keyring)))
    finally:
        os.chdir(here)
    return {"summary": summary, "rows": rows, "dead": dead, "rerun": rerun,
            "rows_after_rerun": read_table_rows(str(output / "utterances"))}


def test_every_valid_line_is_written_once(hostile):
    assert sorted(r["utterance_id"] for r in hostile["rows"]) == ["s03", "s13"]
    assert hostile["summary"].all_accounted_for
    assert hostile["summary"].lines_read == 9


def test_each_hostile_line_is_dead_lettered_with_its_own_reason(hostile):
    reasons = sorted((d["utterance_id"] or "", d["stage"], d["error_type"]) for d in hostile["dead"])
    assert reasons == sorted([
        ("s03", "manifest", "DuplicateUtterance"),
        ("s03", "manifest", "DuplicateUtterance"),
        ("y1", "manifest", "ManifestError"),
        ("y2", "manifest", "ManifestError"),
        ("fifo", "read_audio", "AudioReadError"),
        ("", "manifest", "ManifestError"),   # not UTF-8: not even its ID is trusted
        ("", "manifest", "ManifestError"),
    ])
    duplicates = sorted((os.path.basename(d["manifest"]), d["line"]) for d in hostile["dead"]
                        if d["error_type"] == "DuplicateUtterance")
    assert duplicates == [("a.jsonl", 2), ("b.jsonl", 1)]  # the first line is the one written


def test_a_rerun_with_another_spelling_replaces_its_rows(hostile):
    assert hostile["rerun"].all_accounted_for
    assert len(hostile["rows_after_rerun"]) == len(hostile["rows"]) == 2


def test_the_first_line_of_an_id_wins_whatever_the_order(hostile):
    from voicescrub.schemas.records import Clip, ManifestEntry

    def clip(manifest: str, line: int) -> Clip:
        return Clip(entry=ManifestEntry(utterance_id="u", account_id="a", device_id="d",
                                        recorded_at_us=0, audio_uri="/x", locale="en-US",
                                        manifest=manifest, line=line))

    clips = [clip("/b.jsonl", 1), clip("/a.jsonl", 9), clip("/a.jsonl", 2)]
    for order in (clips, clips[::-1]):
        first, rest = first_and_duplicates(order)
        assert (first.entry.manifest, first.entry.line) == ("/a.jsonl", 2)
        assert len(rest) == 2
