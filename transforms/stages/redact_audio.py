"""Stage 6: bleep (or silence) every PII span in the audio and encode it losslessly."""

from __future__ import annotations

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.audio.codec import encode_pcm16
from voicescrub.transforms.audio.redaction import (
    AudioRedactionSettings,
    redact_clip_pcm,
)
from voicescrub.transforms.runtime.clip_stage import (
    ClipStageFn,
    replace,
    run_clip_stage,
)


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
        # With nothing redacted, the redacted transcript is the transcript: its word times let
        # the audit redact, in the text as well, PII that a second listen hears.
        word_times = () if entities else tuple(
            (w.char_start, w.char_end, w.start_s, w.end_s) for w in clip.transcript.words)
        return replace(clip, audio_redacted=audio, audio_format=self._settings.audio_format,
                       entities=entities, pcm16=None, transcript=None, spans=(),
                       redacted_pcm16=pcm, word_times=word_times,
                       lowest_word_probability=min((w.probability for w in clip.transcript.words), default=1.0))


class RedactAudio(beam.PTransform):
    """Clips with text redactions -> clips with redacted, encoded audio."""

    def __init__(self, settings: AudioRedactionSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, RedactAudioFn(self._settings))
