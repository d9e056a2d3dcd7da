"""Stage 6: bleep (or silence) every PII span in the audio and encode it losslessly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence, Tuple

import apache_beam as beam
import numpy as np

from schemas.records import AudioInterval, Clip, RedactedEntity
from transforms.alignment import EndAtPause, StartAtDip, align_spans
from transforms.audio import encode_pcm16
from transforms.audio_redaction import redact_pcm_per_treatment
from transforms.errors import ScrubError
from transforms.stage import ClipStageFn, replace, run_clip_stage


class AudioRedactionFailed(ScrubError):
    """The redacted audio did not come out as expected; the clip is not released."""


@dataclass(frozen=True)
class AudioRedactionSettings:
    """How audio is redacted.

    :param treatment: default for every entity type: ``beep`` or ``silence``.
    :param treatment_by_entity: per-entity-type override (from the PII config).
    :param tone_hz: beep frequency.
    :param tone_level: ``match`` (the speech's level) or a fixed dBFS.
    :param pad_before_s: added before each span where ``start_at_dip`` is off or finds no
        room; tiny.en's word starts run late by about a fifth of a second, sometimes a third.
    :param pad_after_s: added after each span.
    :param min_piece_s: a span's words cover at least this many seconds per spoken piece
        (digit or run of letters) before padding: tiny.en can squeeze a short value such as
        a card expiry into a sliver of time (``align_spans``).
    :param end_at_pause: end each redaction at the pause after the PII, found in the clip's
        own audio, instead of ``pad_after_s`` (kept when there is no pause); None: fixed pad.
    :param start_at_dip: start each redaction at the quietest moment before the PII, found in
        the clip's own audio, instead of ``pad_before_s`` (kept when the clip's first instants
        leave no room); None: fixed pad.
    :param audio_format: ``flac`` or ``wav``.
    """

    treatment: str = "beep"
    treatment_by_entity: Mapping[str, str] = field(default_factory=dict)
    tone_hz: float = 1000.0
    tone_level: object = "match"
    pad_before_s: float = 0.30
    pad_after_s: float = 0.25
    min_piece_s: float = 0.12
    end_at_pause: Optional[EndAtPause] = EndAtPause(max_after_s=0.60)
    start_at_dip: Optional[StartAtDip] = StartAtDip()
    audio_format: str = "flac"

    def treatment_for(self, entity_type: str) -> str:
        """The PII config's treatment for ``entity_type``, else the default."""
        return self.treatment_by_entity.get(entity_type, self.treatment)

    def apply(self, pcm: np.ndarray, sample_rate: int,
              heard: Sequence[Tuple[AudioInterval, str]]) -> np.ndarray:
        """Beep or silence each (interval, entity type) in ``pcm``; a new array, same length."""
        treated = [(interval, self.treatment_for(entity_type)) for interval, entity_type in heard]
        return redact_pcm_per_treatment(pcm, sample_rate, treated, tone_hz=self.tone_hz,
                                        tone_level=self.tone_level)  # type: ignore[arg-type]


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
    aligned = align_spans([r.as_span() for r in redactions], clip.transcript, clip.duration_s,
                          pad_before_s=settings.pad_before_s, pad_after_s=settings.pad_after_s,
                          min_piece_s=settings.min_piece_s, pcm=clip.pcm16,
                          sample_rate=clip.sample_rate, end_at_pause=settings.end_at_pause,
                          start_at_dip=settings.start_at_dip)
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


class RedactAudioFn(ClipStageFn):
    stage = "redact_audio"

    def __init__(self, settings: AudioRedactionSettings) -> None:
        super().__init__()
        self._settings = settings

    def process_clip(self, clip: Clip) -> Clip:
        pcm, entities = redact_clip_pcm(clip, self._settings)
        audio = encode_pcm16(pcm, clip.sample_rate, self._settings.audio_format)
        # From here on only redacted material travels: the clear transcript,
        # the clear PCM and the raw spans are dropped. The redacted PCM stays
        # for the re-listen audit, which drops it.
        assert clip.transcript is not None
        return replace(clip, audio_redacted=audio, audio_format=self._settings.audio_format,
                       entities=entities, pcm16=None, transcript=None, spans=(),
                       redacted_pcm16=pcm,
                       lowest_word_probability=min((w.probability for w in clip.transcript.words), default=1.0))


class RedactAudio(beam.PTransform):
    """Clips with text redactions -> clips with redacted, encoded audio."""

    def __init__(self, settings: AudioRedactionSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, RedactAudioFn(self._settings))
