"""The bundled sample with an opt-out list and a review sample, run as a user runs it.

The opted-out account's clips point at audio that does not exist: read, they would be
dead-lettered by ``read_audio``; left out unread, they are in ``excluded/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pyarrow.dataset as ds
import pytest
from production_support import manifest_epochs, write_fixed_keyring
from voicescrub.transforms.privacy.pseudonyms import epoch_for, parse_recorded_at

from tests.conftest import REPO, SAMPLES, read_jsonl

OPTED_OUT = "acct-3129-7562"


@pytest.fixture(scope="module")
def manifest_with_unreadable_opt_out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("selection")
    rows = read_jsonl(os.path.join(SAMPLES, "manifest.jsonl"))
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            audio = os.path.join(SAMPLES, row["audio_uri"])
            if row["account_id"] == OPTED_OUT:
                audio = str(folder / "never-read" / os.path.basename(audio))
            handle.write(json.dumps({**row, "audio_uri": audio}) + "\n")
    (folder / "optout.txt").write_text(f"acct-0000-0000\n{OPTED_OUT}\n", encoding="utf-8")
    # Fixed keys: the draw is then the same on every test run, not only on a rerun.
    write_fixed_keyring(str(folder / "keyring"), manifest_epochs(str(folder / "manifest.jsonl")))
    return folder, rows


def run(folder, *flags):
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "run_local.py"), "--manifest",
         str(folder / "manifest.jsonl"), "--output", str(folder / "output"),
         "--keyring", str(folder / "keyring"), *flags],
        cwd=str(folder), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "run_local.py failed (see its stderr)"
    return proc.stdout


def outputs(folder):
    def ids(name, column=None, **kwargs):
        table = ds.dataset(str(folder / "output" / name), format="parquet", **kwargs).to_table()
        return [(r["utterance_id"], r[column]) if column else r["utterance_id"]
                for r in table.to_pylist()]
    return (ids("utterances", partitioning="hive"), ids("dead_letter", "stage"),
            ids("excluded", "reason"))


@pytest.fixture(scope="module")
def two_runs(manifest_with_unreadable_opt_out):
    folder, rows = manifest_with_unreadable_opt_out
    flags = ("--opt-out", str(folder / "optout.txt"), "--review-sample-rate", "0.5")
    first_stdout = run(folder, *flags)
    first = outputs(folder)
    second_stdout = run(folder, *flags)
    return rows, (first_stdout, first), (second_stdout, outputs(folder))


def test_every_line_is_in_exactly_one_output(two_runs):
    rows, (stdout, (written, dead, excluded)), _ = two_runs
    seen = written + [uid for uid, _ in dead] + [uid for uid, _ in excluded]
    assert sorted(seen) == sorted(row["utterance_id"] for row in rows)
    assert "every manifest line is accounted for" in stdout
    assert f"excluded (unread):    {len(excluded)}" in stdout


def test_no_clip_of_the_opted_out_account_is_read(two_runs):
    rows, (_, (written, dead, excluded)), _ = two_runs
    opted_out = {row["utterance_id"] for row in rows if row["account_id"] == OPTED_OUT}
    assert len(opted_out) >= 2
    assert {uid for uid, reason in excluded if reason == "opted_out"} == opted_out
    assert not opted_out & (set(written) | {uid for uid, _ in dead})


def test_half_the_others_are_drawn_and_a_rerun_draws_the_same(two_runs):
    rows, (_, first), (_, second) = two_runs
    not_sampled = [uid for uid, reason in first[2] if reason == "not_sampled"]
    others = sum(1 for row in rows if row["account_id"] != OPTED_OUT)
    assert 0 < len(not_sampled) < others
    assert [sorted(part) for part in first] == [sorted(part) for part in second]


def test_the_excluded_table_holds_no_identifier(manifest_with_unreadable_opt_out, two_runs):
    folder, rows = manifest_with_unreadable_opt_out
    table = ds.dataset(str(folder / "output" / "excluded"), format="parquet").to_table()
    assert table.column_names == ["utterance_id", "manifest", "line", "reason", "processed_at"]
    text = json.dumps(table.to_pylist(), default=str)
    assert sum(text.count(row[field]) for row in rows for field in ("account_id", "device_id")) == 0


def test_the_speaker_cap_keeps_at_most_n_clips_per_speaker_and_epoch(tmp_path):
    folder = tmp_path
    rows = read_jsonl(os.path.join(SAMPLES, "manifest.jsonl"))
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({**row, "audio_uri": os.path.join(SAMPLES, row["audio_uri"])})
                         + "\n")
    stdout = run(folder, "--max-clips-per-speaker-epoch", "1")
    written, dead, excluded = outputs(folder)
    groups = Counter((row["account_id"], epoch_for(parse_recorded_at(row["recorded_at"])))
                     for row in rows)
    capped = sum(n - 1 for n in groups.values())
    assert capped > 0
    assert Counter(reason for _, reason in excluded) == {"speaker_cap": capped}
    assert len(written) + len(dead) == len(groups)
    assert "speaker_cap:" in stdout
