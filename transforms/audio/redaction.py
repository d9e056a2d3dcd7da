"""Redact stretches of 16-bit mono PCM with a beep or with silence.

The output has exactly as many samples as the input and every sample outside
the redacted intervals is bit-identical. Times become sample indices by
flooring the start and ceiling the end, so a redaction never shrinks.

pydub does the audio work on raw PCM only (it never calls ffmpeg here): the
clip is wrapped in an ``AudioSegment`` and cut by sample index; the tone is
``pydub.generators.Sine``'s, at its level as ``apply_gain`` sets it, computed with numpy
(``_tone``).

The beep's level is matched to the active speech outside the redacted
intervals, so it is neither deafening nor inaudible; a fixed dBFS level can be
asked for instead. Short raised-cosine fades at the tone edges avoid clicks.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import Any, List, Mapping, Sequence, Tuple, Union

import numpy as np

with warnings.catch_warnings():
    # pydub warns at import that ffmpeg is missing; we only use raw PCM.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment

from voicescrub.schemas.records import (
    AudioInterval,
    Clip,
    PiiSpan,
    RedactedEntity,
    Transcript,
)
from voicescrub.schemas.settings import FrozenMapping, setting
from voicescrub.transforms.audio.alignment import (
    AlignedSpan,
    EndAtPause,
    StartAtDip,
    align_spans,
)
from voicescrub.transforms.audio.codec import OUTPUT_FORMATS
from voicescrub.transforms.runtime.errors import ScrubError

TREATMENT_BEEP = "beep"
TREATMENT_SILENCE = "silence"
TREATMENTS = (TREATMENT_BEEP, TREATMENT_SILENCE)

LEVEL_MATCH = "match"
DEFAULT_MIN_LEVEL_DBFS = -30.0
DEFAULT_MAX_LEVEL_DBFS = -10.0
# Used when there is no speech outside the intervals to match.
DEFAULT_LEVEL_DBFS = -20.0
DEFAULT_FADE_S = 0.005

# Level measurement: 20 ms frames; a frame counts as speech when it is within
# this many dB of the loudest frame and above the absolute floor.
_FRAME_S = 0.020
_ACTIVE_RANGE_DB = 30.0
_ACTIVE_FLOOR_DBFS = -70.0
_FULL_SCALE = 32768.0

# Per-sample marks; a higher mark wins where intervals of two treatments overlap.
_UNTOUCHED = 0
_MARK_BEEP = 1
_MARK_SILENCE = 2
_MARKS = {TREATMENT_BEEP: _MARK_BEEP, TREATMENT_SILENCE: _MARK_SILENCE}


def parse_tone_level(raw: Any) -> Union[str, float]:
    """``--beep-level``: ``match`` or a level in dBFS, 0 or below."""
    if raw == LEVEL_MATCH:
        return LEVEL_MATCH
    try:
        level = float(raw)
    except (TypeError, ValueError):
        raise ValueError("be 'match' or a number of dBFS") from None
    if not math.isfinite(level) or level > 0:
        raise ValueError("be 'match' or a number of dBFS, 0 or below")
    return level


class AudioRedactionError(Exception):
    """Audio cannot be redacted safely. The message is a fixed string, never data."""


def redact_pcm(
    pcm: np.ndarray,
    sample_rate: int,
    intervals: Sequence[AudioInterval],
    *,
    treatment: str = TREATMENT_BEEP,
    tone_hz: float = 1000.0,
    tone_level: Union[str, float] = LEVEL_MATCH,
    fade_s: float = DEFAULT_FADE_S,
    min_level_dbfs: float = DEFAULT_MIN_LEVEL_DBFS,
    max_level_dbfs: float = DEFAULT_MAX_LEVEL_DBFS,
) -> np.ndarray:
    """Redact every interval with the same treatment.

    :param pcm: 1-D int16 mono samples.
    :param sample_rate: samples per second.
    :param intervals: times to redact, in seconds; may overlap, any order.
    :param treatment: ``"beep"`` or ``"silence"`` (digital zero).
    :param tone_hz: beep frequency; must be below the Nyquist frequency.
    :param tone_level: ``"match"`` to match the speech outside the intervals
        (clamped to [min_level_dbfs, max_level_dbfs]) or a fixed RMS level in dBFS.
    :param fade_s: fade-in and fade-out length at each tone edge.
    :param min_level_dbfs: quietest matched tone level.
    :param max_level_dbfs: loudest matched tone level.
    :return: a new int16 array of the same length.
    :raises AudioRedactionError: the input or a setting is not usable.
    """
    return redact_pcm_per_treatment(
        pcm,
        sample_rate,
        [(interval, treatment) for interval in intervals],
        tone_hz=tone_hz,
        tone_level=tone_level,
        fade_s=fade_s,
        min_level_dbfs=min_level_dbfs,
        max_level_dbfs=max_level_dbfs,
    )


def redact_pcm_per_treatment(
    pcm: np.ndarray,
    sample_rate: int,
    treated: Sequence[tuple[AudioInterval, str]],
    *,
    tone_hz: float = 1000.0,
    tone_level: Union[str, float] = LEVEL_MATCH,
    fade_s: float = DEFAULT_FADE_S,
    min_level_dbfs: float = DEFAULT_MIN_LEVEL_DBFS,
    max_level_dbfs: float = DEFAULT_MAX_LEVEL_DBFS,
) -> np.ndarray:
    """Redact each interval with its own treatment (per-entity-type choice).

    Where a beep interval and a silence interval overlap, silence wins: it is
    the stronger redaction. Touching or overlapping beeps become one tone.

    :param pcm: 1-D int16 mono samples.
    :param sample_rate: samples per second.
    :param treated: ``(interval, treatment)`` pairs, treatment ``"beep"`` or ``"silence"``.
    :param tone_hz: beep frequency; must be below the Nyquist frequency.
    :param tone_level: ``"match"`` or a fixed RMS level in dBFS.
    :param fade_s: fade-in and fade-out length at each tone edge.
    :param min_level_dbfs: quietest matched tone level.
    :param max_level_dbfs: loudest matched tone level.
    :return: a new int16 array of the same length.
    :raises AudioRedactionError: the input or a setting is not usable.
    """
    _validate(pcm, sample_rate, tone_hz, tone_level, fade_s, min_level_dbfs, max_level_dbfs)
    marks = _mark_samples(len(pcm), sample_rate, treated)
    runs = _runs(marks)
    if not runs:
        return pcm.copy()
    clip = AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=sample_rate, channels=1)
    level_dbfs = (
        _matched_level_dbfs(pcm, sample_rate, marks, min_level_dbfs, max_level_dbfs)
        if isinstance(tone_level, str)
        else float(tone_level)
    )
    chunks: list[bytes] = []
    cursor = 0
    for start, end, mark in runs:
        chunks.append(clip.get_sample_slice(cursor, start).raw_data)
        if mark == _MARK_SILENCE:
            chunks.append(bytes(2 * (end - start)))
        else:
            chunks.append(_tone(end - start, sample_rate, tone_hz, level_dbfs, fade_s))
        cursor = end
    chunks.append(clip.get_sample_slice(cursor, len(pcm)).raw_data)
    redacted = clip._spawn(chunks)  # pydub's own constructor for derived segments
    out = np.frombuffer(redacted.raw_data, dtype=np.int16).copy()
    if out.shape != pcm.shape:
        raise AudioRedactionError("redacted audio length differs")
    return out


def _validate(
    pcm: np.ndarray,
    sample_rate: int,
    tone_hz: float,
    tone_level: Union[str, float],
    fade_s: float,
    min_level_dbfs: float,
    max_level_dbfs: float,
) -> None:
    if not isinstance(pcm, np.ndarray) or pcm.ndim != 1 or pcm.dtype != np.int16:
        raise AudioRedactionError("audio must be 1-D int16 mono")
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise AudioRedactionError("sample rate is not usable")
    if not (math.isfinite(tone_hz) and 0.0 < tone_hz < sample_rate / 2.0):
        raise AudioRedactionError("tone frequency is not usable")
    if isinstance(tone_level, str):
        if tone_level != LEVEL_MATCH:
            raise AudioRedactionError("tone level is not usable")
    elif not (math.isfinite(float(tone_level)) and float(tone_level) <= 0.0):
        raise AudioRedactionError("tone level is not usable")
    if not (math.isfinite(fade_s) and fade_s >= 0.0):
        raise AudioRedactionError("fade length is not usable")
    if not (math.isfinite(min_level_dbfs) and math.isfinite(max_level_dbfs) and min_level_dbfs <= max_level_dbfs <= 0.0):
        raise AudioRedactionError("tone level range is not usable")


def _mark_samples(
    sample_count: int, sample_rate: int, treated: Sequence[tuple[AudioInterval, str]]
) -> np.ndarray:
    """One mark per sample: untouched, beep or silence (silence wins overlaps)."""
    marks = np.zeros(sample_count, dtype=np.int8)
    for interval, treatment in treated:
        if treatment not in _MARKS:
            raise AudioRedactionError("treatment is not known")
        if not (math.isfinite(interval.start_s) and math.isfinite(interval.end_s)):
            raise AudioRedactionError("interval is not finite")
        if interval.end_s < interval.start_s:
            raise AudioRedactionError("interval ends before it starts")
        # Floor the start and ceil the end so that the redaction never shrinks.
        start = min(max(math.floor(interval.start_s * sample_rate), 0), sample_count)
        end = min(max(math.ceil(interval.end_s * sample_rate), 0), sample_count)
        if end > start:
            np.maximum(marks[start:end], _MARKS[treatment], out=marks[start:end])
    return marks


def _runs(marks: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero marks as (start, end, mark)."""
    if marks.size == 0:
        return []
    change = np.flatnonzero(np.diff(marks)) + 1
    bounds = np.concatenate(([0], change, [marks.size]))
    return [
        (int(s), int(e), int(marks[s])) for s, e in zip(bounds[:-1], bounds[1:]) if marks[s] != _UNTOUCHED
    ]


def active_speech_level_dbfs(samples: np.ndarray, sample_rate: int) -> float | None:
    """RMS level in dBFS of the speech frames among the samples, or None if there are none.

    Frames of 20 ms count as speech when within 30 dB of the loudest frame and
    above -70 dBFS, so pauses do not drag the level down.

    :param samples: int16 samples (already stripped of what must not count).
    :param sample_rate: samples per second.
    """
    frame = max(1, int(round(_FRAME_S * sample_rate)))
    usable = (samples.size // frame) * frame
    if usable == 0:
        return None
    frames = samples[:usable].astype(np.float64).reshape(-1, frame) / _FULL_SCALE
    power = np.mean(frames * frames, axis=1)
    with np.errstate(divide="ignore"):
        frame_db = 10.0 * np.log10(power)
    loudest = float(np.max(frame_db))
    active = frame_db >= max(loudest - _ACTIVE_RANGE_DB, _ACTIVE_FLOOR_DBFS)
    if not np.any(active):
        return None
    return float(10.0 * np.log10(np.mean(power[active])))


def _matched_level_dbfs(
    pcm: np.ndarray, sample_rate: int, marks: np.ndarray, min_level_dbfs: float, max_level_dbfs: float
) -> float:
    """The speech level outside the redacted samples, clamped; a default when there is none."""
    level = active_speech_level_dbfs(pcm[marks == _UNTOUCHED], sample_rate)
    if level is None:
        level = DEFAULT_LEVEL_DBFS
    return min(max(level, min_level_dbfs), max_level_dbfs)


def fade_in_ramp(samples: int) -> np.ndarray:
    """Gains rising from near 0 to near 1 over ``samples`` samples (a raised cosine); reversed,
    a fade-out. The tone's edges and the audit's joins (``audit/condensed.py``) fade with it."""
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(samples) + 0.5) / samples)


def _tone(sample_count: int, sample_rate: int, tone_hz: float, level_dbfs: float, fade_s: float) -> bytes:
    """Exactly ``sample_count`` int16 samples of a sine at the given RMS level, faded at both ends.

    The samples are those of ``pydub.generators.Sine`` at -3 dBFS brought to the level by
    ``apply_gain`` (truncated on generation, floored and clipped on gain, as pydub and
    ``audioop`` do), computed with numpy: pydub's generator makes each sample in Python,
    which costs seconds of a run's single-threaded time on long bleeps.
    """
    n = np.arange(sample_count, dtype=np.float64)
    samples = np.trunc(np.sin(n * (tone_hz * 2 * math.pi / sample_rate)) * (32767 * 10 ** (-3.0 / 20)))
    rms = int(math.sqrt(float(np.mean(samples ** 2)))) if sample_count else 0
    if rms > 0:  # a one-sample tone is sin(0) = 0, nothing to scale
        scaled = samples * 10 ** ((level_dbfs - 20 * math.log10(rms / 32768)) / 20)
        samples = np.floor(np.where(scaled < -32767.0, -32768.0, np.minimum(scaled, 32767.0)))
    fade = min(int(round(fade_s * sample_rate)), sample_count // 2)
    if fade > 0:
        ramp = fade_in_ramp(fade)
        samples[:fade] *= ramp
        samples[sample_count - fade :] *= ramp[::-1]
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16).tobytes()


class AudioRedactionFailed(ScrubError):
    """The redacted audio did not come out as expected; the clip is not released."""


@dataclass(frozen=True)
class AudioRedactionSettings:
    """How audio is redacted.

    :param treatment_by_entity: per-entity-type override (from the PII config).
    :param min_piece_s: a span's words cover at least this many seconds per spoken piece
        (digit or run of letters) before padding: tiny.en can squeeze a short value such as
        a card expiry into a sliver of time (``align_spans``).
    :param end_at_pause: end each redaction at the pause after the PII, found in the clip's
        own audio, instead of ``pad_after_s`` (kept when there is no pause); not with
        ``fixed_pads``.
    :param start_at_dip: start each redaction at the quietest moment before the PII, found in
        the clip's own audio, instead of ``pad_before_s`` (kept when the clip's first instants
        leave no room); not with ``fixed_pads``.
    """

    treatment: str = setting(TREATMENT_BEEP, "what replaces PII in the audio (per-entity override "
                             "in the PII config)",
                             choices=TREATMENTS, flag="--audio-redaction")
    treatment_by_entity: Mapping[str, str] = dataclasses.field(default_factory=FrozenMapping)
    tone_hz: float = setting(1000.0, "beep frequency in Hz", above=0.0, flag="--beep-hz")
    tone_level: object = setting(LEVEL_MATCH, "'match' the speech level (clamped to −30…−10 "
                                 "dBFS) or a fixed level in dBFS, 0 or below", parse=parse_tone_level,
                                 flag="--beep-level")
    pad_before_s: float = setting(
        0.30, "ms redacted before a span where the audio gives no dip to start at (every span "
        "with --fixed-pads)", minimum=0.0, flag_per_unit=1000, flag="--pad-before-ms")
    pad_after_s: float = setting(
        0.25, "ms redacted after a span where the audio gives no pause to end at (every span "
        "with --fixed-pads)", minimum=0.0, flag_per_unit=1000, flag="--pad-after-ms")
    fixed_pads: bool = setting(
        False, "fixed pads instead of the dip before a value and the pause after it (both "
        "tuned to tiny.en's word times)")
    min_piece_s: float = 0.12
    end_at_pause: EndAtPause = EndAtPause(max_after_s=0.60)
    start_at_dip: StartAtDip = StartAtDip()
    audio_format: str = setting("flac", "encoding of audio_redacted (both lossless)", choices=OUTPUT_FORMATS)

    def treatment_for(self, entity_type: str) -> str:
        """The PII config's treatment for ``entity_type``, else the default."""
        return self.treatment_by_entity.get(entity_type, self.treatment)

    def apply(self, pcm: np.ndarray, sample_rate: int,
              heard: Sequence[Tuple[AudioInterval, str]]) -> np.ndarray:
        """Beep or silence each (interval, entity type) in ``pcm``; a new array, same length."""
        treated = [(interval, self.treatment_for(entity_type)) for interval, entity_type in heard]
        return redact_pcm_per_treatment(pcm, sample_rate, treated, tone_hz=self.tone_hz,
                                        tone_level=self.tone_level)  # type: ignore[arg-type]


def place_spans(spans: Sequence[PiiSpan], transcript: Transcript, duration_s: float,
                pcm: np.ndarray, sample_rate: int, settings: AudioRedactionSettings,
                ) -> List[AlignedSpan]:
    """Where in the clip each span found in a transcript of its unredacted audio is silenced:
    through the transcript's word times, padded, fitted to the dip before the value and the
    pause after it (``settings``). The audit places what a second listen finds the same way.

    :raises AlignmentError: a span cannot be placed in time.
    """
    return align_spans(spans, transcript, duration_s,
                       pad_before_s=settings.pad_before_s, pad_after_s=settings.pad_after_s,
                       min_piece_s=settings.min_piece_s, pcm=pcm, sample_rate=sample_rate,
                       end_at_pause=None if settings.fixed_pads else settings.end_at_pause,
                       start_at_dip=None if settings.fixed_pads else settings.start_at_dip)


def redact_clip_pcm(clip: Clip, settings: AudioRedactionSettings
                    ) -> Tuple[np.ndarray, Tuple[RedactedEntity, ...]]:
    """Redacted int16 samples and the entity list with the time each one covers.

    Spans come from the text redaction (token-widened and merged), so audio and
    text cover the same words. A span that cannot be placed in time widens to
    its segment; if even that fails, ``align_spans`` raises and the clip is
    dead-lettered.
    """
    assert clip.pcm16 is not None and clip.transcript is not None
    redactions = list(clip.text_redactions)
    aligned = place_spans([r.as_span() for r in redactions], clip.transcript, clip.duration_s,
                          clip.pcm16, clip.sample_rate, settings)
    pcm = settings.apply(clip.pcm16, clip.sample_rate,
                         [(a.interval, r.entity_type) for r, a in zip(redactions, aligned)])
    if len(pcm) != len(clip.pcm16):
        raise AudioRedactionFailed("redacted audio length differs from the original")
    entities = tuple(
        RedactedEntity(
            entity_type=r.entity_type,
            char_start=r.redacted_start,
            char_end=r.redacted_end,
            audio_start_s=a.interval.start_s,
            audio_end_s=a.interval.end_s,
            score=r.score,
            recognizer=r.recognizer,
        )
        for r, a in zip(redactions, aligned)
    )
    return pcm, entities
