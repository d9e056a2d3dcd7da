"""Plain record types passed between stages.

These are the in-memory shapes; the on-disk shapes are in ``schemas/arrow.py``.
They are frozen dataclasses so that Beam pickles them cheaply and no stage
mutates what another stage produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple


@dataclass(frozen=True)
class TimedWord:
    """One word of a transcript with its place in the text and in the audio.

    :param text: the word as it appears in ``Transcript.text`` (no leading space).
    :param char_start: offset of the word's first character in ``Transcript.text``.
    :param char_end: offset one past its last character.
    :param start_s: start time in seconds from the start of the clip, as the ASR gave it.
    :param end_s: end time in seconds; may be <= start_s when the ASR could not place it.
    :param probability: the ASR's confidence in the word.
    :param segment: index of the ASR segment the word came from.
    """

    text: str
    char_start: int
    char_end: int
    start_s: float
    end_s: float
    probability: float = 1.0
    segment: int = 0


@dataclass(frozen=True)
class Segment:
    """An ASR segment: a stretch of audio with its own words."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class Transcript:
    """What the ASR heard in one clip.

    ``text`` is the words as the ASR spaced them (a token such as ``,111``
    that continues a number is glued to it; otherwise one space between
    words and between segments). Every word's character span in ``text`` is
    exact, so a detected character span maps back to the words, and through
    them to audio time.
    """

    text: str
    words: Tuple[TimedWord, ...]
    segments: Tuple[Segment, ...] = ()
    language: str = "en"
    #: The language a multilingual model detected in the clip's speech ("" when the
    #: model is English-only and cannot tell).
    detected_language: str = ""


@dataclass(frozen=True)
class PiiSpan:
    """A detected piece of PII in a transcript.

    :param entity_type: Presidio entity name, e.g. ``CREDIT_CARD``.
    :param char_start: offset of the first character in ``Transcript.text``.
    :param char_end: offset one past the last character.
    :param score: detection confidence, 0..1.
    :param recognizer: name of the recognizer that found it (never the value).
    """

    entity_type: str
    char_start: int
    char_end: int
    score: float
    recognizer: str


@dataclass(frozen=True)
class AudioInterval:
    """A stretch of audio that is redacted, in seconds from the clip start."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class RedactedEntity:
    """One entity as written to ``pii_entities``: where it was in text and audio."""

    entity_type: str
    char_start: int
    char_end: int
    audio_start_s: float
    audio_end_s: float
    score: float
    recognizer: str


@dataclass(frozen=True)
class ManifestEntry:
    """One validated manifest line.

    ``account_id`` and ``device_id`` are raw identifiers: they must never be
    logged, raised or written; only the pseudonymise stage reads ``account_id``.
    """

    utterance_id: str
    account_id: str = field(repr=False)
    device_id: str = field(repr=False)
    recorded_at_us: int  # microseconds since the Unix epoch, UTC
    audio_uri: str  # absolute, resolved against the manifest's folder
    locale: str
    manifest: str
    line: int


@dataclass(frozen=True)
class DeadLetter:
    """Why one manifest line could not be scrubbed.

    ``error_message`` is written by our own code from a fixed vocabulary,
    never copied from an exception that could carry a transcript or an ID.
    """

    utterance_id: Optional[str]
    manifest: str
    line: int
    stage: str
    error_type: str
    error_message: str

    def as_row(self, processed_at: Any) -> dict:
        """The ``dead_letter`` Parquet row (``schemas/arrow.py``)."""
        return {
            "utterance_id": self.utterance_id,
            "manifest": self.manifest,
            "line": self.line,
            "stage": self.stage,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "processed_at": processed_at,
        }


@dataclass(frozen=True)
class Exclusion:
    """A manifest line left out of review unread (``excluded/``): never a failure, and
    never a clip anyone hears.

    :param reason: one of ``schemas.arrow.EXCLUSION_REASONS``.
    """

    utterance_id: str
    manifest: str
    line: int
    reason: str

    def as_row(self, processed_at: Any) -> dict:
        """The ``excluded`` Parquet row (``schemas/arrow.py``)."""
        return {
            "utterance_id": self.utterance_id,
            "manifest": self.manifest,
            "line": self.line,
            "reason": self.reason,
            "processed_at": processed_at,
        }


@dataclass(frozen=True)
class Clip:
    """One utterance on its way through the pipeline.

    Each stage returns a copy with its own fields filled (``dataclasses.replace``)
    and drops what later stages must not see: the raw file bytes go after
    decoding, the clear transcript and clear audio after redaction.
    """

    entry: ManifestEntry
    audio_bytes: Optional[bytes] = field(default=None, repr=False)
    pcm16: Optional[Any] = field(default=None, repr=False)  # numpy int16, 16 kHz mono
    sample_rate: int = 16000
    duration_s: float = 0.0
    transcript: Optional[Transcript] = field(default=None, repr=False)
    asr_model: str = ""
    spans: Tuple[PiiSpan, ...] = field(default=(), repr=False)
    transcript_language: str = ""
    transcript_redacted: Optional[str] = field(default=None, repr=False)
    text_redactions: Tuple[Any, ...] = field(default=(), repr=False)  # voicescrub.transforms.pii.text_redaction.TextRedaction
    contains_critical_pii: bool = False
    audio_redacted: Optional[bytes] = field(default=None, repr=False)
    audio_format: str = ""
    entities: Tuple[RedactedEntity, ...] = field(default=(), repr=False)
    redacted_pcm16: Optional[Any] = field(default=None, repr=False)  # kept for the audit only
    # The ASR's confidence in the transcript's least certain word (1.0 with no words), kept
    # for the audit's second listen after the transcript itself is dropped.
    lowest_word_probability: float = 1.0
    # Where each word of ``transcript_redacted`` is, in the text and in time:
    # ``(char_start, char_end, start_s, end_s)``, no text. Kept only for a clip with nothing
    # redacted (its redacted transcript is the transcript), so that PII its second listen
    # hears can be redacted in the text too; dropped by the audit.
    word_times: Tuple[Tuple[int, int, float, float], ...] = field(default=(), repr=False)
    audit_passed: Optional[bool] = None  # None: not audited (--no-audit)
    audit_rounds: int = 0  # re-transcriptions the audit did
