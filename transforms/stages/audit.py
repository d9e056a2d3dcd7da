"""Stage 6b: the re-listen audit. Transcribe the scrubbed audio again; widen or give up.

The audit's logic is in ``transforms/audit/relisten.py`` and its policy (who is
heard again, how, how often) in ``transforms/audit/policy.py``; this stage only
supplies the pipeline's own Whisper model and PII detector (the same shared
instances the transcribe and detect stages use, so nothing is loaded twice).
Clips are audited in batches, so their re-transcriptions are packed and batched
exactly like the first transcription (``transforms.asr.whisper.transcribe_batch``).
PII heard in a second listen of a clip with nothing redacted (of a request that asks for no
value, only what it heard anew: not the first transcript's own number written again,
``PiiDetector.heard_anew``) is silenced where that listen heard it and redacted from the words
the first transcript placed there
(``transforms/audit/relocation.py``); where it cannot be placed in the text, the clip is
dead-lettered (``MissedByFirstListen``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import apache_beam as beam
import numpy as np
from voicescrub.schemas.records import AudioInterval, Clip, PiiSpan, Transcript
from voicescrub.transforms.asr.whisper import SAMPLE_RATE, AsrSettings, transcribe_batch
from voicescrub.transforms.audio.alignment import AlignmentError
from voicescrub.transforms.audio.codec import encode_pcm16
from voicescrub.transforms.audio.redaction import AudioRedactionSettings, place_spans
from voicescrub.transforms.audit.condensed import condense
from voicescrub.transforms.audit.policy import (
    AuditSettings,
    SecondListens,
    asks_for_value,
    relisten_settings,
    second_listen_settings,
    second_listens,
)
from voicescrub.transforms.audit.relisten import AuditOutcome, audit_batch
from voicescrub.transforms.audit.relocation import Heard, relocate
from voicescrub.transforms.language.understanding import (
    Unintelligible,
    listens_disagree,
)
from voicescrub.transforms.pii.config import PiiConfig
from voicescrub.transforms.runtime.clip_stage import (
    DEFAULT_CLIPS_PER_BATCH,
    BatchStageFn,
    counter,
    replace,
    run_batched_stage,
)
from voicescrub.transforms.runtime.deadline import ClipTimeout, each_within, within
from voicescrub.transforms.runtime.errors import ScrubError
from voicescrub.transforms.runtime.models import ModelHolder, SharedModels


class AuditFailed(ScrubError):
    """PII was still heard in the scrubbed audio after the last widening."""


class MissedByFirstListen(ScrubError):
    """A second listen heard PII in a clip whose first transcript showed none, and it
    cannot be placed in that transcript.

    The clip's transcript missed the value (its text may carry the value as the
    ASR garbled it), so neither its text nor its audio can be released.
    """


#: Per clip of an audit batch (by position): what its second listen heard and the audit
#: silenced, ``(interval, entity type)``, before any widening of its own.
FirstHeard = Dict[int, List[Tuple[AudioInterval, str]]]



class AuditRedactionFn(BatchStageFn):
    """A batch of clips with redacted audio -> the same clips audited, or dead letters.

    Holds only configuration and shared handles (picklable); the models are the
    worker process's shared instances.
    """

    stage = "audit"

    def __init__(self, audit: AuditSettings, *, redaction: AudioRedactionSettings,
                 asr: AsrSettings, pii: PiiConfig, models: SharedModels) -> None:
        super().__init__()
        self._audit = audit
        self._redaction = redaction
        self._pii = pii
        self._asr = relisten_settings(asr, audit)
        self._second_asr = second_listen_settings(asr)
        self._models = models
        self._whisper: Optional[ModelHolder] = None
        self._detector: Optional[ModelHolder] = None
        self._widened = counter("audit_widened")
        self._unchanged = counter("audit_nothing_redacted")
        self._second_listen = counter("audit_second_listen")
        self._second_listen_found = counter("audit_second_listen_found")
        self._second_listen_redacted = counter("audit_second_listen_redacted")
        # Second listens that wrote the first transcript's own number again (not counted as found).
        self._second_listen_heard_again = counter("audit_second_listen_heard_again")

    def start_bundle(self) -> None:
        super().start_bundle()
        # Acquired here rather than in ``setup`` so load counters are reported
        # from inside a bundle (see ``TranscribeBatchFn``); still once per process.
        if self._whisper is None:
            self._whisper = self._models.whisper_for(self._asr)
            self._detector = self._models.detector_for(self._pii)

    def _transcribe_many(self, settings: AsrSettings, pcms: Sequence[np.ndarray],
                         redacted: Sequence[Sequence[AudioInterval]],
                         ) -> List[Union[Transcript, BaseException]]:
        assert self._whisper is not None
        model = self._whisper.value
        try:
            # Most of a redacted stretch is cut from what is heard; the tone (or silence)
            # left at its edges is no speech, so a packed clip need not have words there.
            heard = [condense(pcm, SAMPLE_RATE, intervals, self._audit.redaction_edge_heard_s)
                     for pcm, intervals in zip(pcms, redacted)]
            outcomes = each_within(
                self._audit.clip_timeout_s, heard,
                lambda clips: transcribe_batch(model, [clip.pcm for clip in clips], settings,
                                               [clip.not_speech for clip in clips]))
        except Exception as error:  # noqa: BLE001 - fail closed: every clip of the call fails
            return [error for _ in pcms]
        results: List[Union[Transcript, BaseException]] = []
        for clip, outcome in zip(heard, outcomes):
            if isinstance(outcome, ClipTimeout):
                results.append(outcome)
                continue
            self.count_route(outcome.route)
            results.append(clip.restore(outcome.transcript) if outcome.transcript is not None
                           else (outcome.error if outcome.error is not None
                                 else AuditFailed("re-transcription failed")))
        return results

    def _second_listens(self, clip: Clip) -> SecondListens:
        assert self._detector is not None
        return second_listens(self._pii.second_listen, clip.transcript_redacted or "",
                              clip.lowest_word_probability,
                              self._detector.value.has_banking_context)

    def _detect(self, clip: Clip, text: str, heard: Sequence[Tuple[AudioInterval, str]] = ()):  # -> List[PiiSpan]
        """PII in a re-listen of ``clip``; ``heard``: what its second listen heard and the
        audit silenced (the clip has tones in it now)."""
        assert self._detector is not None
        if not clip.entities and not heard and listens_disagree(clip.transcript_redacted or "", text):
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
        banking = clip.contains_critical_pii or any(
            entity_type in self._pii.critical_entities for _, entity_type in heard)
        relisten = bool(clip.entities or heard)
        first = clip.transcript_redacted or ""

        def read():  # -> Tuple[List[PiiSpan], List[PiiSpan]]: found, and what counts of it
            found = detector.detect(text, relisten=relisten, banking_clip=banking)
            if relisten or banking or any(self._asks_for_value(t) for t in (first, text)):
                return found, found
            # A plain request heard a second time: what it found counts where it heard
            # more than the first listen did.
            return found, detector.heard_anew(first, text, found)

        found, counted = within(self._audit.clip_timeout_s, read)
        if len(counted) < len(found):
            self._second_listen_heard_again.inc()
        return counted

    def _asks_for_value(self, transcript: str) -> bool:
        assert self._detector is not None
        return asks_for_value(self._pii.second_listen, transcript, self._detector.value.has_banking_context)

    def process_clips(self, clips: List[Clip]) -> Iterator[Any]:
        redacted: List[Clip] = []
        second: List[Clip] = []
        also_alone: List[bool] = []  # per second-listen clip: also heard alone
        for clip in clips:
            if clip.redacted_pcm16 is None or clip.audio_redacted is None:
                yield self.dead(clip, AuditFailed("clip reached the audit without redacted audio"))
                continue
            if clip.entities:
                redacted.append(clip)
                continue
            listens = self._second_listens(clip)
            if listens:
                # The first listen may have garbled a value past detection, often with the
                # words that asked for it ("card expires" heard as "car gets higher").
                # Hearing it again, packed with other neighbours, is a second opinion.
                self._second_listen.inc()
                second.append(clip)
                also_alone.append(listens == SecondListens.PACKED_THEN_ALONE)
            else:
                # Second listens are off for this clip: the scrubbed audio is sample for
                # sample the audio the transcribe and detect stages already heard and
                # found clean.
                self._unchanged.inc()
                yield self.passed(replace(clip, redacted_pcm16=None, word_times=(), audit_passed=True,
                                          audit_rounds=0))
        # Round one: every clip heard packed and greedy, the second-listen clips among the
        # redacted ones (nearly free: they share windows). Then the clips whose transcript
        # asks for a value and that passed are heard once more, alone: two views differ from
        # the first pass in different ways, and each catches values the other misses. A clip
        # that asks for nothing gets the packed view only: hearing those alone as well costs a
        # Whisper window each, which adds markedly to pipeline time.
        # A clip whose packed second listen heard PII is heard alone as well, on the audio the
        # packed listens left, carrying over what they heard.
        alone: List[Clip] = []
        packed: Dict[int, AuditOutcome] = {}  # by position in ``alone``: what the packed listens did
        heard = redacted + second
        more = [False] * len(redacted) + also_alone
        outcomes, first_heard = self._audit_batch(heard, self._asr)
        for i, (clip, outcome, hear_alone) in enumerate(zip(heard, outcomes, more)):
            if hear_alone and outcome.passed and outcome.error is None:
                if i in first_heard:
                    packed[len(alone)] = outcome
                alone.append(clip)
                continue
            yield self._result(clip, outcome, i in first_heard)
        outcomes, first_heard = self._audit_batch(alone, self._second_asr, packed)
        for i, (clip, outcome) in enumerate(zip(alone, outcomes)):
            before = packed.get(i)
            if before is not None:
                outcome = dataclasses.replace(
                    outcome, residues=before.residues + outcome.residues,
                    residue_types=before.residue_types + outcome.residue_types,
                    relistens=before.relistens + outcome.relistens)
            yield self._result(clip, outcome, i in first_heard,
                               earlier_relistens=0 if before is not None else 1)

    def _audit_batch(self, clips: Sequence[Clip], settings: AsrSettings,
                     earlier: Optional[Dict[int, AuditOutcome]] = None,
                     ) -> Tuple[List[AuditOutcome], FirstHeard]:
        """Audit ``clips`` together, each re-listen decoded with ``settings``; with what the
        second listen of each clip with nothing redacted heard, by position. ``earlier``: by
        position, what an earlier view's listens did to a clip with nothing redacted (it is
        heard as they left it, with what they heard)."""
        earlier = earlier or {}
        first_heard: FirstHeard = {
            i: [(AudioInterval(r.audio_start_s, r.audio_end_s), t)
                for r, t in zip(outcome.residues, outcome.residue_types)]
            for i, outcome in earlier.items()}
        if not clips:
            return [], first_heard
        silenced = [[AudioInterval(e.audio_start_s, e.audio_end_s) for e in clip.entities]
                    + [interval for interval, _ in first_heard.get(i, ())] for i, clip in enumerate(clips)]
        outcomes = audit_batch(
            [earlier[i].pcm if i in earlier else clip.redacted_pcm16 for i, clip in enumerate(clips)],
            [clip.duration_s for clip in clips], silenced,
            lambda pcms, redacted: self._transcribe_many(settings, pcms, redacted),
            lambda i, text: self._detect(clips[i], text, first_heard.get(i, ())),
            lambda i, pcm, more: self._redact_more(clips[i], pcm, more, first_heard, i),
            self._audit, self._place_untouched)
        return outcomes, first_heard

    def _result(self, clip: Clip, outcome: AuditOutcome, second_listen_found: bool = False,
                earlier_relistens: int = 0) -> Any:
        try:
            return self.passed(self._audited(clip, outcome, earlier_relistens, second_listen_found))
        except Exception as error:  # noqa: BLE001 - fail closed, this clip only
            return self.dead(clip, error)

    def _place_untouched(self, spans: Sequence[PiiSpan], transcript: Transcript, duration_s: float,
                         pcm: np.ndarray) -> List[AudioInterval]:
        return [a.interval for a in place_spans(spans, transcript, duration_s, pcm, SAMPLE_RATE,
                                                self._redaction)]

    def _redact_more(self, clip: Clip, pcm: np.ndarray, more: Sequence[Tuple[AudioInterval, str]],
                     first_heard: FirstHeard, index: int) -> np.ndarray:
        if not clip.entities and index not in first_heard:
            # Heard on a second listen only: the first transcript missed this PII. It is
            # silenced where the second listen heard it (and, once the clip is heard clean,
            # redacted from the words the first transcript placed there); a clip whose
            # transcript has no word times cannot be placed and stops here.
            self._second_listen_found.inc()
            if not clip.word_times:
                raise MissedByFirstListen("a second listen heard PII that the clip's transcript missed")
            first_heard[index] = list(more)
        return self._redaction.apply(pcm, clip.sample_rate, more)

    def _relocated(self, clip: Clip, outcome: AuditOutcome) -> Tuple[Clip, np.ndarray]:
        """``clip`` with everything its listens heard (every residue of ``outcome``: its first
        transcript is known to have missed PII) redacted in its transcript, listed as entities
        of the type heard; and ``outcome``'s samples with the audio under the replaced words
        silenced as well."""
        heard = [Heard(AudioInterval(r.audio_start_s, r.audio_end_s), entity_type, r.score,
                       r.recognizer.split(":", 1)[-1])
                 for r, entity_type in zip(outcome.residues, outcome.residue_types)]
        placed = relocate(clip.transcript_redacted or "", clip.word_times, heard,
                          self._audit.pad_before_s, self._audit.pad_after_s,
                          self._pii.critical_entities)
        if placed is None:
            raise MissedByFirstListen("a second listen heard PII that cannot be placed in the "
                                      "clip's transcript")
        text, entities = placed
        pcm = self._redaction.apply(outcome.pcm, clip.sample_rate,
                                    [(AudioInterval(e.audio_start_s, e.audio_end_s), e.entity_type)
                                     for e in entities])
        self._second_listen_redacted.inc()
        return replace(clip, transcript_redacted=text, entities=entities,
                       contains_critical_pii=clip.contains_critical_pii or any(
                           e.entity_type in self._pii.critical_entities for e in entities)), pcm

    def _audited(self, clip: Clip, outcome: AuditOutcome, earlier_relistens: int = 0,
                 second_listen_found: bool = False) -> Clip:
        if isinstance(outcome.error, AlignmentError):
            raise AuditFailed("PII heard in the scrubbed audio cannot be placed in time")
        if outcome.error is not None:
            raise outcome.error
        if not outcome.passed:
            raise AuditFailed("PII still heard in the scrubbed audio after the last widening")
        assert clip.redacted_pcm16 is not None and clip.audio_redacted is not None
        audio = clip.audio_redacted
        pcm = outcome.pcm
        residues = outcome.residues
        if second_listen_found:
            clip, pcm = self._relocated(clip, outcome)
            residues = ()  # each is an entity of the type heard now
        if outcome.residues:
            if len(pcm) != len(clip.redacted_pcm16):
                raise AuditFailed("widened audio length differs from the original")
            audio = encode_pcm16(pcm, clip.sample_rate, clip.audio_format)
        if residues:
            self._widened.inc()
        # The redacted PCM and word times are dropped: only the encoded audio goes on. PII
        # that survived the first redaction is of unknown kind by then, so the clip is
        # flagged critical rather than risk under-flagging it.
        return replace(clip, audio_redacted=audio, entities=clip.entities + residues,
                       contains_critical_pii=clip.contains_critical_pii or bool(residues),
                       redacted_pcm16=None, word_times=(), audit_passed=True,
                       audit_rounds=earlier_relistens + outcome.relistens)


class AuditRedaction(beam.PTransform):
    """Clips with redacted audio -> the same clips, audited (widened where PII was still heard).

    Outputs ``.clips`` and ``[DEAD_LETTER]``, like every clip stage.

    :param audit: rounds, padding, beam width and time bound of the audit.
    :param redaction: the audio redaction's treatment and tone (widenings sound the same).
    :param asr: the pipeline's ASR settings (the audit hears what the pipeline heard).
    :param pii: the run's parsed PII configuration (its ``second_listen`` section included).
    :param models: the run's shared model handles.
    :param clips_per_batch: places per call (a clip takes one per 10 s of audio begun,
        ``clip_stage.batch_places``): bounds memory.
    """

    def __init__(self, audit: AuditSettings, *, redaction: AudioRedactionSettings,
                 asr: AsrSettings, pii: PiiConfig, models: SharedModels,
                 clips_per_batch: int = DEFAULT_CLIPS_PER_BATCH) -> None:
        super().__init__()
        self._fn = AuditRedactionFn(audit, redaction=redaction, asr=asr, pii=pii, models=models)
        self._clips_per_batch = clips_per_batch

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_batched_stage(clips, "AuditBatch", self._fn, self._clips_per_batch)
