"""Assemble the voicescrub graph. Builds only; running is ``pipeline/run.py``'s job.

    manifest ─► check locale ─► read audio ─► decode ─► transcribe ─► check speech
             ─► detect PII ─► redact text ─► redact audio ─► re-listen audit ─► pseudonymise
             ─► utterances/ (Parquet, by epoch)
    every stage's failures ─────────────────────────► dead_letter/ (Parquet)
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.utils.shared import Shared

from pipeline.options import JobConfig
from schemas.arrow import (DEAD_LETTER_DIR, DEAD_LETTER_SCHEMA, PARTITION_COLUMN, UTTERANCE_SCHEMA,
                           UTTERANCES_DIR)
from transforms.audit import AuditRedaction
from transforms.check_locale import CheckLocale
from transforms.check_speech import CheckSpeech
from transforms.decode_audio import DecodeAudio
from transforms.detect_pii import DetectPii
from transforms.pii.config import PiiConfig, load_pii_config
from transforms.pseudonymise import Pseudonymise, PseudonymSettings, ResolveEpochKeys
from transforms.read_audio import ReadAudio
from transforms.read_manifest import DropDuplicateUtterances, ReadManifest
from transforms.redact_audio import AudioRedactionSettings, RedactAudio
from transforms.redact_text import RedactText
from transforms.relisten import AuditSettings
from transforms.stage import DEAD_LETTER
from transforms.transcribe import Transcribe
from transforms.write_parquet import PublishFiles, WriteParquet


def audio_redaction_settings(config: JobConfig, pii_config: PiiConfig) -> AudioRedactionSettings:
    settings = AudioRedactionSettings(
        treatment=config.audio_redaction,
        treatment_by_entity=dict(pii_config.audio_treatment),
        tone_hz=config.beep_hz,
        tone_level=config.tone_level,
        pad_before_s=config.pad_before_s,
        pad_after_s=config.pad_after_s,
        audio_format=config.audio_format,
    )
    if not config.fit_edges_to_audio:
        # --fixed-pads: the edges fitted to the audio assume tiny.en's word timing.
        settings = dataclasses.replace(settings, end_at_pause=None, start_at_dip=None)
    return settings


def pseudonym_settings(config: JobConfig) -> PseudonymSettings:
    return PseudonymSettings(
        keyring_uri=config.keyring,
        period=config.pseudonym_period,
        create_keys=config.create_keys,
        timestamp_granularity=config.timestamp_granularity,
        pipeline_version=config.pipeline_version,
    )


def build_pipeline(p: beam.Pipeline, config: JobConfig, run_tag: str) -> None:
    """Add the whole scrubbing graph to ``p``.

    :param config: validated job settings.
    :param run_tag: names this run's output files (see ``pipeline.options.run_tag_for``).
    """
    pii_config = load_pii_config(config.pii_config, spacy_model=config.spacy_model)
    redaction = audio_redaction_settings(config, pii_config)
    pseudonyms = pseudonym_settings(config)
    # One handle per model kind: every DoFn instance in a worker process shares one model.
    whisper_handle, detector_handle = Shared(), Shared()

    manifest = p | "ReadManifest" >> ReadManifest(config.manifest)
    unique = manifest.clips | "DropDuplicateUtterances" >> DropDuplicateUtterances()
    located = unique.clips | "CheckLocale" >> CheckLocale(config.locales)
    ready_epochs = located.clips | "ResolveEpochKeys" >> ResolveEpochKeys(pseudonyms)
    read = located.clips | "ReadAudio" >> ReadAudio(config.max_audio_bytes, config.clip_timeout_s)
    decoded = read.clips | "DecodeAudio" >> DecodeAudio(config.max_duration_s, config.clip_timeout_s)
    transcribed = decoded.clips | "Transcribe" >> Transcribe(
        config.asr, whisper_handle, timeout_s=config.clip_timeout_s)
    understood = transcribed.clips | "CheckSpeech" >> CheckSpeech(config.locales.pack,
                                                                  config.understanding)
    detected = understood.clips | "DetectPii" >> DetectPii(
        config.pii_config, config.spacy_model, detector_handle, config.clip_timeout_s)
    text_redacted = detected.clips | "RedactText" >> RedactText(pii_config.critical_entities)
    audio_redacted = text_redacted.clips | "RedactAudio" >> RedactAudio(redaction)
    audited, audit_stages = audio_redacted, ()
    if config.audit:
        audited = audio_redacted.clips | "AuditRedaction" >> AuditRedaction(
            AuditSettings(max_rounds=config.audit_max_rounds,
                          relisten_beam_size=config.audit_beam_size,
                          clip_timeout_s=config.clip_timeout_s), redaction,
            config.asr, whisper_handle, config.pii_config, config.spacy_model, detector_handle)
        audit_stages = (audited,)
    rows = audited.clips | "Pseudonymise" >> Pseudonymise(pseudonyms, ready_epochs)

    dead_letters = (
        [stage[DEAD_LETTER] for stage in (manifest, unique, located, read, decoded, transcribed,
                                         understood, detected,
                                         text_redacted, audio_redacted, *audit_stages, rows)]
        | "AllDeadLetters" >> beam.Flatten()
        | "DeadLetterRows" >> beam.Map(lambda dl: dl.as_row(datetime.now(timezone.utc)))
    )

    utterances_dir = FileSystems.join(config.output, UTTERANCES_DIR)
    dead_letter_dir = FileSystems.join(config.output, DEAD_LETTER_DIR)
    written_utterances = rows.clips | "WriteUtterances" >> WriteParquet(
        utterances_dir, UTTERANCE_SCHEMA, key_column="utterance_id",
        partition_column=PARTITION_COLUMN, run_tag=run_tag, shards=config.output_shards)
    written_dead_letters = dead_letters | "WriteDeadLetters" >> WriteParquet(
        dead_letter_dir, DEAD_LETTER_SCHEMA, key_column="manifest",
        partition_column=None, run_tag=run_tag, shards=1)
    (
        (written_utterances, written_dead_letters)
        | "AllWrittenFiles" >> beam.Flatten()
        | "PublishFiles" >> PublishFiles([utterances_dir, dead_letter_dir], run_tag,
                                         never_empty=(dead_letter_dir, DEAD_LETTER_SCHEMA))
    )
