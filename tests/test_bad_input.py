"""A corpus unlike the bundled sample: mixed formats and every kind of bad input.

Built at test time (no espeak needed): real speech re-encoded from the bundled
sample into other containers and rates, plus a silent clip, an empty file, a
truncated file, a text file posing as audio, an over-large file, a missing
file, and broken manifest lines. Every line must be accounted for, each bad one
with the right stage, and the output must follow the declared schema.
"""

from __future__ import annotations

import json
import os

import av
import numpy as np
import pyarrow.dataset as ds
import pytest
from voicescrub.pipeline.run import run
from voicescrub.schemas.arrow import DEAD_LETTER_SCHEMA, UTTERANCE_SCHEMA
from voicescrub.transforms.audio.codec import decode_to_pcm16

from tests.conftest import SAMPLES


def encode(pcm16: np.ndarray, path: str, container: str, codec: str, rate: int, layout: str) -> None:
    """Write 16 kHz mono int16 speech as another container/codec/rate/layout with PyAV."""
    with av.open(path, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        resampler = av.AudioResampler(format=stream.format.name if stream.format else "s16",
                                      layout=layout, rate=rate)
        frame = av.AudioFrame.from_ndarray(pcm16.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 16000
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.fixture(scope="module")
def unseen_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("unseen")
    audio = root / "clips"
    audio.mkdir()
    with open(os.path.join(SAMPLES, "audio", "s10.wav"), "rb") as handle:
        speech = decode_to_pcm16(handle.read(), max_duration_s=60)
    encode(speech, str(audio / "a.wav"), "wav", "pcm_s16le", 44100, "stereo")
    encode(speech, str(audio / "b.flac"), "flac", "flac", 8000, "mono")
    encode(speech, str(audio / "c.ogg"), "ogg", "libopus", 48000, "stereo")
    encode(speech, str(audio / "d.mp3"), "mp3", "libmp3lame", 22050, "mono")
    encode(np.zeros(16000 * 3, dtype=np.int16), str(audio / "silent.flac"), "flac", "flac", 16000, "mono")
    (audio / "empty.wav").write_bytes(b"")
    flac = (audio / "b.flac").read_bytes()
    (audio / "truncated.flac").write_bytes(flac[:40])
    (audio / "notes.mp3").write_text("this is not audio at all\n" * 50)
    encode((np.random.default_rng(1).normal(0, 2000, 16000 * 70)).astype(np.int16),
           str(audio / "huge.wav"), "wav", "pcm_s16le", 16000, "mono")  # ~2.2 MB

    def line(uid, uri, **extra):
        record = {"utterance_id": uid, "account_id": f"acct-unseen-{uid}", "device_id": f"dev-unseen-{uid}",
                  "recorded_at": "2026-11-02T09:14:00Z", "audio_uri": uri, "locale": "en-US"}
        record.update(extra)
        return json.dumps({k: v for k, v in record.items() if v is not None})

    lines = [
        line("wav44k", "clips/a.wav"), line("flac8k", "clips/b.flac"), line("opus48k", "clips/c.ogg"),
        line("mp3", "clips/d.mp3"), line("silent", "clips/silent.flac"),
        line("empty", "clips/empty.wav"), line("truncated", "clips/truncated.flac"),
        line("notaudio", "clips/notes.mp3"), line("huge", "clips/huge.wav"),
        line("missing", "clips/nowhere.wav"),
        line("noaccount", "clips/a.wav", account_id=None),
        line("badtime", "clips/a.wav", recorded_at="last tuesday"),
        "{this is not json",
    ]
    manifest = root / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    output = root / "out"
    summary = run(["--manifest", str(manifest), "--output", str(output), "--keyring", str(root / "keys"),
                   "--max-audio-mb", "1.5", "--asr-beam-size", "1"])
    utterances = ds.dataset(str(output / "utterances"), format="parquet", partitioning="hive").to_table()
    dead = ds.dataset(str(output / "dead_letter"), format="parquet").to_table()
    return summary, utterances, dead, len(lines)


EXPECTED_DEAD = {
    "empty": "read_audio", "huge": "read_audio", "missing": "read_audio",
    "truncated": "decode", "notaudio": "decode",
    "noaccount": "manifest", "badtime": "manifest", None: "manifest",
}


def test_every_line_is_accounted_for(unseen_run):
    summary, utterances, dead, lines = unseen_run
    assert summary.lines_read == lines
    assert summary.written + summary.dead_lettered == lines
    assert summary.all_accounted_for
    assert utterances.num_rows == summary.written and dead.num_rows == summary.dead_lettered


def test_every_format_and_the_silent_clip_are_scrubbed(unseen_run):
    _, utterances, _, _ = unseen_run
    assert sorted(utterances.column("utterance_id").to_pylist()) == \
        ["flac8k", "mp3", "opus48k", "silent", "wav44k"]
    durations = dict(zip(utterances.column("utterance_id").to_pylist(),
                         utterances.column("duration_s").to_pylist()))
    speech = durations["wav44k"]
    for uid in ("flac8k", "opus48k", "mp3"):
        assert abs(durations[uid] - speech) < 0.15
    assert durations["silent"] == pytest.approx(3.0, abs=0.05)


def test_each_bad_input_has_its_stage_and_a_clear_reason(unseen_run):
    _, _, dead, _ = unseen_run
    rows = dead.to_pylist()
    assert {r["utterance_id"]: r["stage"] for r in rows} == EXPECTED_DEAD
    for row in rows:
        assert row["error_message"] and row["error_type"]
        assert "unseen" not in row["error_message"]  # no raw ID quoted
    reasons = {r["utterance_id"]: r["error_message"] for r in rows}
    assert "empty" in reasons["empty"]
    assert "larger" in reasons["huge"]
    assert "not found" in reasons["missing"]
    assert reasons["noaccount"] == "missing field: account_id"
    assert reasons["badtime"] == "invalid field: recorded_at"


def test_outputs_follow_the_declared_schemas(unseen_run):
    _, utterances, dead, _ = unseen_run
    for schema, table in ((UTTERANCE_SCHEMA, utterances), (DEAD_LETTER_SCHEMA, dead)):
        for field in schema:
            assert table.schema.field(field.name).type == field.type


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_only_regular_files_are_opened(tmp_path, kind):
    """A FIFO with no writer would block ``open()`` forever: it is refused unopened."""
    import threading

    from voicescrub.transforms.io.audio_files import read_audio_bytes
    from voicescrub.transforms.runtime.errors import AudioReadError

    path = tmp_path / "clip.wav"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    outcome = []

    def read() -> None:
        try:
            read_audio_bytes(str(path), 1024)
        except AudioReadError as error:
            outcome.append(str(error))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading the path blocked"
    assert outcome == ["audio path is not a regular file"]
