"""The re-listen audit: transcribe the scrubbed audio again and widen what still speaks PII.

Plain Python, no Beam: ``transforms/stages/audit.py`` wraps it with the real models;
``policy.py`` beside it says which clips are heard again and how.

After the audio is redacted, the redacted samples are transcribed again and
the detector runs on that new transcript. A detection means something of the
PII is still audible (a digit spoken just outside the padded interval, a word
the first transcript placed wrongly). Its span is placed in time through the
re-transcript's own word times, padded (more each time the same stretch is
widened, since word times lag), added to the redaction on top of the
already-redacted samples, and the clip is listened to again. When PII is still
heard in a stretch already widened ``max_rounds`` times, or the clip has been
heard ``max_relistens`` times and still speaks PII, the audit fails and the
caller dead-letters the clip. A residue within a first widening's pad of an
earlier widening is the same stretch. A residue heard anywhere else is a first
finding there, whatever the round: a long clip is heard afresh on each
listen, and a residue may turn up in its fifth minute on the third listen.

A clip the first pass found nothing in reaches the audit untouched, and its first
re-listen (a second listen) hears the audio the first pass heard: what it finds there
is placed as the first pass places its finds (``place_untouched``), fitted to the audio
rather than padded as a residue beside a tone; anything heard after that is a residue.

The audit only ever sees scrubbed audio: the clear samples of a clip with anything
redacted are gone by then. Every audit detection is taken seriously, hallucinations
over the tone included: a digit run the ASR "hears" in a beep cannot be told apart
from one it hears in leftover speech.

Each widening is reported as an ``AUDIT_RESIDUE`` entity in ``pii_entities``:
its audio times are what the audit silenced in addition; it has no
placeholder in the text (``char_start == char_end == 0``), because the text
redaction stays that of the first transcript.

Nothing here logs or raises text, values or times: error messages are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from voicescrub.schemas.records import (
    AudioInterval,
    PiiSpan,
    RedactedEntity,
    Transcript,
)
from voicescrub.transforms.audio.alignment import (
    AlignmentError,
    align_spans,
    merge_intervals,
)
from voicescrub.transforms.audit.policy import AuditSettings

#: Entity type of the extra audio the audit silenced (see module doc).
AUDIT_RESIDUE = "AUDIT_RESIDUE"

#: Re-transcribes 16-bit PCM of the clip.
Relisten = Callable[[np.ndarray], Transcript]
#: Finds PII spans in a transcript's text.
Detect = Callable[[str], Sequence[PiiSpan]]
#: Redacts ``(interval, entity_type)`` pairs on top of already-redacted PCM.
RedactMore = Callable[[np.ndarray, Sequence[Tuple[AudioInterval, str]]], np.ndarray]
#: Places in time the spans found in a listen of a clip's untouched audio, as the first pass
#: places what it finds: ``(spans, transcript, duration_s, pcm) -> one interval per span``.
PlaceUntouched = Callable[[Sequence[PiiSpan], Transcript, float, np.ndarray], Sequence[AudioInterval]]


@dataclass(frozen=True)
class AuditOutcome:
    """What the audit found and did.

    :param pcm: the redacted samples after every widening.
    :param residues: one entity per widened span, in the order found.
    :param relistens: re-transcriptions done (at least 1 unless the first one failed).
    :param passed: True when the last re-listen found no PII.
    :param error: what failed the audit of this clip, if something raised
        (``passed`` is then False).
    :param residue_types: the entity type heard at each residue, in the same order.
    """

    pcm: np.ndarray
    residues: Tuple[RedactedEntity, ...]
    relistens: int
    passed: bool
    error: Optional[BaseException] = None
    residue_types: Tuple[str, ...] = ()


def residue_entities(spans: Sequence[PiiSpan], transcript: Transcript, duration_s: float,
                     pad_before_s: float, pad_after_s: float) -> List[RedactedEntity]:
    """Place spans found in a re-transcript in time, as ``AUDIT_RESIDUE`` entities.

    A span whose words have no usable time widens to its segment (``align_spans``);
    if even that is impossible, ``AlignmentError`` propagates and the clip is
    dead-lettered rather than released.

    :param spans: detected spans, offsets into ``transcript.text``.
    :param transcript: the re-transcript of the redacted audio.
    :param duration_s: the clip's length; intervals are clamped to it.
    :param pad_before_s: seconds added before each span.
    :param pad_after_s: seconds added after each span.
    """
    aligned = align_spans(spans, transcript, duration_s,
                          pad_before_s=pad_before_s, pad_after_s=pad_after_s)
    return residues_at([a.span for a in aligned], [a.interval for a in aligned])


def residues_at(spans: Sequence[PiiSpan], intervals: Sequence[AudioInterval]) -> List[RedactedEntity]:
    """``AUDIT_RESIDUE`` entities for ``spans`` silenced at ``intervals`` (one per span): no
    placeholder in the text, the recognizer named ``audit:<name>``."""
    if len(intervals) != len(spans):
        raise AlignmentError("spans heard and places found differ in number")
    return [RedactedEntity(entity_type=AUDIT_RESIDUE, char_start=0, char_end=0,
                           audio_start_s=interval.start_s, audio_end_s=interval.end_s,
                           score=span.score, recognizer="audit:" + span.recognizer)
            for span, interval in zip(spans, intervals)]


def treated_residues(residues: Sequence[RedactedEntity], detected_types: Sequence[str],
                     ) -> List[Tuple[AudioInterval, str]]:
    """Pair each residue's interval with the entity type that was heard there.

    The caller picks the treatment (beep or silence) from the heard type.
    """
    return [(AudioInterval(r.audio_start_s, r.audio_end_s), t)
            for r, t in zip(residues, detected_types)]


def silenced_time_s(entities: Sequence[RedactedEntity]) -> float:
    """Total seconds covered by the entities' audio intervals (overlaps counted once)."""
    return sum(i.end_s - i.start_s for i in merge_intervals(
        AudioInterval(e.audio_start_s, e.audio_end_s) for e in entities))


#: Re-transcribes many clips' 16-bit PCM at once, given each clip's redacted
#: intervals (tone or silence: no speech there); a clip that could not be
#: transcribed gets the exception instead of a transcript.
RelistenMany = Callable[[Sequence[np.ndarray], Sequence[Sequence[AudioInterval]]],
                        Sequence[Union[Transcript, BaseException]]]
#: Finds PII spans in the re-transcript of clip ``i`` (its position in the batch): a clip
#: with tones in it and one with nothing redacted are read differently (``transforms/stages/audit.py``).
DetectOf = Callable[[int, str], Sequence[PiiSpan]]
#: Redacts more of clip ``i`` (its position in the batch) on top of its PCM.
RedactMoreOf = Callable[[int, np.ndarray, Sequence[Tuple[AudioInterval, str]]], np.ndarray]


def audit_batch(pcms: Sequence[np.ndarray], durations_s: Sequence[float],
                redacted: Sequence[Sequence[AudioInterval]], relisten_many: RelistenMany,
                detect: DetectOf, redact_more: RedactMoreOf,
                settings: AuditSettings, place_untouched: Optional[PlaceUntouched] = None,
                ) -> List[AuditOutcome]:
    """Re-listen to many redacted clips together, round by round, widening each until clean.

    Every round re-transcribes, in one call, the clips still under audit (so a
    batching, packing ASR serves the whole batch); each clip then passes,
    widens and goes to the next round, or fails, on its own. A clip whose
    re-transcription, detection or widening raised gets an outcome with that
    ``error`` and ``passed`` False; the other clips are unaffected.

    :param pcms: each clip's redacted int16 samples.
    :param durations_s: each clip's length.
    :param redacted: each clip's redacted intervals so far; the audit's own
        widenings are added as it goes, and every re-listen is told them.
    :param relisten_many: transcribes a list of PCM arrays (the pipeline's ASR settings).
    :param detect: the PII detector, given the clip's position and its re-transcript.
    :param redact_more: redacts extra intervals of clip ``i`` on top of its PCM.
    :param settings: rounds and padding.
    :param place_untouched: places what is found in a clip nothing was silenced in yet (a
        second listen of a clip the first pass found nothing in). Such a listen hears the
        audio the first pass heard, so its finds are placed as first finds are, fitted to the
        audio, not padded as a residue next to a tone; a residue left after that is widened
        as any other. ``None``: padded as residues.
    :return: one outcome per clip, in input order.
    """
    current = list(pcms)
    silenced: List[List[AudioInterval]] = [list(intervals) for intervals in redacted]
    # Per clip: each stretch the audit widened, and how many widenings it is the result of.
    widened: List[List[Tuple[AudioInterval, int]]] = [[] for _ in pcms]
    residues: List[List[RedactedEntity]] = [[] for _ in pcms]
    residue_types: List[List[str]] = [[] for _ in pcms]
    relistens = [0] * len(pcms)
    outcomes: List[Optional[AuditOutcome]] = [None] * len(pcms)

    def finish(i: int, passed: bool, error: Optional[BaseException] = None) -> None:
        outcomes[i] = AuditOutcome(current[i], tuple(residues[i]), relistens[i], passed, error,
                                   tuple(residue_types[i]))

    active = list(range(len(pcms)))
    while active:
        heard = relisten_many([current[i] for i in active], [silenced[i] for i in active])
        still_active: List[int] = []
        for i, transcript in zip(active, heard):
            if isinstance(transcript, BaseException):
                finish(i, False, transcript)
                continue
            relistens[i] += 1
            try:
                spans = list(detect(i, transcript.text))
                if not spans:
                    finish(i, True)
                    continue
                widenings = _widenings(spans, transcript, durations_s[i], widened[i],
                                       max(settings.pad_before_s, settings.pad_after_s))
                if relistens[i] >= settings.max_relistens or max(widenings) > settings.max_rounds:
                    finish(i, False)
                    continue
                if place_untouched is not None and not silenced[i]:
                    found = residues_at(spans, place_untouched(spans, transcript, durations_s[i], current[i]))
                else:
                    found = [entity for span, widening in zip(spans, widenings)
                             for entity in residue_entities([span], transcript, durations_s[i],
                                                            settings.pad_before_s * widening,
                                                            settings.pad_after_s * widening)]
                current[i] = redact_more(i, current[i],
                                         treated_residues(found, [s.entity_type for s in spans]))
            except Exception as error:  # noqa: BLE001 - this clip fails closed; the batch goes on
                finish(i, False, error)
                continue
            residues[i].extend(found)
            widened[i].extend((AudioInterval(r.audio_start_s, r.audio_end_s), widening)
                              for r, widening in zip(found, widenings))
            residue_types[i].extend(s.entity_type for s in spans)
            silenced[i].extend(AudioInterval(r.audio_start_s, r.audio_end_s) for r in found)
            still_active.append(i)
        active = still_active
    return [outcome for outcome in outcomes if outcome is not None]


def _widenings(spans: Sequence[PiiSpan], transcript: Transcript, duration_s: float,
                widened: Sequence[Tuple[AudioInterval, int]], reach_s: float) -> List[int]:
    """Which widening each span's would be: one more than the most any stretch it was heard in,
    or within ``reach_s`` of, was widened already (1 where none was). A residue just outside
    a widening is the same leak its pads fell short of (word times lag), so its pads grow."""
    counts: List[int] = []
    for span in spans:
        heard_at = [AudioInterval(r.audio_start_s, r.audio_end_s)
                    for r in residue_entities([span], transcript, duration_s, 0.0, 0.0)]
        counts.append(1 + max((times for stretch, times in widened for at in heard_at
                               if stretch.start_s - reach_s < at.end_s
                               and at.start_s < stretch.end_s + reach_s),
                              default=0))
    return counts


def audit_redaction(pcm: np.ndarray, duration_s: float, relisten: Relisten, detect: Detect,
                    redact_more: RedactMore, settings: AuditSettings) -> AuditOutcome:
    """Re-listen to one redacted clip and widen the redaction until no PII is heard.

    :param pcm: the redacted int16 samples.
    :param duration_s: the clip's length.
    :param relisten: transcribes PCM (the pipeline's ASR settings).
    :param detect: the PII detector.
    :param redact_more: redacts extra intervals on top of ``pcm``.
    :param settings: rounds and padding.
    :return: the final samples, residues and verdict; ``passed`` False means
        PII was still heard after ``settings.max_rounds`` widenings of the same stretch, or
        after ``settings.max_relistens`` listens.
    :raises AlignmentError: a residue cannot be placed in time (fail closed);
        any error of ``relisten``, ``detect`` or ``redact_more`` propagates too.
    """
    def relisten_one(batch: Sequence[np.ndarray], _: Sequence[Sequence[AudioInterval]]
                     ) -> List[Union[Transcript, BaseException]]:
        try:
            return [relisten(batch[0])]
        except Exception as error:  # noqa: BLE001 - re-raised below, as the caller expects
            return [error]

    outcome = audit_batch([pcm], [duration_s], [()], relisten_one, lambda _, text: detect(text),
                          lambda _, samples, heard: redact_more(samples, heard), settings)[0]
    if outcome.error is not None:
        raise outcome.error
    return outcome
