"""The audit policy: which scrubbed clips are heard again, how, and for how long.

Every rule of the re-listen audit that a reader might look for is here:

- :class:`AuditSettings`: whether the audit runs, how many widenings it may make,
  how far each widening pads, the re-listen's beam width and time bound
  (command-line settings);
- :func:`relisten_settings` and :func:`second_listen_settings`: how a clip is heard
  again (packed with others and greedy, or alone with the first pass's decoding);
- :class:`SecondListenPolicy` (the PII config's ``second_listen`` section) and
  :func:`second_listens`: which clips with nothing redacted are heard again, and how
  many times.

``relisten.py`` carries the audit out; the audit stage supplies the models.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from voicescrub.schemas.settings import phrases, setting
from voicescrub.transforms.asr.whisper import AsrSettings
from voicescrub.transforms.pii.spoken_normaliser import phrase_pattern
from voicescrub.transforms.runtime.deadline import DEFAULT_CLIP_TIMEOUT_S


@dataclass(frozen=True)
class AuditSettings:
    """How the re-listen audit runs and widens a redaction.

    :param pad_before_s: padding before a residue's words in the first widening of a stretch;
        the ``n``-th widening of the same stretch pads ``n`` times as much (word starts lag by
        up to about a third of a second).
    :param max_relistens: most re-listens of one clip; still leaking PII at the last, it is
        dead-lettered.
    :param pad_after_s: padding after a residue's words, growing the same way.
    :param redaction_edge_heard_s: seconds of each redacted stretch a re-listen hears at
        each of its edges; the rest of it is cut from what the ASR is given.
    :param clip_timeout_s: most seconds one clip may take in one re-listen, and in the
        detection of what it heard (the run's ``--clip-timeout-s``); a clip over it is
        dead-lettered.
    """

    enabled: bool = setting(True, "re-listen to the scrubbed audio; widen or dead-letter what "
                            "still speaks PII")
    max_rounds: int = setting(2, "widenings of one stretch before a clip still leaking PII there "
                              "is dead-lettered", minimum=0)
    # Each listen that finds PII widens at least one stretch, and a long clip heard afresh may
    # show a residue far from the last one on any listen; this bounds the time one clip takes.
    max_relistens: int = 6
    # Greedy: it finds as many residues as beam 5 and leaves no more PII audible, splits
    # more packed clips cleanly, and takes less than half the time (benchmarks/throughput.py).
    relisten_beam_size: int = setting(1, "beam width of the audit's re-listen (1 = greedy)",
                                      minimum=1, flag="--audit-beam-size")
    pad_before_s: float = 0.35
    pad_after_s: float = 0.30
    # A re-listen hears this much of each redacted stretch at its start and at its end
    # and not its middle (``condensed.py``): the speech either side still meets a tone
    # or silence, and windows are not spent on tone.
    redaction_edge_heard_s: float = 0.25
    clip_timeout_s: float = DEFAULT_CLIP_TIMEOUT_S


def relisten_settings(asr: AsrSettings, audit: AuditSettings) -> AsrSettings:
    """The pipeline's ASR settings as the audit uses them: with timestamp tokens,
    at the audit's own beam width.

    Scrubbed clips packed together (tone where the PII was) split cleanly far
    more often when Whisper closes a segment at each pause (a clip whose split is
    not clean costs a window of its own), and the re-listen hears more of what is
    left around the tones.
    """
    return dataclasses.replace(asr, timestamp_tokens=True, beam_size=audit.relisten_beam_size)


def second_listen_settings(asr: AsrSettings) -> AsrSettings:
    """How a clip with nothing found is heard alone, after the audit's packed re-listen:
    the first pass's own decoding, in a window of its own.

    The first pass heard the clip packed with others. Two other views each catch
    values the other misses: the packed greedy re-listen hears some values an alone
    beam-5 listen does not, and the alone listen some that the packed one does not.
    """
    return dataclasses.replace(asr, pack=False, timestamp_tokens=False)


@dataclass(frozen=True)
class SecondListenPolicy:
    """Which clips the audit hears again although nothing was found in them.

    tiny.en garbles exactly the value a request dictates ("card ending in 2398"
    heard as "card ending into 3 I need"): the request's words survive, the value
    does not, detection finds nothing, and the clip would go out unbleeped. A
    clip whose transcript still asks for a value (banking context as the digit-run
    fail-safe reads it, or one of ``cue_words``) while nothing was detected is
    heard twice more by the audit, packed with other clips and then alone. PII
    either view hears is redacted where it was heard, or dead-letters the clip when
    the first transcript cannot place it. Absent from the PII config, the section
    is off.
    """

    enabled: bool = setting(True, "off: clips with nothing redacted are never heard twice")
    banking_context: bool = setting(True, "banking context anywhere in the transcript asks "
                                    "for a value")
    cue_words: Tuple[str, ...] = setting((), "words or phrases (lower case, whole words) that "
                                         "ask for a value outside banking: credentials, "
                                         "contacts, addresses, birth dates", parse=phrases)
    word_probability_below: float = setting(
        0.0, "a clip whose least confident word the ASR scored under this is heard once more, "
        "packed with the others: a garbled value leaves words the ASR doubts even where no "
        "cue survived; 0 turns it off", minimum=0.0, maximum=1.0)
    every_clip: bool = setting(
        True, "every clip with nothing found is heard once more, packed with the audit's "
        "other clips (those that ask for a value are still heard alone as well): a garbled "
        "value often leaves no cue at all ('card expires' heard as 'car gets higher')")


#: A section left out of the PII config.
SECOND_LISTEN_OFF = SecondListenPolicy(enabled=False)


class SecondListens(enum.IntEnum):
    """How many more times the audit hears a clip with nothing redacted."""

    NONE = 0
    PACKED = 1  # once, packed with the audit's other clips
    PACKED_THEN_ALONE = 2  # packed, then (if that was clean) alone


@functools.lru_cache(maxsize=8)
def _cue_pattern(cue_words: Tuple[str, ...]) -> Optional["re.Pattern[str]"]:
    return phrase_pattern(cue_words) if cue_words else None


def asks_for_value(policy: SecondListenPolicy, transcript: str,
                   has_banking_context: Callable[[str], bool]) -> bool:
    """Whether a transcript reads like a request that gives a value: banking context
    (as the PII detector reads it, ``has_banking_context``) or one of the cue words."""
    if not policy.enabled or not transcript or not transcript.strip():
        return False
    if policy.banking_context and has_banking_context(transcript):
        return True
    pattern = _cue_pattern(policy.cue_words)
    return bool(pattern is not None and pattern.search(transcript))


def second_listens(policy: SecondListenPolicy, transcript: str, lowest_word_probability: float,
                   has_banking_context: Callable[[str], bool]) -> SecondListens:
    """How many more times to hear a clip with nothing redacted (its redacted transcript is
    the transcript itself).

    Twice (packed, then alone) when its transcript asks for a value; once (packed) for every
    other clip with ``every_clip``, or, with that off, when the ASR doubted one of its words
    (``word_probability_below``); else not at all.
    """
    if not policy.enabled:
        return SecondListens.NONE
    if asks_for_value(policy, transcript, has_banking_context):
        return SecondListens.PACKED_THEN_ALONE
    if policy.every_clip or lowest_word_probability < policy.word_probability_below:
        return SecondListens.PACKED
    return SecondListens.NONE
