"""Stage 6b: the re-listen audit. Transcribe the scrubbed audio again; widen or give up.

The logic is in ``transforms/relisten.py``; this stage only supplies the
pipeline's own Whisper model and PII detector (the same shared instances the
transcribe and detect stages use, so nothing is loaded twice). Clips are
audited in batches, so their re-transcriptions are packed and batched exactly
like the first transcription (``transforms.asr.transcribe_batch``).

Clips with nothing redacted get a second listen: those whose transcript still
asks for a value (``PiiDetector.asks_for_value``) are heard packed with the
other clips like every re-listen, then alone (:func:`second_listen_settings`);
every other one is heard packed only (``second_listen.every_clip``, shipped on;
with it off, only those holding a word the ASR doubted, ``PiiDetector.doubts``).
PII heard in any of these listens dead-letters the clip (``MissedByFirstListen``).
Such a listen has no tone in it, so it is read like a first transcript.
"""

from __future__ import annotations

import dataclasses
import time
from typing import List, Optional, Sequence, Union

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.shared import Shared

from schemas.records import AudioInterval, Clip, Transcript
from transforms.alignment import AlignmentError
from transforms.asr import AsrSettings, transcribe_batch
from transforms.audio import encode_pcm16
from transforms.deadline import ClipTimeout, each_within, within
from transforms.detect_pii import acquire_detector
from transforms.errors import ScrubError
from transforms.redact_audio import AudioRedactionSettings
from transforms.relisten import AuditOutcome, AuditSettings, audit_batch
from transforms.shared_models import ModelHolder
from transforms.stage import (DEAD_LETTER, METRICS_NAMESPACE, dead_letter_for, replace,
                              run_batched_stage)
from transforms.transcribe import acquire_whisper, count_route
from transforms.understanding import Unintelligible, listens_disagree

STAGE = "audit"


class AuditFailed(ScrubError):
    """PII was still heard in the scrubbed audio after the last widening."""


class MissedByFirstListen(ScrubError):
    """A second listen heard PII in a clip whose first transcript showed none.

    The clip's transcript missed the value (its text may carry the value as the
    ASR garbled it), so neither its text nor its audio can be released.
    """


#: Clips audited together: their re-transcriptions share packed windows and
#: CTranslate2 batches (as in the transcribe stage).
DEFAULT_CLIPS_PER_BATCH = 48


def relisten_settings(asr: AsrSettings, beam_size: int) -> AsrSettings:
    """The pipeline's ASR settings as the audit uses them: with timestamp tokens,
    at the audit's own beam width.

    Scrubbed clips packed together (tone where the PII was) split cleanly far
    more often when Whisper closes a segment at each pause (a clip whose split is
    not clean costs a window of its own), and the re-listen hears more of what is
    left around the tones.
    """
    return dataclasses.replace(asr, timestamp_tokens=True, beam_size=beam_size)


def second_listen_settings(asr: AsrSettings) -> AsrSettings:
    """How a clip with nothing found is heard alone, after the audit's packed re-listen:
    the first pass's own decoding, in a window of its own.

    The first pass heard the clip packed with others. Two other views each catch
    values the other misses: the packed greedy re-listen hears some values an alone
    beam-5 listen does not, and the alone listen some that the packed one does not.
    """
    return dataclasses.replace(asr, pack=False, timestamp_tokens=False)


class AuditRedactionFn(beam.DoFn):
    """A batch of clips with redacted audio -> the same clips audited, or dead letters.

    Holds only configuration and shared handles (picklable); the models are the
    worker process's shared instances.
    """

    def __init__(self, audit: AuditSettings, redaction: AudioRedactionSettings,
                 asr: AsrSettings, whisper_handle: Shared, pii_config_path: Optional[str],
                 spacy_model: Optional[str], detector_handle: Shared) -> None:
        self._audit = audit
        self._redaction = redaction
        self._asr = relisten_settings(asr, audit.relisten_beam_size)
        self._second_asr = second_listen_settings(asr)
        self._whisper_handle = whisper_handle
        self._pii_config_path = pii_config_path
        self._spacy_model = spacy_model
        self._detector_handle = detector_handle
        self._whisper: Optional[ModelHolder] = None
        self._detector: Optional[ModelHolder] = None
        self._passed = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_passed")
        self._failed = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_failed")
        self._batch_ms = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_ms")
        self._widened = Metrics.counter(METRICS_NAMESPACE, "audit_widened")
        self._unchanged = Metrics.counter(METRICS_NAMESPACE, "audit_nothing_redacted")
        self._second_listen = Metrics.counter(METRICS_NAMESPACE, "audit_second_listen")
        self._second_listen_found = Metrics.counter(METRICS_NAMESPACE, "audit_second_listen_found")

    def start_bundle(self) -> None:
        # Acquired here rather than in ``setup`` so load counters are reported
        # from inside a bundle (see ``TranscribeBatchFn``); still once per process.
        if self._whisper is None:
            self._whisper = acquire_whisper(self._whisper_handle, self._asr)
            self._detector = acquire_detector(self._detector_handle, self._pii_config_path,
                                              self._spacy_model)

    def _transcribe_many(self, settings: AsrSettings, pcms: Sequence[np.ndarray],
                         redacted: Sequence[Sequence[AudioInterval]],
                         ) -> List[Union[Transcript, BaseException]]:
        assert self._whisper is not None
        # The tone (or silence) is no speech: a packed clip need not have words there.
        not_speech = [[(i.start_s, i.end_s) for i in intervals] for intervals in redacted]
        model = self._whisper.value
        try:
            outcomes = each_within(
                self._audit.clip_timeout_s, list(zip(pcms, not_speech)),
                lambda heard: transcribe_batch(model, [pcm for pcm, _ in heard], settings,
                                               [gaps for _, gaps in heard]))
        except Exception as error:  # noqa: BLE001 - fail closed: every clip of the call fails
            return [error for _ in pcms]
        results: List[Union[Transcript, BaseException]] = []
        for outcome in outcomes:
            if isinstance(outcome, ClipTimeout):
                results.append(outcome)
                continue
            count_route(STAGE, outcome)
            results.append(outcome.transcript if outcome.transcript is not None
                           else (outcome.error if outcome.error is not None
                                 else AuditFailed("re-transcription failed")))
        return results

    def _second_listen_views(self, clip: Clip) -> int:
        """How many more times to hear a clip with nothing redacted: 2 (packed, then alone)
        when its transcript asks for a value, 1 (packed with the others) for every other clip
        (``every_clip``) or, with that off, when the ASR doubted a word (opt-in), else 0. Its
        redacted transcript is the transcript itself (the clear one is dropped after audio
        redaction)."""
        assert self._detector is not None
        detector = self._detector.value
        if detector.asks_for_value(clip.transcript_redacted or ""):
            return 2
        if detector.hears_every_clip_again():
            return 1
        return 1 if detector.doubts(clip.lowest_word_probability) else 0

    def _detect(self, clip: Clip, text: str):  # -> List[PiiSpan]
        assert self._detector is not None
        if not clip.entities and listens_disagree(clip.transcript_redacted or "", text):
            # Nothing was redacted, so this is the audio the first pass heard: the same
            # speech understood twice gives the same words.
            raise Unintelligible("speech not understood: two listens of it disagree")
        # A re-listen hears the tone over a redacted value as stray words ("My PIN is
        # [tone]" -> "My PIN is stuck"): the detector reads it as such (see ``relisten``).
        # A clip with nothing redacted has no tone in it: its second listen is read like
        # a first transcript, value slots included.
        # A clip whose first transcript held banking PII is a banking clip, whatever its
        # re-listen kept of the words around the tone.
        detector = self._detector.value
        return within(self._audit.clip_timeout_s,
                      lambda: detector.detect(text, relisten=bool(clip.entities),
                                              banking_clip=clip.contains_critical_pii))

    # Left unannotated: Beam would read annotations as element type hints.
    def process(self, batch):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        redacted: List[Clip] = []
        second: List[Clip] = []
        asks: List[bool] = []  # per second-listen clip: also heard alone
        for clip in batch:
            if clip.redacted_pcm16 is None or clip.audio_redacted is None:
                yield self._dead(clip, AuditFailed("clip reached the audit without redacted audio"))
                continue
            if clip.entities:
                redacted.append(clip)
                continue
            views = self._second_listen_views(clip)
            if views:
                # The first listen may have garbled a value past detection, often with the
                # words that asked for it ("card expires" heard as "car gets higher").
                # Hearing it again, packed with other neighbours, is a second opinion.
                self._second_listen.inc()
                second.append(clip)
                asks.append(views == 2)
            else:
                # Second listens are off for this clip (``every_clip`` off and nothing asked
                # for): the scrubbed audio is sample for sample the audio the transcribe and
                # detect stages already heard and found clean.
                self._unchanged.inc()
                self._passed.inc()
                yield replace(clip, redacted_pcm16=None, audit_passed=True, audit_rounds=0)
        # Round one: every clip heard packed and greedy, the second-listen clips among the
        # redacted ones (nearly free: they share windows). Then the clips whose transcript
        # asks for a value and that passed are heard once more, alone: two views differ from
        # the first pass in different ways, and each catches values the other misses. A clip
        # that asks for nothing gets the packed view only: hearing those alone as well costs a
        # Whisper window each, which adds markedly to pipeline time.
        alone: List[Clip] = []
        also_alone = [False] * len(redacted) + asks
        heard = redacted + second
        for clip, outcome, more in zip(heard, self._audit_batch(heard, self._asr), also_alone):
            if more and outcome.passed and outcome.error is None:
                alone.append(clip)
                continue
            yield self._result(clip, outcome)
        for clip, outcome in zip(alone, self._audit_batch(alone, self._second_asr)):
            yield self._result(clip, outcome, earlier_relistens=1)
        self._batch_ms.inc(int((time.perf_counter() - started) * 1000))

    def _audit_batch(self, clips: Sequence[Clip], settings: AsrSettings):  # -> List[AuditOutcome]
        """Audit ``clips`` together, each re-listen decoded with ``settings``."""
        if not clips:
            return []
        return audit_batch(
            [clip.redacted_pcm16 for clip in clips], [clip.duration_s for clip in clips],
            [[AudioInterval(e.audio_start_s, e.audio_end_s) for e in clip.entities] for clip in clips],
            lambda pcms, redacted: self._transcribe_many(settings, pcms, redacted),
            lambda i, text: self._detect(clips[i], text),
            lambda i, pcm, more: self._redact_more(clips[i], pcm, more),
            self._audit)

    def _result(self, clip: Clip, outcome: AuditOutcome,
                earlier_relistens: int = 0):  # -> Clip or TaggedOutput
        try:
            result = self._audited(clip, outcome, earlier_relistens)
        except Exception as error:  # noqa: BLE001 - fail closed, this clip only
            return self._dead(clip, error)
        self._passed.inc()
        return result

    def _redact_more(self, clip: Clip, pcm: np.ndarray, more):  # more: [(AudioInterval, entity type)]
        if not clip.entities:
            # Heard on a second listen only: the first transcript missed this PII, so its
            # text cannot be trusted either. Stop here; the clip is dead-lettered.
            self._second_listen_found.inc()
            raise MissedByFirstListen("a second listen heard PII that the clip's transcript missed")
        return self._redaction.apply(pcm, clip.sample_rate, more)

    def _dead(self, clip: Clip, error: BaseException) -> TaggedOutput:
        self._failed.inc()
        return TaggedOutput(DEAD_LETTER, dead_letter_for(clip.entry, STAGE, error))

    def _audited(self, clip: Clip, outcome: AuditOutcome, earlier_relistens: int = 0) -> Clip:
        if isinstance(outcome.error, AlignmentError):
            raise AuditFailed("PII heard in the scrubbed audio cannot be placed in time")
        if outcome.error is not None:
            raise outcome.error
        if not outcome.passed:
            raise AuditFailed("PII still heard in the scrubbed audio after the last widening")
        assert clip.redacted_pcm16 is not None and clip.audio_redacted is not None
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
                       redacted_pcm16=None, audit_passed=True,
                       audit_rounds=earlier_relistens + outcome.relistens)


class AuditRedaction(beam.PTransform):
    """Clips with redacted audio -> the same clips, audited (widened where PII was still heard).

    Outputs ``.clips`` and ``[DEAD_LETTER]``, like every clip stage.

    :param audit: rounds and padding of the widening.
    :param redaction: the audio redaction's treatment and tone (widenings sound the same).
    :param asr: the pipeline's ASR settings (the audit hears what the pipeline heard).
    :param whisper_handle: the pipeline's shared Whisper handle.
    :param pii_config_path: the PII config (as for ``DetectPii``).
    :param spacy_model: the spaCy model override (as for ``DetectPii``).
    :param detector_handle: the pipeline's shared detector handle.
    :param clips_per_batch: most clips audited together (bounds memory).
    """

    def __init__(self, audit: AuditSettings, redaction: AudioRedactionSettings,
                 asr: AsrSettings, whisper_handle: Shared, pii_config_path: Optional[str],
                 spacy_model: Optional[str], detector_handle: Shared,
                 clips_per_batch: int = DEFAULT_CLIPS_PER_BATCH) -> None:
        super().__init__()
        self._args = (audit, redaction, asr, whisper_handle, pii_config_path, spacy_model,
                      detector_handle)
        self._clips_per_batch = clips_per_batch

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_batched_stage(clips, "AuditBatch", AuditRedactionFn(*self._args),
                                 self._clips_per_batch)
