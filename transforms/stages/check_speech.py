"""Stage 4: refuse clips whose speech the ASR did not understand, or heard in another language.

Runs on each first-pass transcript, before PII detection. Detection can only
find PII in words the ASR understood; a clip whose transcript is the model's
guess at speech it could not follow would otherwise be released as if it held
nothing to hide. Such a clip is dead-lettered:

- ``ForeignSpeech`` (stage ``language``): a multilingual model detected a language
  other than the run's language pack's in the clip;
- ``Unintelligible`` (stage ``understanding``): the decoder's own evidence
  (``transforms/language/understanding.py``) says it was unsure of the speech. An
  English-only model cannot detect a language, so this is what catches foreign
  speech there.
"""

from __future__ import annotations

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.language.packs import LanguagePack
from voicescrub.transforms.language.understanding import (
    ForeignSpeech,
    UnderstandingGate,
    Unintelligible,
    speech_evidence,
)
from voicescrub.transforms.runtime.clip_stage import ClipStageFn, run_clip_stage


class CheckSpeechFn(ClipStageFn):
    stage = "understanding"

    def __init__(self, pack: LanguagePack, gate: UnderstandingGate) -> None:
        super().__init__()
        self._pack = pack
        self._gate = gate

    def process_clip(self, clip: Clip) -> Clip:
        assert clip.transcript is not None and clip.pcm16 is not None
        detected = clip.transcript.detected_language
        if detected and detected != self._pack.asr_language:
            raise ForeignSpeech("the speech is not in the language of the clip's locale")
        reason = self._gate.refuses(speech_evidence(clip.transcript, clip.pcm16))
        if reason is not None:
            raise Unintelligible(f"speech not understood: {reason}")
        return clip


class CheckSpeech(beam.PTransform):
    """Transcribed clips -> those whose speech was understood in the pack's language."""

    def __init__(self, pack: LanguagePack, gate: UnderstandingGate) -> None:
        super().__init__()
        self._pack = pack
        self._gate = gate

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, CheckSpeechFn(self._pack, self._gate))
