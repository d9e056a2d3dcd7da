"""Assemble the voicescrub graph. Builds only; running is ``pipeline/run.py``'s job.

    manifest ─► check locale ─► drop opted-out ─► draw review sample ─► read audio ─► decode
             ─► transcribe ─► check speech ─► detect PII ─► redact text ─► redact audio
             ─► re-listen audit ─► pseudonymise ─► utterances/ (Parquet, by epoch)
    clips left out unread ─────────────────────────► excluded/ (Parquet)
    every stage's failures ─────────────────────────► dead_letter/ (Parquet)
"""

from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from voicescrub.pipeline.options import JobConfig
from voicescrub.schemas.arrow import (
    DEAD_LETTER_DIR,
    DEAD_LETTER_SCHEMA,
    EXCLUDED_DIR,
    EXCLUDED_SCHEMA,
    PARTITION_COLUMN,
    UTTERANCE_SCHEMA,
    UTTERANCES_DIR,
)
from voicescrub.transforms.runtime.clip_stage import DEAD_LETTER, EXCLUDED, MAIN
from voicescrub.transforms.runtime.models import SharedModels
from voicescrub.transforms.stages.audit import AuditRedaction
from voicescrub.transforms.stages.check_locale import CheckLocale
from voicescrub.transforms.stages.check_speech import CheckSpeech
from voicescrub.transforms.stages.decode_audio import DecodeAudio
from voicescrub.transforms.stages.detect_pii import DetectPii
from voicescrub.transforms.stages.pseudonymise import Pseudonymise, ResolveEpochKeys
from voicescrub.transforms.stages.read_audio import ReadAudio
from voicescrub.transforms.stages.read_manifest import (
    DropDuplicateUtterances,
    ReadManifest,
)
from voicescrub.transforms.stages.redact_audio import RedactAudio
from voicescrub.transforms.stages.redact_text import RedactText
from voicescrub.transforms.stages.select_for_review import (
    DrawReviewSample,
    DropOptedOut,
)
from voicescrub.transforms.stages.transcribe import Transcribe
from voicescrub.transforms.stages.write_parquet import PublishFiles, WriteParquet


def build_pipeline(p: beam.Pipeline, config: JobConfig, run_tag: str) -> None:
    """Add the whole scrubbing graph to ``p``.

    :param config: validated job settings, with the PII config parsed
        (``pipeline.options.parse_job_args``).
    :param run_tag: names this run's output files (see ``pipeline.options.run_tag_for``).
    """
    if config.pii is None:
        raise ValueError("build_pipeline needs the parsed PII config (parse_job_args)")
    # One handle per model kind: every DoFn instance in a worker process shares one model.
    models = SharedModels()
    timeout_s = config.clip_timeout_s

    manifest = p | "ReadManifest" >> ReadManifest(config.manifest)
    unique = manifest.clips | "DropDuplicateUtterances" >> DropDuplicateUtterances()
    located = unique.clips | "CheckLocale" >> CheckLocale(config.coverage)
    ready_epochs = located.clips | "ResolveEpochKeys" >> ResolveEpochKeys(config.pseudonyms)
    utterances_dir = FileSystems.join(config.output, UTTERANCES_DIR)
    to_review, exclusions, selection_stages = located.clips, [], []
    if config.selection.opt_out:
        opted_in = to_review | "DropOptedOut" >> DropOptedOut(
            config.selection.opt_out, config.pseudonyms, ready_epochs)
        to_review = opted_in.clips
        exclusions.append(opted_in[EXCLUDED])
        selection_stages.append(opted_in)
    if config.selection.draws:
        sampled = to_review | "DrawReviewSample" >> DrawReviewSample(
            config.selection, config.pseudonyms, ready_epochs, utterances_dir, run_tag)
        to_review = sampled[MAIN]
        exclusions.append(sampled[EXCLUDED])
        selection_stages.append(sampled)
    read = to_review | "ReadAudio" >> ReadAudio(config.max_audio_bytes, timeout_s)
    decoded = read.clips | "DecodeAudio" >> DecodeAudio(config.max_duration_s, timeout_s)
    transcribed = decoded.clips | "Transcribe" >> Transcribe(config.asr, models, timeout_s=timeout_s)
    understood = transcribed.clips | "CheckSpeech" >> CheckSpeech(config.coverage.pack,
                                                                  config.understanding)
    detected = understood.clips | "DetectPii" >> DetectPii(config.pii, models, timeout_s)
    text_redacted = detected.clips | "RedactText" >> RedactText(config.pii.critical_entities)
    audio_redacted = text_redacted.clips | "RedactAudio" >> RedactAudio(config.redaction)
    audited, audit_stages = audio_redacted, ()
    if config.audit.enabled:
        audited = audio_redacted.clips | "AuditRedaction" >> AuditRedaction(
            config.audit, redaction=config.redaction, asr=config.asr, pii=config.pii,
            models=models)
        audit_stages = (audited,)
    rows = audited.clips | "Pseudonymise" >> Pseudonymise(config.pseudonyms, ready_epochs)

    dead_letters = (
        [stage[DEAD_LETTER] for stage in (manifest, unique, located, *selection_stages, read,
                                          decoded, transcribed,
                                         understood, detected,
                                         text_redacted, audio_redacted, *audit_stages, rows)]
        | "AllDeadLetters" >> beam.Flatten()
        | "DeadLetterRows" >> beam.Map(lambda dl: dl.as_row(datetime.now(timezone.utc)))
    )

    exclusion_rows = (
        (exclusions or [p | "NoExclusions" >> beam.Create([])])
        | "AllExclusions" >> beam.Flatten()
        | "ExclusionRows" >> beam.Map(lambda excluded: excluded.as_row(datetime.now(timezone.utc)))
    )

    dead_letter_dir = FileSystems.join(config.output, DEAD_LETTER_DIR)
    excluded_dir = FileSystems.join(config.output, EXCLUDED_DIR)
    written_utterances = rows.clips | "WriteUtterances" >> WriteParquet(
        utterances_dir, UTTERANCE_SCHEMA, key_column="utterance_id",
        partition_column=PARTITION_COLUMN, run_tag=run_tag, shards=config.output_shards)
    written_dead_letters = dead_letters | "WriteDeadLetters" >> WriteParquet(
        dead_letter_dir, DEAD_LETTER_SCHEMA, key_column="manifest",
        partition_column=None, run_tag=run_tag, shards=1)
    written_exclusions = exclusion_rows | "WriteExclusions" >> WriteParquet(
        excluded_dir, EXCLUDED_SCHEMA, key_column="manifest",
        partition_column=None, run_tag=run_tag, shards=1)
    (
        (written_utterances, written_dead_letters, written_exclusions)
        | "AllWrittenFiles" >> beam.Flatten()
        | "PublishFiles" >> PublishFiles(
            [utterances_dir, dead_letter_dir, excluded_dir], run_tag,
            never_empty=[(dead_letter_dir, DEAD_LETTER_SCHEMA), (excluded_dir, EXCLUDED_SCHEMA)])
    )
