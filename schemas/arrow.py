"""The Arrow/Parquet schemas of voicescrub's three outputs, documented column by column.

Each column's description travels in the Parquet file as field metadata
(``description``), so a reader of the data sees the same text as the README.
"""

from __future__ import annotations

from typing import List, Tuple

import pyarrow as pa


def _field(name: str, type_: pa.DataType, description: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


PII_ENTITY_FIELDS: List[Tuple[str, pa.DataType, str]] = [
    ("entity_type", pa.string(), "Kind of PII, e.g. CREDIT_CARD, US_SSN, PERSON; AUDIT_RESIDUE for audio the "
     "re-listen audit silenced in addition (no placeholder: char_start = char_end = 0)."),
    ("char_start", pa.int32(), "Offset of the entity's placeholder in transcript_redacted."),
    ("char_end", pa.int32(), "Offset one past the placeholder's end in transcript_redacted."),
    ("audio_start_s", pa.float64(), "Start of the audio actually redacted for it, seconds from clip start (padded)."),
    ("audio_end_s", pa.float64(), "End of the audio actually redacted for it, seconds (padded, clamped to the clip)."),
    ("score", pa.float64(), "Detection confidence, 0 to 1."),
    ("recognizer", pa.string(), "Name of the recognizer(s) that found it, '+'-joined; never the value."),
]

PII_ENTITY_TYPE = pa.struct([_field(n, t, d) for n, t, d in PII_ENTITY_FIELDS])

UTTERANCE_FIELDS: List[Tuple[str, pa.DataType, str]] = [
    ("utterance_id", pa.string(), "The manifest's utterance_id, unchanged."),
    ("speaker_pseudonym", pa.string(),
     "HMAC-SHA-256 of the account ID under this epoch's key, base32: stable within an epoch, unlinkable across epochs."),
    ("pseudonym_epoch", pa.string(), "The key period the pseudonym belongs to (ISO week 2026-W45 by default); also the Hive partition."),
    ("recorded_at", pa.timestamp("us", tz="UTC"), "When the request was recorded, UTC, coarsened (to the hour by default)."),
    ("duration_s", pa.float64(), "Length of the clip (and of audio_redacted) in seconds."),
    ("language", pa.string(), "Language the ASR transcribed in."),
    ("transcript_redacted", pa.string(), "The ASR transcript with every PII entity replaced by [ENTITY_TYPE]."),
    ("audio_redacted", pa.binary(), "The clip, 16 kHz mono, with every PII span replaced by a tone or silence; encoded as audio_format."),
    ("audio_format", pa.string(), "Encoding of audio_redacted: flac (default) or wav."),
    ("sample_rate", pa.int32(), "Sample rate of audio_redacted in Hz."),
    ("pii_entities", pa.list_(PII_ENTITY_TYPE), "One entry per redacted entity: type, place in the text, audio time redacted, score, recognizer."),
    ("contains_critical_pii", pa.bool_(), "True when a banking or government-ID entity was found (the 'critical data' reviewers used to flag by hand)."),
    ("audit_passed", pa.bool_(),
     "True when re-transcribing the scrubbed audio found no PII (a clip still leaking after the last widening "
     "is dead-lettered, stage audit); null when the audit was skipped (--no-audit)."),
    ("audit_rounds", pa.int32(),
     "Times the scrubbed audio was re-transcribed: 1 = clean at once, n = n-1 widenings. "
     "With nothing found first, its second listens: 2 = heard packed, then alone (the transcript asked for a value), "
     "1 = heard once more, packed, 0 = not heard again; more where they heard PII (second_listen: entities). "
     "0 with --no-audit."),
    ("asr_model", pa.string(), "The speech model that made the transcript, e.g. faster-whisper/tiny.en."),
    ("pipeline_version", pa.string(), "voicescrub version that wrote the row."),
    ("processed_at", pa.timestamp("us", tz="UTC"), "When the row was produced, UTC."),
]

_UTTERANCE_NULLABLE = {"audit_passed"}

UTTERANCE_SCHEMA = pa.schema(
    [_field(n, t, d, nullable=n in _UTTERANCE_NULLABLE) for n, t, d in UTTERANCE_FIELDS])

DEAD_LETTER_FIELDS: List[Tuple[str, pa.DataType, str]] = [
    ("utterance_id", pa.string(), "The line's utterance_id when it could be read safely, else null."),
    ("manifest", pa.string(), "Path of the manifest the line came from."),
    ("line", pa.int64(), "1-based line number in that manifest."),
    ("stage", pa.string(), "Stage that refused the clip: manifest, select, language, read_audio, decode, transcribe, understanding, detect, redact_text, redact_audio, audit, pseudonymise."),
    ("error_type", pa.string(), "Type of the error, e.g. ManifestError, AudioDecodeError."),
    ("error_message", pa.string(), "Fixed description of the error; never a transcript, PII value or raw ID."),
    ("processed_at", pa.timestamp("us", tz="UTC"), "When the clip was refused, UTC."),
]

_DEAD_LETTER_NULLABLE = {"utterance_id"}

DEAD_LETTER_SCHEMA = pa.schema(
    [_field(n, t, d, nullable=n in _DEAD_LETTER_NULLABLE) for n, t, d in DEAD_LETTER_FIELDS])

#: Why a line was left out of review (``excluded.reason``), in the order they are judged.
EXCLUSION_REASONS = ("opted_out", "not_sampled", "speaker_cap")

EXCLUDED_FIELDS: List[Tuple[str, pa.DataType, str]] = [
    ("utterance_id", pa.string(), "The manifest's utterance_id, unchanged."),
    ("manifest", pa.string(), "Path of the manifest the line came from."),
    ("line", pa.int64(), "1-based line number in that manifest."),
    ("reason", pa.string(),
     "Why the clip was left out unread: opted_out (its account is on an --opt-out list), "
     "not_sampled (outside --review-sample-rate's keyed draw), speaker_cap (over "
     "--max-clips-per-speaker-epoch for its speaker and epoch)."),
    ("processed_at", pa.timestamp("us", tz="UTC"), "When the line was left out, UTC."),
]

EXCLUDED_SCHEMA = pa.schema([_field(n, t, d) for n, t, d in EXCLUDED_FIELDS])

#: Folder names under ``--output``.
UTTERANCES_DIR = "utterances"
DEAD_LETTER_DIR = "dead_letter"
EXCLUDED_DIR = "excluded"
PARTITION_COLUMN = "pseudonym_epoch"
