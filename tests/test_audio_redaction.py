"""Tests for voicescrub.transforms.audio.redaction: beep and silence on int16 PCM."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from voicescrub.schemas.records import AudioInterval, PiiSpan
from voicescrub.transforms.audio.redaction import (
    AudioRedactionError,
    active_speech_level_dbfs,
    redact_pcm,
    redact_pcm_per_treatment,
)

from tests.conftest import speech_clip_pcm

SR = 16000
FADE_SAMPLES = 80  # 5 ms at 16 kHz


def synthetic_speech(seconds: float = 3.0, seed: int = 0) -> np.ndarray:
    """Noise shaped into syllable-like bursts with pauses, around -20 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    envelope = np.clip(np.sin(2 * np.pi * 3.0 * t), 0.0, None)
    voiced = np.sin(2 * np.pi * 180.0 * t) + 0.5 * np.sin(2 * np.pi * 360.0 * t) + 0.3 * rng.normal(size=n)
    return np.clip(6000.0 * envelope * voiced, -32768, 32767).astype(np.int16)


def sample_range(interval: AudioInterval, sr: int, n: int) -> tuple[int, int]:
    return max(0, math.floor(interval.start_s * sr)), min(n, math.ceil(interval.end_s * sr))


def redacted_mask(intervals: list[AudioInterval], sr: int, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for interval in intervals:
        start, end = sample_range(interval, sr, n)
        mask[start:end] = True
    return mask


def dominant_hz(samples: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1.0 / sr)[int(np.argmax(spectrum))])


def tone_purity(samples: np.ndarray, sr: int, tone_hz: float) -> float:
    """Share of the energy explained by one sinusoid at ``tone_hz`` (1.0 = pure tone)."""
    t = np.arange(samples.size) / sr
    basis = np.column_stack([np.sin(2 * np.pi * tone_hz * t), np.cos(2 * np.pi * tone_hz * t)])
    x = samples.astype(np.float64)
    fitted = basis @ np.linalg.lstsq(basis, x, rcond=None)[0]
    return 1.0 - float(np.sum((x - fitted) ** 2) / np.sum(x * x))


def rms_dbfs(samples: np.ndarray) -> float:
    x = samples.astype(np.float64) / 32768.0
    return float(10.0 * np.log10(np.mean(x * x)))


def assert_redacted(
    original: np.ndarray, out: np.ndarray, sr: int, intervals: list[AudioInterval], treatment: str, tone_hz: float
) -> None:
    """Length kept, outside bit-identical, inside pure tone or digital zero."""
    assert out.dtype == np.int16 and out.shape == original.shape, "length or type changed"
    mask = redacted_mask(intervals, sr, original.size)
    assert np.array_equal(out[~mask], original[~mask]), "samples outside the intervals changed"
    for interval in intervals:
        start, end = sample_range(interval, sr, original.size)
        inside = out[start:end]
        if treatment == "silence":
            assert not np.any(inside), "silence is not digital zero"
        else:
            body = inside[FADE_SAMPLES:-FADE_SAMPLES]
            assert abs(dominant_hz(body, sr) - tone_hz) <= sr / body.size * 1.5, "tone frequency differs"
            assert tone_purity(body, sr, tone_hz) > 0.999, "not a pure tone: speech is mixed in"


@pytest.mark.parametrize("treatment", ["beep", "silence"])
@pytest.mark.parametrize("tone_hz", [1000.0, 440.0])
@pytest.mark.parametrize(
    "intervals",
    [
        pytest.param([AudioInterval(0.5, 1.2)], id="one"),
        pytest.param([AudioInterval(0.3, 0.7), AudioInterval(1.9, 2.6)], id="two"),
        pytest.param([AudioInterval(0.0, 0.5)], id="at-start"),
        pytest.param([AudioInterval(2.4, 3.0)], id="at-end"),
        pytest.param([AudioInterval(0.123456, 0.654321)], id="fractional-samples"),
    ],
)
def test_redaction_on_synthetic_speech(treatment: str, tone_hz: float, intervals: list[AudioInterval]) -> None:
    pcm = synthetic_speech()
    out = redact_pcm(pcm, SR, intervals, treatment=treatment, tone_hz=tone_hz)
    assert_redacted(pcm, out, SR, intervals, treatment, tone_hz)
    assert np.array_equal(pcm, synthetic_speech()), "input was modified"


def test_start_is_floored_and_end_ceiled() -> None:
    pcm = np.full(100, 1000, dtype=np.int16)
    out = redact_pcm(pcm, 10, [AudioInterval(1.05, 2.01)], treatment="silence", tone_hz=1.0)
    assert np.array_equal(np.flatnonzero(out == 0), np.arange(10, 21))


def test_overlapping_and_out_of_clip_intervals() -> None:
    pcm = synthetic_speech(2.0)
    intervals = [AudioInterval(0.5, 1.0), AudioInterval(0.8, 1.3), AudioInterval(1.8, 9.0)]
    out = redact_pcm(pcm, SR, intervals)
    assert_redacted(pcm, out, SR, [AudioInterval(0.5, 1.3), AudioInterval(1.8, 2.0)], "beep", 1000.0)


def test_no_intervals_returns_an_identical_copy() -> None:
    pcm = synthetic_speech(1.0)
    out = redact_pcm(pcm, SR, [])
    assert out is not pcm and np.array_equal(out, pcm)


def test_tone_level_matches_the_surrounding_speech() -> None:
    for gain in (0.25, 1.0, 2.5):
        pcm = np.clip(synthetic_speech().astype(np.float64) * gain, -32768, 32767).astype(np.int16)
        interval = AudioInterval(1.0, 2.0)
        out = redact_pcm(pcm, SR, [interval])
        start, end = sample_range(interval, SR, pcm.size)
        outside = np.concatenate([pcm[:start], pcm[end:]])
        speech_level = active_speech_level_dbfs(outside, SR)
        assert speech_level is not None
        tone_level = rms_dbfs(out[start + FADE_SAMPLES : end - FADE_SAMPLES])
        assert abs(tone_level - min(max(speech_level, -30.0), -10.0)) < 1.0


@pytest.mark.parametrize(
    "gain, expected_dbfs",
    [pytest.param(0.01, -30.0, id="whisper-quiet-clamped-up"), pytest.param(5.0, -10.0, id="loud-clamped-down")],
)
def test_matched_level_is_clamped(gain: float, expected_dbfs: float) -> None:
    pcm = np.clip(synthetic_speech().astype(np.float64) * gain, -32768, 32767).astype(np.int16)
    out = redact_pcm(pcm, SR, [AudioInterval(1.0, 2.0)])
    assert abs(rms_dbfs(out[SR + FADE_SAMPLES : 2 * SR - FADE_SAMPLES]) - expected_dbfs) < 0.5


@pytest.mark.parametrize("level", [-6.0, -25.0, -40.0])
def test_fixed_tone_level(level: float) -> None:
    out = redact_pcm(synthetic_speech(), SR, [AudioInterval(1.0, 2.0)], tone_level=level)
    assert abs(rms_dbfs(out[SR + FADE_SAMPLES : 2 * SR - FADE_SAMPLES]) - level) < 0.5


def test_level_falls_back_when_everything_is_redacted() -> None:
    pcm = synthetic_speech(1.0)
    out = redact_pcm(pcm, SR, [AudioInterval(0.0, 1.0)])
    assert abs(rms_dbfs(out[FADE_SAMPLES:-FADE_SAMPLES]) - (-20.0)) < 0.5


def test_tone_edges_fade_in_and_out() -> None:
    out = redact_pcm(np.zeros(SR, dtype=np.int16), SR, [AudioInterval(0.25, 0.75)], tone_level=-10.0)
    start, end = SR // 4, 3 * SR // 4
    peak = np.max(np.abs(out[start:end]))
    assert np.max(np.abs(out[start : start + 8])) < 0.1 * peak, "no fade-in"
    assert np.max(np.abs(out[end - 8 : end])) < 0.1 * peak, "no fade-out"


def test_per_treatment_choice_and_silence_wins_overlaps() -> None:
    pcm = synthetic_speech()
    treated = [
        (AudioInterval(0.2, 0.8), "beep"),
        (AudioInterval(1.2, 1.6), "silence"),
        (AudioInterval(2.4, 2.8), "silence"),  # listed before the beep it overlaps
        (AudioInterval(2.0, 2.6), "beep"),
    ]
    out = redact_pcm_per_treatment(pcm, SR, treated)
    mask = redacted_mask([i for i, _ in treated], SR, pcm.size)
    assert np.array_equal(out[~mask], pcm[~mask]), "samples outside the intervals changed"
    assert not np.any(out[int(1.2 * SR) : int(1.6 * SR)]), "silence is not digital zero"
    assert not np.any(out[int(2.4 * SR) : int(2.8 * SR)]), "silence did not win the overlap"
    for start_s, end_s in [(0.2, 0.8), (2.0, 2.4)]:
        body = out[int(start_s * SR) + FADE_SAMPLES : int(end_s * SR) - FADE_SAMPLES]
        assert tone_purity(body, SR, 1000.0) > 0.999, "not a pure tone"


@pytest.mark.parametrize(
    "pcm, kwargs, treated",
    [
        pytest.param(np.zeros(10, np.float32), {}, [], id="float-audio"),
        pytest.param(np.zeros((10, 2), np.int16), {}, [], id="stereo"),
        pytest.param(np.zeros(10, np.int16), {"tone_hz": 9000.0}, [], id="tone-above-nyquist"),
        pytest.param(np.zeros(10, np.int16), {"tone_level": "loud"}, [], id="unknown-level"),
        pytest.param(np.zeros(10, np.int16), {"tone_level": 3.0}, [], id="level-above-full-scale"),
        pytest.param(np.zeros(10, np.int16), {}, [(AudioInterval(0.0, 1.0), "bleep")], id="unknown-treatment"),
        pytest.param(np.zeros(10, np.int16), {}, [(AudioInterval(float("nan"), 1.0), "beep")], id="nan-interval"),
        pytest.param(np.zeros(10, np.int16), {}, [(AudioInterval(1.0, 0.5), "beep")], id="reversed-interval"),
    ],
)
def test_unusable_input_raises(pcm: np.ndarray, kwargs: dict, treated: list) -> None:
    with pytest.raises(AudioRedactionError):
        redact_pcm_per_treatment(pcm, SR, treated, **kwargs)


# --- real speech made with espeak-ng ------------------------------------------------

@pytest.mark.parametrize("treatment", ["beep", "silence"])
def test_redaction_on_espeak_speech(tmp_path: Path, treatment: str) -> None:
    pcm = speech_clip_pcm("card_words")  # "my card number is four one one one two two two two, ..."
    duration_s = pcm.size / SR
    intervals = [AudioInterval(duration_s * 0.35, duration_s * 0.75)]
    out = redact_pcm(pcm, SR, intervals, treatment=treatment)
    assert_redacted(pcm, out, SR, intervals, treatment, 1000.0)
    if treatment == "beep":
        start, end = sample_range(intervals[0], SR, pcm.size)
        outside = np.concatenate([pcm[:start], pcm[end:]])
        speech_level = active_speech_level_dbfs(outside, SR)
        assert speech_level is not None
        assert abs(rms_dbfs(out[start + FADE_SAMPLES : end - FADE_SAMPLES]) - speech_level) < 3.0


def trimmed(pcm: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(pcm) > 300)
    return pcm[loud[0] : loud[-1] + 1]


def test_whisper_aligned_digits_are_redacted(tmp_path: Path) -> None:
    """End to end on real speech: the digits' audio (known from how the clip was built) is covered."""
    asr = pytest.importorskip("voicescrub.transforms.asr.whisper")
    from voicescrub.transforms.audio.alignment import align_spans, merge_intervals

    gap = np.zeros(int(0.15 * SR), np.int16)
    lead = np.zeros(int(0.3 * SR), np.int16)
    before, digits, after = (
        trimmed(speech_clip_pcm(name)) for name in ("account_before", "account_digits", "account_after")
    )
    pcm = np.concatenate([lead, before, gap, digits, gap, after, lead])
    digits_start = lead.size + before.size + gap.size
    digits_end = digits_start + digits.size

    model = asr.load_whisper_model(cpu_threads=2)
    transcript = asr.transcribe(model, pcm)
    digit_words = [w for w in transcript.words if re.search(r"\d", w.text)]
    # Booleans only in asserts: pytest would otherwise print the transcript.
    heard_digits = len(digit_words) > 0
    assert heard_digits, "whisper heard no digits"
    span = PiiSpan("US_BANK_NUMBER", digit_words[0].char_start, digit_words[-1].char_end, 1.0, "test")
    aligned = align_spans([span], transcript, pcm.size / SR, pad_before_s=0.3, pad_after_s=0.25)
    assert aligned[0].method == "words"
    interval = aligned[0].interval
    assert interval.start_s <= digit_words[0].start_s and interval.end_s >= digit_words[-1].end_s
    # With these pads the whole spoken number is inside the redaction.
    assert interval.start_s * SR <= digits_start and interval.end_s * SR >= digits_end

    out = redact_pcm(pcm, SR, merge_intervals([interval]), treatment="silence")
    assert not np.any(out[digits_start:digits_end]), "some of the digits are still audible"
    # What is left is not the number: whisper hears no digit run in it.
    remaining = asr.transcribe(model, out)
    digits_survived = re.search(r"\d{3}", remaining.text.replace(" ", "")) is not None
    assert not digits_survived, "digits survived redaction"


def test_redact_audio_stage_gives_a_squeezed_short_value_its_spoken_length() -> None:
    """A card expiry the ASR squeezed into 0.1 s gets at least 4 digits x min_piece_s, plus pads."""
    from voicescrub.schemas.records import (
        Clip,
        ManifestEntry,
        Segment,
        TimedWord,
        Transcript,
    )
    from voicescrub.transforms.audio.redaction import (
        AudioRedactionSettings,
        redact_clip_pcm,
    )
    from voicescrub.transforms.pii.text_redaction import TextRedaction

    sr = 16000
    pcm = synthetic_speech(4.0, seed=3)
    text = "expires 04/29 thanks"
    words = (TimedWord("expires", 0, 7, 0.2, 1.0, 0.9, 0), TimedWord("04/29", 8, 13, 1.8, 1.9, 0.9, 0),
             TimedWord("thanks", 14, 20, 2.9, 3.4, 0.9, 0))
    clip = Clip(ManifestEntry("u1", "acct-test-0001", "dev-test-0001", 0, "file:///x.wav", "en-US", "/m.jsonl", 1),
                pcm16=pcm, sample_rate=sr, duration_s=len(pcm) / sr,
                transcript=Transcript(text, words, (Segment(0.0, 4.0),), "en"),
                text_redactions=(TextRedaction("CARD_EXPIRY", 0.9, "test", 8, 13, 8, 21),))
    settings = AudioRedactionSettings(pad_before_s=0.30, pad_after_s=0.25, min_piece_s=0.12,
                                      end_at_pause=None)
    out, entities = redact_clip_pcm(clip, settings)
    (entity,) = entities
    assert entity.audio_end_s - entity.audio_start_s >= 4 * 0.12 + 0.30 + 0.25 - 1e-9
    assert entity.audio_start_s <= 1.8 - 0.30 and entity.audio_end_s >= 1.9 + 0.25
    assert out.shape == pcm.shape
    untouched = ~redacted_mask([AudioInterval(entity.audio_start_s, entity.audio_end_s)], sr, len(pcm))
    assert np.array_equal(out[untouched], pcm[untouched])


def test_redact_audio_stage_ends_the_bleep_at_the_pause_and_leaves_the_next_word_alone() -> None:
    from voicescrub.schemas.records import (
        Clip,
        ManifestEntry,
        Segment,
        TimedWord,
        Transcript,
    )
    from voicescrub.transforms.audio.redaction import (
        AudioRedactionSettings,
        place_spans,
        redact_clip_pcm,
    )
    from voicescrub.transforms.pii.text_redaction import TextRedaction

    sr = 16000
    rng = np.random.default_rng(5)
    pcm = (rng.normal(size=3 * sr) * 6000.0).clip(-32768, 32767).astype(np.int16)
    pcm[int(2.0 * sr):int(2.2 * sr)] = 0  # the pause after the PII
    text = "card 4111 thanks"
    words = (TimedWord("card", 0, 4, 0.0, 0.9, 0.9, 0), TimedWord("4111", 5, 9, 1.0, 2.1, 0.9, 0),
             TimedWord("thanks", 10, 16, 2.3, 2.9, 0.9, 0))
    clip = Clip(ManifestEntry("u1", "acct-test-0001", "dev-test-0001", 0, "file:///x.wav", "en-US", "/m.jsonl", 1),
                pcm16=pcm, sample_rate=sr, duration_s=3.0,
                transcript=Transcript(text, words, (Segment(0.0, 3.0),), "en"),
                text_redactions=(TextRedaction("CREDIT_CARD", 0.9, "test", 5, 9, 5, 18),))
    out, (entity,) = redact_clip_pcm(clip, AudioRedactionSettings())
    assert entity.audio_end_s < 2.2  # a fixed 0.25 s pad would have reached 2.35 s
    assert entity.audio_end_s >= 2.1
    assert out.shape == pcm.shape
    untouched = ~redacted_mask([AudioInterval(entity.audio_start_s, entity.audio_end_s)], sr, len(pcm))
    assert np.array_equal(out[untouched], pcm[untouched])
    # The audit places what a second listen of untouched audio finds the same way.
    (placed,) = place_spans([clip.text_redactions[0].as_span()], clip.transcript, 3.0, pcm, sr,
                            AudioRedactionSettings())
    assert placed.interval == AudioInterval(entity.audio_start_s, entity.audio_end_s)


@pytest.mark.parametrize("samples", [1, 2, 80, 1601, 37123])
@pytest.mark.parametrize("tone_hz, level_dbfs", [(1000.0, -20.0), (440.0, -30.0), (1234.5, -10.0)])
def test_the_tone_is_pydubs_sine_at_the_level_apply_gain_sets(samples, tone_hz, level_dbfs) -> None:
    """``_tone`` computes with numpy what pydub's generator and ``apply_gain`` make sample by
    sample (to the last bit, bar a sine rounded the other way)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydub.generators import Sine
    from voicescrub.transforms.audio.redaction import _tone

    reference = Sine(tone_hz, sample_rate=16000, bit_depth=16).to_audio_segment(
        duration=(samples + 2) * 1000.0 / 16000, volume=-3.0).get_sample_slice(0, samples)
    if reference.rms > 0:
        reference = reference.apply_gain(level_dbfs - reference.dBFS)
    expected = np.frombuffer(reference.raw_data, dtype=np.int16).astype(np.float64)
    fade = min(80, samples // 2)
    if fade:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(fade) + 0.5) / fade)
        expected[:fade] *= ramp
        expected[samples - fade:] *= ramp[::-1]
    expected = np.round(expected).astype(np.int64)
    tone = np.frombuffer(_tone(samples, 16000, tone_hz, level_dbfs, 0.005), dtype=np.int16).astype(np.int64)
    assert len(tone) == samples
    assert np.abs(tone - expected).max() <= 1
    assert (tone != expected).sum() <= max(1, samples // 10000)
