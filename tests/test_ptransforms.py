"""Each stage's PTransform on a TestPipeline: its main output and its dead letters.

Real models, real audio (the bundled sample), tiny inputs.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to, is_empty
from voicescrub.schemas.arrow import DEAD_LETTER_SCHEMA
from voicescrub.schemas.records import (
    Clip,
    ManifestEntry,
    PiiSpan,
    Segment,
    TimedWord,
    Transcript,
)
from voicescrub.transforms.asr.whisper import AsrSettings
from voicescrub.transforms.audio.redaction import AudioRedactionSettings
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.text_redaction import redact_text
from voicescrub.transforms.runtime.clip_stage import DEAD_LETTER
from voicescrub.transforms.runtime.models import SharedModels
from voicescrub.transforms.stages.decode_audio import DecodeAudio
from voicescrub.transforms.stages.detect_pii import DetectPii
from voicescrub.transforms.stages.pseudonymise import (
    Pseudonymise,
    PseudonymSettings,
    ResolveEpochKeys,
)
from voicescrub.transforms.stages.read_audio import ReadAudio
from voicescrub.transforms.stages.read_manifest import ReadManifest
from voicescrub.transforms.stages.redact_audio import RedactAudio
from voicescrub.transforms.stages.redact_text import RedactText
from voicescrub.transforms.stages.transcribe import Transcribe
from voicescrub.transforms.stages.write_parquet import PublishFiles, WriteParquet

from tests.conftest import SAMPLES


def entry(uid="u1", uri=os.path.join(SAMPLES, "audio", "s11.flac"), account="acct-test-0001",
          recorded_at_us=1793610840000000):
    return ManifestEntry(utterance_id=uid, account_id=account, device_id="dev-test-0001",
                         recorded_at_us=recorded_at_us, audio_uri=uri, locale="en-US",
                         manifest="/m.jsonl", line=1)


def stages_of(dead, label="Stages"):
    return dead | label >> beam.Map(lambda dl: (dl.utterance_id, dl.stage, dl.error_type))


def stage_pairs(dead, label="StagePairs"):
    return dead | label >> beam.Map(lambda dl: (dl.utterance_id, dl.stage))


def write_manifest(tmp_path, lines):
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_read_manifest_validates_and_dead_letters_by_line(tmp_path):
    good = json.dumps({"utterance_id": "u1", "account_id": "acct-1", "device_id": "d-1",
                       "recorded_at": "2026-11-02T09:14:00Z", "audio_uri": "a/u1.wav",
                       "locale": "en-US"})
    manifest = write_manifest(tmp_path, [good, "", "{oops", json.dumps({"utterance_id": "u3"})])
    with BeamTestPipeline() as p:
        result = p | ReadManifest(manifest)
        assert_that(result.clips | beam.Map(lambda c: (c.entry.utterance_id, c.entry.line,
                                                       c.entry.audio_uri)),
                    equal_to([("u1", 1, str(tmp_path / "a" / "u1.wav"))]), label="clips")
        assert_that(result[DEAD_LETTER] | beam.Map(lambda d: (d.utterance_id, d.line, d.stage,
                                                              d.error_message)),
                    equal_to([(None, 3, "manifest", "manifest line is not valid JSON"),
                              ("u3", 4, "manifest", "missing field: account_id")]),
                    label="dead")


def test_read_audio_and_decode_pass_good_clips_and_dead_letter_bad_ones(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    clips = [Clip(entry(uid="good")),
             Clip(entry(uid="missing", uri=str(tmp_path / "nope.wav"))),
             Clip(entry(uid="empty", uri=str(empty))),
             Clip(entry(uid="corrupt", uri=os.path.join(SAMPLES, "audio", "corrupt.flac")))]
    with BeamTestPipeline() as p:
        read = p | beam.Create(clips) | "Read" >> ReadAudio(max_bytes=10_000_000)
        decoded = read.clips | "Decode" >> DecodeAudio(max_duration_s=600)
        assert_that(decoded.clips | beam.Map(lambda c: (c.entry.utterance_id, c.pcm16.dtype.name,
                                                        c.audio_bytes is None,
                                                        2.0 < c.duration_s < 10.0)),
                    equal_to([("good", "int16", True, True)]), label="decoded")
        assert_that(stages_of(read[DEAD_LETTER], "ReadStages"),
                    equal_to([("missing", "read_audio", "AudioReadError"),
                              ("empty", "read_audio", "AudioReadError")]), label="read_dead")
        assert_that(stages_of(decoded[DEAD_LETTER], "DecodeStages"),
                    equal_to([("corrupt", "decode", "AudioDecodeError")]), label="decode_dead")


def test_read_audio_refuses_files_over_the_size_limit():
    with BeamTestPipeline() as p:
        read = p | beam.Create([Clip(entry())]) | ReadAudio(max_bytes=1000)
        assert_that(read.clips, is_empty(), label="none")
        assert_that(stages_of(read[DEAD_LETTER]),
                    equal_to([("u1", "read_audio", "AudioReadError")]), label="dead")


def decoded_clip(name="s11.flac", uid="u1"):
    from voicescrub.transforms.audio.codec import decode_to_pcm16

    with open(os.path.join(SAMPLES, "audio", name), "rb") as handle:
        pcm = decode_to_pcm16(handle.read(), max_duration_s=600)
    return Clip(entry(uid=uid), pcm16=pcm, duration_s=len(pcm) / 16000)


def test_transcribe_then_detect_finds_the_card_digits():
    # s11: "Block the card ending in eight four five nine, ..."
    with BeamTestPipeline() as p:
        transcribed = (p | beam.Create([decoded_clip()])
                       | Transcribe(AsrSettings(beam_size=1), SharedModels()))
        detected = transcribed.clips | DetectPii(load_pii_config(), SharedModels())
        assert_that(detected.clips | beam.Map(lambda c: (
            len(c.transcript.words) > 5, c.asr_model, c.transcript_language,
            any(s.entity_type in ("CARD_LAST4", "DIGIT_SEQUENCE") for s in c.spans),
            c.contains_critical_pii)),
            equal_to([(True, "faster-whisper/tiny.en", "en", True, True)]))
        assert_that(transcribed[DEAD_LETTER], is_empty(), label="no_dead")


def test_transcribe_dead_letters_a_clip_the_model_cannot_take():
    broken = Clip(entry(uid="bad"), pcm16=np.zeros((2, 2, 2), dtype=np.int16), duration_s=1.0)
    with BeamTestPipeline() as p:
        result = p | beam.Create([broken]) | Transcribe(AsrSettings(beam_size=1), SharedModels())
        assert_that(result.clips, is_empty(), label="none")
        assert_that(stage_pairs(result[DEAD_LETTER]),
                    equal_to([("bad", "transcribe")]), label="dead")


def synthetic_clip():
    text = "my pin is 4 3 2 1 thanks"
    tokens = text.split(" ")
    words, cursor = [], 0
    for i, token in enumerate(tokens):
        words.append(TimedWord(token, cursor, cursor + len(token), 0.5 * i, 0.5 * i + 0.4, 0.9 - 0.1 * (i == 2), 0))
        cursor += len(token) + 1
    transcript = Transcript(text, tuple(words), (Segment(0.0, 3.5),), "en")
    rng = np.random.default_rng(3)
    pcm = (rng.normal(0, 3000, 16000 * 4)).astype(np.int16)
    spans = (PiiSpan("PIN", 10, 17, 0.9, "test"),)
    return Clip(entry(), pcm16=pcm, duration_s=4.0, transcript=transcript, spans=spans,
                contains_critical_pii=True)


def test_redact_text_and_audio_replace_the_span_everywhere():
    clip = synthetic_clip()
    with BeamTestPipeline() as p:
        text = p | beam.Create([clip]) | RedactText({"PIN"})
        audio = text.clips | RedactAudio(AudioRedactionSettings(pad_before_s=0.1, pad_after_s=0.1))

        def check(c):
            from voicescrub.transforms.audio.codec import decode_exact_pcm16

            pcm = decode_exact_pcm16(c.audio_redacted)
            e = c.entities[0]
            start, end = int(e.audio_start_s * 16000), int(np.ceil(e.audio_end_s * 16000))
            return (c.transcript_redacted, len(pcm) == len(clip.pcm16),
                    np.array_equal(pcm[:start], clip.pcm16[:start]),
                    np.array_equal(pcm[end:], clip.pcm16[end:]),
                    not np.array_equal(pcm[start:end], clip.pcm16[start:end]),
                    c.pcm16 is None and c.transcript is None and c.spans == (),
                    round(c.lowest_word_probability, 3))  # kept for the audit's second listen

        assert_that(audio.clips | beam.Map(check),
                    equal_to([("my pin is [PIN] thanks", True, True, True, True, True, 0.8)]))


def test_redact_audio_dead_letters_a_span_it_cannot_place():
    clip = synthetic_clip()
    _, redactions = redact_text(clip.transcript.text, clip.spans)
    no_times = clip.transcript.__class__(
        clip.transcript.text,
        tuple(w.__class__(w.text, w.char_start, w.char_end, float("nan"), float("nan"), 0.9, 0)
              for w in clip.transcript.words), (), "en")
    bad = Clip(clip.entry, pcm16=clip.pcm16, duration_s=4.0, transcript=no_times,
               transcript_redacted="x", text_redactions=tuple(redactions))
    with BeamTestPipeline() as p:
        result = p | beam.Create([bad]) | RedactAudio(AudioRedactionSettings())
        assert_that(result.clips, is_empty(), label="none")
        assert_that(stage_pairs(result[DEAD_LETTER]),
                    equal_to([("u1", "redact_audio")]), label="dead")


def test_pseudonymise_builds_rows_and_dead_letters_epochs_without_keys(tmp_path):
    from voicescrub.transforms.privacy.keyring import open_keyring

    keyring = str(tmp_path / "keys")
    open_keyring(keyring).create("2026-W45")
    ready = Clip(entry(uid="ok"), duration_s=1.0, transcript_redacted="hi", audio_redacted=b"x",
                 audio_format="flac")
    late = Clip(entry(uid="nokey", recorded_at_us=1793610840000000 + 7 * 86400 * 10**6),
                duration_s=1.0, transcript_redacted="hi", audio_redacted=b"x", audio_format="flac")
    settings = PseudonymSettings(keyring_uri=keyring, create_keys=False, pipeline_version="t")
    with BeamTestPipeline() as p:
        clips = p | beam.Create([ready, late])
        epochs = clips | ResolveEpochKeys(settings)
        rows = clips | Pseudonymise(settings, epochs)
        assert_that(rows.clips | beam.Map(lambda r: (r["utterance_id"], r["pseudonym_epoch"],
                                                     len(r["speaker_pseudonym"]) >= 26,
                                                     "account_id" in r)),
                    equal_to([("ok", "2026-W45", True, False)]), label="rows")
        assert_that(stages_of(rows[DEAD_LETTER]),
                    equal_to([("nokey", "pseudonymise", "PseudonymError")]), label="dead")
    assert open_keyring(keyring).epochs() == ["2026-W45"]  # nothing was created


def test_write_parquet_publishes_only_when_complete_and_removes_stale_files(tmp_path):
    folder = str(tmp_path / "dead_letter")
    stale = os.path.join(folder, "part-tag-00000-of-00002.parquet")
    os.makedirs(folder)
    pq.write_table(DEAD_LETTER_SCHEMA.empty_table(), stale)
    rows = [{"utterance_id": f"u{i}", "manifest": "m", "line": i, "stage": "decode",
             "error_type": "E", "error_message": "x",
             "processed_at": datetime(2026, 11, 2, tzinfo=timezone.utc)} for i in range(5)]
    with BeamTestPipeline() as p:
        written = p | beam.Create(rows) | WriteParquet(folder, DEAD_LETTER_SCHEMA, "utterance_id",
                                                       None, "tag", shards=1)
        written | PublishFiles([folder], "tag")
    assert sorted(os.listdir(folder)) == ["part-tag-00000-of-00001.parquet"]
    assert pq.read_table(os.path.join(folder, "part-tag-00000-of-00001.parquet")).num_rows == 5
