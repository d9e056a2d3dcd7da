"""The job's own flags, parsed once into a typed, validated :class:`JobConfig`.

Every flag is a setting declared once, on :class:`JobConfig` or on a section of it
that its library owns (``AsrSettings``, ``AudioRedactionSettings``, ...), with its
type, default, range and description; the parser, its validation, ``--help`` and
the README's options table (``python -m voicescrub.pipeline.options``) are derived
from those declarations (:mod:`voicescrub.schemas.settings`). Everything
``argparse`` does not know is left for ``PipelineOptions``, so every Beam, Dataflow
and Flink flag works unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import spacy
from voicescrub.pipeline import __version__
from voicescrub.schemas.settings import (
    SettingsError,
    add_flags,
    from_flags,
    markdown_table,
    section,
    setting,
)
from voicescrub.transforms.asr.whisper import AsrSettings, model_family
from voicescrub.transforms.audio.redaction import AudioRedactionSettings
from voicescrub.transforms.audit.policy import AuditSettings
from voicescrub.transforms.io.manifest import local_path_of
from voicescrub.transforms.language.packs import (
    DEFAULT_PACK,
    ENGLISH,
    LanguageConfigError,
    LanguagePack,
    LocaleCoverage,
    check_pattern,
    load_pack,
    locale_coverage,
    shipped_packs,
)
from voicescrub.transforms.language.understanding import UnderstandingGate
from voicescrub.transforms.pii.config import (
    DEFAULT_CONFIG_PATH,
    DEFAULT_SPACY_MODEL,
    PiiConfig,
    load_pii_config,
)
from voicescrub.transforms.privacy.pseudonyms import PseudonymSettings
from voicescrub.transforms.privacy.review_selection import ReviewSelection
from voicescrub.transforms.runtime.deadline import DEFAULT_CLIP_TIMEOUT_S

INPUT_AND_OUTPUT = "input and output"
LANGUAGE = "language (clips the run cannot hear are dead-lettered)"
PII = "PII detection"


def _locales(raw: str) -> Tuple[str, ...]:
    try:
        patterns = tuple(check_pattern(p) for p in raw.split(",") if p.strip())
    except LanguageConfigError as error:
        raise SettingsError(str(error)) from None
    if not patterns:
        raise SettingsError("--locales names no locale")
    return patterns


def _output(raw: str) -> str:
    return raw.rstrip("/") or "/"


@dataclass(frozen=True)
class JobConfig:
    """Validated job settings: every flag of the job (see ``--help``), and the PII
    configuration they name, parsed once (:attr:`pii`)."""

    manifest: str = setting(None, "path or glob of JSON Lines manifests, any Beam filesystem (run_local.py: "
                            "samples/manifest.jsonl)",
                            required=True)
    output: str = setting(None, "output folder: utterances/, dead_letter/ and excluded/ are written below it "
                          "(run_local.py: output)",
                          required=True, parse=_output)
    output_shards: int = setting(1, "Parquet files per epoch partition", minimum=1)
    max_audio_mb: float = setting(64.0, "larger audio files are dead-lettered", above=0.0)
    max_duration_s: float = setting(600.0, "longer clips are dead-lettered", above=0.0)
    clip_timeout_s: float = setting(
        DEFAULT_CLIP_TIMEOUT_S, "most seconds one clip may spend in a stage that can block or run "
        "long (read, decode, transcribe, detect, audit); over it: ClipTimeout", above=0.0)
    asr: AsrSettings = section(AsrSettings, "speech recognition", "asr")
    language_pack: str = setting(
        DEFAULT_PACK, f"a shipped language pack ({', '.join(shipped_packs())}) or a pack folder "
        "(docs/language-packs.md); not English: needs a multilingual --asr-model", group=LANGUAGE)
    locales: Optional[Tuple[str, ...]] = setting(
        None, "locales the deployment covers, comma-separated (en-US, en, en-*), within the "
        "pack's; other clips are dead-lettered unread", parse=_locales, group=LANGUAGE,
        default_text="the pack's")
    understanding: UnderstandingGate = section(UnderstandingGate, LANGUAGE)
    spacy_model: Optional[str] = setting(
        None, "spaCy model for names and places, e.g. en_core_web_lg in production",
        group=PII,
        default_text=f"the PII config's (shipped: {DEFAULT_SPACY_MODEL})")
    pii_config: Optional[str] = setting(None, "PII config YAML (docs/pii-detection.md)", group=PII,
                                        default_text="the language pack's " + os.path.basename(DEFAULT_CONFIG_PATH))
    redaction: AudioRedactionSettings = section(AudioRedactionSettings, "audio redaction")
    audit: AuditSettings = section(AuditSettings, "re-listen audit", "audit")
    pseudonyms: PseudonymSettings = section(PseudonymSettings, "pseudonyms")
    selection: ReviewSelection = section(ReviewSelection, "review selection (left out unread: "
                                         "excluded/)")
    #: The PII configuration ``pii_config`` names, parsed and validated once.
    pii: Optional[PiiConfig] = None
    #: The locales the run accepts: its pack's, narrowed by ``locales``.
    coverage: LocaleCoverage = locale_coverage(ENGLISH)

    @property
    def max_audio_bytes(self) -> int:
        return int(self.max_audio_mb * 1024 * 1024)

    def __repr__(self) -> str:  # keep paths and key locations out of logs
        return "JobConfig(...)"


def build_arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_local.py",
        description="Scrub PII from voice-assistant clips: transcribe, detect, bleep, "
                    "redact, pseudonymise, write Parquet. Unknown flags go to Beam.",
    )
    add_flags(parser, JobConfig, INPUT_AND_OUTPUT)
    return parser


def _load_pack(config: JobConfig) -> Tuple[LanguagePack, LocaleCoverage]:
    """The pack ``--language-pack`` names and the locales it accepts, or a one-line ``SystemExit``."""
    try:
        pack = load_pack(config.language_pack)
        coverage = locale_coverage(pack, config.locales)
    except LanguageConfigError as error:
        raise SystemExit(str(error)) from None
    if pack.asr_language != "en" and model_family(config.asr.model).endswith(".en"):
        raise SystemExit(f"--language-pack: the {pack.name} pack needs a multilingual --asr-model "
                         "(an English-only .en model cannot hear it)")
    return pack, coverage


def _load_pii(path: Optional[str], spacy_model: Optional[str], asr_model: str,
              pack: LanguagePack) -> PiiConfig:
    """The PII config ``--pii-config`` names (the pack's by default), with the confusion
    table of ``asr_model``, or a one-line ``SystemExit``."""
    try:
        pii = load_pii_config(path, spacy_model=spacy_model, asr_model=asr_model, pack=pack)
    except OSError:
        raise SystemExit("--pii-config cannot be read") from None
    except Exception as error:  # noqa: BLE001 - YAML or validation: say which, in one line
        detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise SystemExit(f"--pii-config is not a valid PII config ({type(error).__name__}"
                         + (f": {detail})" if detail else ")")) from None
    if not spacy.util.is_package(pii.spacy_model) and not os.path.isdir(pii.spacy_model):
        raise SystemExit(f"the spaCy model {pii.spacy_model} is not installed (the French pack's "
                         "installs with pip install 'voicescrub[fr]')")
    return pii


def parse_job_args(argv: Optional[Sequence[str]]) -> Tuple[JobConfig, List[str]]:
    """Parse the job's flags and the PII config they name; return them and the flags
    left for Beam. A bad setting exits in one line, before any audio is read."""
    args, beam_args = build_arg_parser().parse_known_args(argv)
    try:
        config = from_flags(JobConfig, args, **{
            "asr.language": ENGLISH.asr_language,
            "pseudonyms.pipeline_version": __version__,
        })
    except SettingsError as error:
        raise SystemExit(str(error)) from None
    pack, coverage = _load_pack(config)
    config = dataclasses.replace(config, coverage=coverage,
                                 asr=dataclasses.replace(config.asr, language=pack.asr_language))
    pii = _load_pii(config.pii_config, config.spacy_model, config.asr.model, pack)
    # The re-listen's time bound is the run's; the treatment of each entity type is the
    # PII config's.
    return dataclasses.replace(
        config, pii=pii,
        audit=dataclasses.replace(config.audit, clip_timeout_s=config.clip_timeout_s),
        redaction=dataclasses.replace(config.redaction,
                                      treatment_by_entity=pii.audio_treatment),
    ), beam_args


def options_table() -> str:
    """The README's table of every job flag, derived from the declarations."""
    return markdown_table(JobConfig, INPUT_AND_OUTPUT)


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


if __name__ == "__main__":
    print(options_table(), end="")
