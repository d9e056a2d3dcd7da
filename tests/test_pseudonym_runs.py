"""Pseudonyms across whole runs: stable with the same keyring, fresh after a shred.

Two short sample clips of one account in two ISO weeks, scrubbed three times
into separate outputs with one keyring.
"""

from __future__ import annotations

import json
import os

import pyarrow.dataset as ds
import pytest
from voicescrub.pipeline.keys import main as keys_main
from voicescrub.pipeline.run import run

from tests.conftest import SAMPLES

ACCOUNT = "acct-pseudo-77120934"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    root = tmp_path_factory.mktemp("pseudo")
    lines = [
        {"utterance_id": "w45", "recorded_at": "2026-11-04T07:48:13Z", "audio_uri": "s13.ogg"},
        {"utterance_id": "w46", "recorded_at": "2026-11-11T04:07:38Z", "audio_uri": "s10.wav"},
    ]
    path = root / "manifest.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for line in lines:
            line.update(account_id=ACCOUNT, device_id="dev-pseudo-99", locale="en-US",
                        audio_uri=os.path.join(SAMPLES, "audio", line["audio_uri"]))
            handle.write(json.dumps(line) + "\n")
    return root, str(path)


def scrub(root, manifest, name, keyring):
    output = root / name
    summary = run(["--manifest", manifest, "--output", str(output), "--keyring", keyring,
                   "--asr-beam-size", "1"])
    assert summary.written == 2
    table = ds.dataset(str(output / "utterances"), format="parquet", partitioning="hive").to_table()
    return {r["utterance_id"]: (r["pseudonym_epoch"], r["speaker_pseudonym"]) for r in table.to_pylist()}


def test_same_keyring_same_pseudonyms_and_a_shred_makes_them_unrecoverable(manifest, tmp_path):
    root, path = manifest
    keyring = str(tmp_path / "keys")
    first = scrub(root, path, "first", keyring)
    second = scrub(root, path, "second", keyring)
    assert first == second
    assert first["w45"][0] == "2026-W45" and first["w46"][0] == "2026-W46"
    assert first["w45"][1] != first["w46"][1], "one account must not be linkable across epochs"

    assert keys_main(["--keyring", keyring, "shred", "2026-W45"]) == 0
    third = scrub(root, path, "third", keyring)
    assert third["w46"] == first["w46"]
    assert third["w45"][1] != first["w45"][1], "a shredded epoch's pseudonym came back"


def test_without_key_creation_a_missing_epoch_is_dead_lettered(manifest, tmp_path):
    root, path = manifest
    keyring = str(tmp_path / "keys")
    assert keys_main(["--keyring", keyring, "create", "2026-W46"]) == 0
    output = tmp_path / "out"
    summary = run(["--manifest", path, "--output", str(output), "--keyring", keyring,
                   "--no-create-keys", "--asr-beam-size", "1"])
    assert (summary.written, summary.dead_lettered) == (1, 1)
    assert summary.dead_lettered_by_stage == {"pseudonymise": 1}
    assert sorted(os.listdir(keyring)) == ["2026-W46.key"]
