"""Stage 6b: the re-listen audit. Transcribe the scrubbed audio again; widen or give up.

The logic is in ``transforms/relisten.py``; this stage only supplies the
pipeline's own Whisper model and PII detector (the same shared instances the
transcribe and detect stages use, so nothing is loaded twice).
"""

from __future__ import annotations

from typing import Optional

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from apache_beam.utils.shared import Shared

from schemas.records import Clip
from transforms.alignment import AlignmentError
from transforms.asr import AsrSettings, transcribe_with
from transforms.audio import encode_pcm16, pcm16_to_float
from transforms.detect_pii import acquire_detector
from transforms.errors import ScrubError
from transforms.redact_audio import AudioRedactionSettings
from transforms.relisten import AuditSettings, audit_redaction
from transforms.shared_models import ModelHolder
from transforms.stage import METRICS_NAMESPACE, ClipStageFn, replace, run_clip_stage
from transforms.transcribe import acquire_whisper


class AuditFailed(ScrubError):
    """PII was still heard in the scrubbed audio after the last widening."""


class AuditRedactionFn(ClipStageFn):
    stage = "audit"

    def __init__(self, audit: AuditSettings, redaction: AudioRedactionSettings,
                 asr: AsrSettings, whisper_handle: Shared, pii_config_path: Optional[str],
                 spacy_model: Optional[str], detector_handle: Shared) -> None:
        super().__init__()
        self._audit = audit
        self._redaction = redaction
        self._asr = asr
        self._whisper_handle = whisper_handle
        self._pii_config_path = pii_config_path
        self._spacy_model = spacy_model
        self._detector_handle = detector_handle
        self._whisper: Optional[ModelHolder] = None
        self._detector: Optional[ModelHolder] = None
        self._widened = Metrics.counter(METRICS_NAMESPACE, "audit_widened")
        self._unchanged = Metrics.counter(METRICS_NAMESPACE, "audit_nothing_redacted")

    def setup(self) -> None:
        self._whisper = acquire_whisper(self._whisper_handle, self._asr)
        self._detector = acquire_detector(self._detector_handle, self._pii_config_path,
                                          self._spacy_model)

    def _relisten(self, pcm: np.ndarray):  # -> Transcript
        assert self._whisper is not None
        return transcribe_with(self._asr, self._whisper.value, pcm16_to_float(pcm))

    def _detect(self, text: str):  # -> List[PiiSpan]
        assert self._detector is not None
        return self._detector.value.detect(text)

    def process_clip(self, clip: Clip) -> Clip:
        if clip.redacted_pcm16 is None or clip.audio_redacted is None:
            raise AuditFailed("clip reached the audit without redacted audio")
        if not clip.entities:
            # Nothing was redacted: the scrubbed audio is sample for sample the
            # audio the transcribe and detect stages already heard and found
            # clean. Hearing it again would repeat that listen at the cost of a
            # second transcription of every PII-free clip.
            self._unchanged.inc()
            return replace(clip, redacted_pcm16=None, audit_passed=True, audit_rounds=0)
        try:
            outcome = audit_redaction(clip.redacted_pcm16, clip.duration_s, self._relisten,
                                      self._detect, lambda pcm, heard: self._redaction.apply(pcm, clip.sample_rate, heard),
                                      self._audit)
        except AlignmentError:
            raise AuditFailed("PII heard in the scrubbed audio cannot be placed in time") from None
        if not outcome.passed:
            raise AuditFailed("PII still heard in the scrubbed audio after the last widening")
        audio = clip.audio_redacted
        if outcome.residues:
            self._widened.inc()
            if len(outcome.pcm) != len(clip.redacted_pcm16):
                raise AuditFailed("widened audio length differs from the original")
            audio = encode_pcm16(outcome.pcm, clip.sample_rate, clip.audio_format)
        # The redacted PCM is dropped: only the encoded audio goes on. PII that
        # survived the first redaction is of unknown kind by then, so the clip is
        # flagged critical rather than risk under-flagging it.
        return replace(clip, audio_redacted=audio, entities=clip.entities + outcome.residues,
                       contains_critical_pii=clip.contains_critical_pii or bool(outcome.residues),
                       redacted_pcm16=None, audit_passed=True, audit_rounds=outcome.relistens)


class AuditRedaction(beam.PTransform):
    """Clips with redacted audio -> the same clips, audited (widened where PII was still heard).

    :param audit: rounds and padding of the widening.
    :param redaction: the audio redaction's treatment and tone (widenings sound the same).
    :param asr: the pipeline's ASR settings (the audit hears what the pipeline heard).
    :param whisper_handle: the pipeline's shared Whisper handle.
    :param pii_config_path: the PII config (as for ``DetectPii``).
    :param spacy_model: the spaCy model override (as for ``DetectPii``).
    :param detector_handle: the pipeline's shared detector handle.
    """

    def __init__(self, audit: AuditSettings, redaction: AudioRedactionSettings,
                 asr: AsrSettings, whisper_handle: Shared, pii_config_path: Optional[str],
                 spacy_model: Optional[str], detector_handle: Shared) -> None:
        super().__init__()
        self._args = (audit, redaction, asr, whisper_handle, pii_config_path, spacy_model,
                      detector_handle)

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, AuditRedactionFn(*self._args))
