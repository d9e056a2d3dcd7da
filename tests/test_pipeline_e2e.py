"""The whole job on the bundled sample, as a user runs it: ``python run_local.py``.

Runs once per module (a subprocess, so the CLI, the summary on stdout and the
logs are what a user sees) and checks the pipeline's promises: PII gone from the
text, audio bleeped inside the PII spans and untouched outside, bad files in
the dead letter with the right stage, no raw ID anywhere, nothing lost.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from voicescrub.transforms.audio.codec import decode_exact_pcm16, decode_to_pcm16
from voicescrub.transforms.io.manifest import resolve_audio_uri
from voicescrub.transforms.language.packs import ENGLISH
from voicescrub.transforms.pii.spoken_normaliser import normalise

from tests.conftest import REPO, SAMPLE_MANIFEST

NUMERIC_ENTITIES = {"CREDIT_CARD", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "IBAN_CODE", "US_SSN",
                    "PHONE_NUMBER", "UK_SORT_CODE", "UK_BANK_ACCOUNT", "CARD_LAST4", "CARD_CVV",
                    "PIN"}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    output, keyring = out / "output", out / "keyring"
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "run_local.py"), "--output", str(output),
         "--keyring", str(keyring)],
        cwd=str(out), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "run_local.py failed (see its stderr in the captured output)"
    utterances = ds.dataset(str(output / "utterances"), format="parquet",
                            partitioning="hive").to_table()
    dead = ds.dataset(str(output / "dead_letter"), format="parquet").to_table()
    return {"output": output, "keyring": keyring, "stdout": proc.stdout, "stderr": proc.stderr,
            "rows": {r["utterance_id"]: r for r in utterances.to_pylist()},
            "dead": {r["utterance_id"]: r for r in dead.to_pylist()},
            "table": utterances}


def readable_digits(text: str) -> str:
    """Every digit a reader can recover from ``text``, spoken or written, in order."""
    return "".join(re.findall(r"\d", normalise(text, ENGLISH.spoken_forms).text))


def test_every_line_is_accounted_for(sample_run, sample_manifest):
    assert len(sample_run["rows"]) + len(sample_run["dead"]) == len(sample_manifest)
    assert not set(sample_run["rows"]) & set(sample_run["dead"])
    assert "every manifest line is accounted for" in sample_run["stdout"]
    assert f"lines read:           {len(sample_manifest)}" in sample_run["stdout"]


def test_corrupt_and_missing_files_are_dead_lettered_at_the_right_stage(sample_run, sample_labels):
    expected_stage = {"decode_error": "decode", "missing_file": "read_audio"}
    bad = {uid: expected_stage[label["expect"]] for uid, label in sample_labels.items()
           if label.get("expect") in expected_stage}
    assert len(bad) == 2
    for uid, stage in bad.items():
        row = sample_run["dead"].get(uid)
        assert row is not None, "a bad sample was not dead-lettered"
        assert row["stage"] == stage
        assert row["error_type"] in {"AudioDecodeError", "AudioReadError"}
        assert row["manifest"].endswith("manifest.jsonl") and row["line"] >= 1


def test_spoken_numbers_are_not_readable_in_the_redacted_transcripts(sample_run, sample_labels):
    leaked = 0
    checked = 0
    for uid, row in sample_run["rows"].items():
        digits = readable_digits(row["transcript_redacted"])
        for pii in sample_labels[uid]["pii"]:
            if pii["entity_type"] in NUMERIC_ENTITIES:
                checked += 1
                leaked += pii["value"] in digits
    assert checked >= 10
    assert leaked == 0, f"{leaked} of {checked} spoken numbers are readable in the redacted text"


def test_full_names_are_not_readable(sample_run, sample_labels):
    leaked = sum(
        pii["value"].lower() in row["transcript_redacted"].lower()
        for uid, row in sample_run["rows"].items()
        for pii in sample_labels[uid]["pii"] if pii["entity_type"] == "PERSON")
    assert leaked == 0


def test_audio_is_redacted_inside_pii_spans_and_bit_identical_outside(sample_run, sample_manifest):
    by_id = {line["utterance_id"]: line for line in sample_manifest}
    clips_with_entities = 0
    for uid, row in sample_run["rows"].items():
        with open(resolve_audio_uri(by_id[uid]["audio_uri"], SAMPLE_MANIFEST), "rb") as handle:
            original = decode_to_pcm16(handle.read(), max_duration_s=600)
        redacted = decode_exact_pcm16(row["audio_redacted"])
        assert len(redacted) == len(original), "duration changed"
        assert row["duration_s"] == pytest.approx(len(original) / 16000)
        assert row["audio_format"] == "flac" and row["sample_rate"] == 16000
        outside = np.ones(len(original), dtype=bool)
        for entity in row["pii_entities"]:
            start = int(np.floor(entity["audio_start_s"] * 16000))
            end = int(np.ceil(entity["audio_end_s"] * 16000))
            assert end > start
            assert not np.array_equal(redacted[start:end], original[start:end])
            outside[start:end] = False
        assert np.array_equal(redacted[outside], original[outside]), "audio changed outside PII spans"
        if row["pii_entities"]:
            clips_with_entities += 1
        else:
            assert np.array_equal(redacted, original)
    assert clips_with_entities >= 8


def test_placeholders_sit_where_pii_entities_say(sample_run):
    for row in sample_run["rows"].values():
        for entity in row["pii_entities"]:
            if entity["entity_type"] == "AUDIT_RESIDUE":  # audio-only widening: no placeholder
                assert entity["char_start"] == entity["char_end"] == 0
                continue
            placeholder = row["transcript_redacted"][entity["char_start"]:entity["char_end"]]
            assert placeholder == f"[{entity['entity_type']}]"


def test_critical_flag_follows_banking_entities(sample_run):
    critical = {"CREDIT_CARD", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "IBAN_CODE", "US_SSN",
                "UK_SORT_CODE", "UK_BANK_ACCOUNT", "CARD_CVV", "PIN", "DIGIT_SEQUENCE",
                "AUDIT_RESIDUE"}
    for row in sample_run["rows"].values():
        types = {e["entity_type"] for e in row["pii_entities"]}
        if types & critical:
            assert row["contains_critical_pii"]
        if not types:
            assert not row["contains_critical_pii"]


def test_no_raw_identifier_in_any_output_file_or_log(sample_run, sample_manifest):
    raw_ids = {line[field] for line in sample_manifest for field in ("account_id", "device_id")}
    assert len(raw_ids) >= 4
    found = 0
    for folder, _, files in os.walk(sample_run["output"]):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                blob = handle.read()
            found += sum(raw.encode() in blob for raw in raw_ids)
            if name.endswith(".parquet"):
                table = pq.read_table(path)
                text_columns = [c for c in table.column_names if c != "audio_redacted"]
                values = repr(table.select(text_columns).to_pylist())
                found += sum(raw in values for raw in raw_ids)
    logs = sample_run["stdout"] + sample_run["stderr"]
    found += sum(raw in logs for raw in raw_ids)
    assert found == 0, "a raw account or device ID reached the output or the logs"
    assert "account_id" not in sample_run["table"].column_names
    assert "device_id" not in sample_run["table"].column_names


def test_no_key_material_in_any_output_file_or_log(sample_run):
    import base64

    from voicescrub.transforms.privacy.keyring import open_keyring

    keyring = open_keyring(str(sample_run["keyring"]))
    epochs = keyring.epochs()
    assert len(epochs) >= 2
    forms = []
    for epoch in epochs:
        key = keyring.get(epoch)
        forms += [key, key.hex().encode(), base64.b64encode(key), base64.b32encode(key).lower()]
    logs = (sample_run["stdout"] + sample_run["stderr"]).encode()
    found = sum(form in logs for form in forms)
    for folder, _, files in os.walk(sample_run["output"]):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                blob = handle.read()
            found += sum(form in blob for form in forms)
    assert found == 0, "key material reached the output or the logs"


def test_no_transcript_or_pii_value_in_the_logs(sample_run, sample_labels):
    logs = sample_run["stdout"] + sample_run["stderr"]
    values = [p["value"] for label in sample_labels.values() for p in label["pii"]]
    assert sum(v in logs for v in values) == 0
    redacted = [r["transcript_redacted"] for r in sample_run["rows"].values()
                if len(r["transcript_redacted"]) > 20]
    assert sum(t in logs for t in redacted) == 0


def test_pseudonyms_are_stable_within_an_epoch_and_differ_across(sample_run, sample_manifest):
    account_of = {line["utterance_id"]: line["account_id"] for line in sample_manifest}
    seen = {}
    for uid, row in sample_run["rows"].items():
        key = (account_of[uid], row["pseudonym_epoch"])
        seen.setdefault(key, set()).add(row["speaker_pseudonym"])
    assert all(len(p) == 1 for p in seen.values()), "one account got two pseudonyms in one epoch"
    by_account = {}
    for (account, epoch), pseudonyms in seen.items():
        by_account.setdefault(account, set()).update(pseudonyms)
    multi_epoch = [a for a, p in by_account.items()
                   if len({e for (acc, e) in seen if acc == a}) > 1]
    assert multi_epoch, "the sample should have an account in several epochs"
    for account in multi_epoch:
        epochs = {e for (acc, e) in seen if acc == account}
        assert len(by_account[account]) == len(epochs)


def test_recorded_at_is_coarsened_to_the_hour(sample_run):
    for row in sample_run["rows"].values():
        moment = row["recorded_at"]
        assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)
        assert moment.utcoffset().total_seconds() == 0


def test_schema_matches_the_declared_one(sample_run):
    from voicescrub.schemas.arrow import UTTERANCE_SCHEMA

    table = sample_run["table"]
    for field in UTTERANCE_SCHEMA:
        assert table.schema.field(field.name).type == field.type


def test_every_written_clip_passed_the_relisten_audit(sample_run, pii_detector):
    from voicescrub.transforms.audit.policy import asks_for_value

    relistened = 0
    for row in sample_run["rows"].values():
        assert row["audit_passed"] is True
        if row["pii_entities"]:
            assert row["audit_rounds"] >= 1
            relistened += 1
        else:
            # Nothing redacted: heard twice more (packed, then alone) when the transcript still
            # asks for a value, once (packed) when the ASR doubted a word (not in the row), else never.
            assert row["audit_rounds"] in (0, 1, 2)
            if asks_for_value(pii_detector.config.second_listen, row["transcript_redacted"],
                              pii_detector.has_banking_context):
                assert row["audit_rounds"] == 2
    assert relistened >= 8


def test_no_garbled_transcript_is_released(sample_run):
    """A decoding loop inside a word ("m dot mendez" heard as a word repeating "min")
    hides the value from detection: such a clip is decoded again and, if it still
    loops, dead-lettered, never released with the value audible."""
    from voicescrub.schemas.records import TimedWord, Transcript
    from voicescrub.transforms.asr.whisper import garbled

    for row in sample_run["rows"].values():
        words = tuple(TimedWord(w, 0, 0, 0.0, 0.0) for w in row["transcript_redacted"].split())
        assert not garbled(Transcript(text=row["transcript_redacted"], words=words))
    if "s09" in sample_run["rows"]:  # the dictated e-mail: released only if found
        assert "EMAIL_ADDRESS" in {e["entity_type"] for e in sample_run["rows"]["s09"]["pii_entities"]}
    else:
        assert sample_run["dead"]["s09"]["error_type"] in ("AsrError", "Unintelligible")
