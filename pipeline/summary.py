"""The end-of-run summary, read back from what the run actually wrote.

Counting the written files (rather than trusting metrics, which some runners
do not report) is what lets the summary promise that nothing was lost: every
non-blank manifest line is a row in exactly one of ``utterances/``, ``dead_letter/``
and ``excluded/``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

import pyarrow.compute as pc
from apache_beam.io.filesystems import FileSystems
from voicescrub.schemas.arrow import DEAD_LETTER_DIR, EXCLUDED_DIR, UTTERANCES_DIR
from voicescrub.transforms.io.manifest import is_blank
from voicescrub.transforms.io.parquet_files import read_columns


@dataclass
class RunSummary:
    manifests: int = 0
    lines_read: int = 0
    written: int = 0
    dead_lettered: int = 0
    dead_lettered_by_stage: Dict[str, int] = field(default_factory=dict)
    #: By (stage, error type): "language" splits into UnsupportedLocale and ForeignSpeech.
    dead_lettered_by_reason: Dict[Tuple[str, str], int] = field(default_factory=dict)
    #: Lines left out of review unread, by reason (opted_out, not_sampled, speaker_cap).
    excluded_by_reason: Dict[str, int] = field(default_factory=dict)
    entities_by_type: Dict[str, int] = field(default_factory=dict)
    critical_clips: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def excluded(self) -> int:
        return sum(self.excluded_by_reason.values())

    @property
    def all_accounted_for(self) -> bool:
        return self.lines_read == self.written + self.dead_lettered + self.excluded


def matching_paths(pattern: str) -> List[str]:
    """Paths matching a glob on any Beam filesystem, sorted."""
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def count_manifest_lines(paths: Sequence[str]) -> int:
    """Non-blank lines over every manifest (blank lines are not utterances)."""
    total = 0
    for path in paths:
        with FileSystems.open(path, compression_type="uncompressed") as raw:
            total += sum(1 for line in raw if not is_blank(line))
    return total


def summarise(output: str, run_tag: str, manifest_paths: Sequence[str],
              wall_seconds: float) -> RunSummary:
    """Count what this run (its ``run_tag``) wrote under ``output``."""
    summary = RunSummary(manifests=len(manifest_paths),
                         lines_read=count_manifest_lines(manifest_paths),
                         wall_seconds=wall_seconds)
    entities: Counter = Counter()
    for path in matching_paths(f"{output}/{UTTERANCES_DIR}/*/part-{run_tag}-*"):
        table = read_columns(path, ["duration_s", "pii_entities", "contains_critical_pii"])
        summary.written += table.num_rows
        summary.audio_seconds += float(sum(table.column("duration_s").to_pylist()))
        summary.critical_clips += sum(1 for v in table.column("contains_critical_pii").to_pylist() if v)
        for clip_entities in table.column("pii_entities").to_pylist():
            entities.update(e["entity_type"] for e in clip_entities)
    reasons: Counter = Counter()
    for path in matching_paths(f"{output}/{DEAD_LETTER_DIR}/part-{run_tag}-*"):
        table = read_columns(path, ["stage", "error_type"])
        summary.dead_lettered += table.num_rows
        reasons.update(zip(table.column("stage").to_pylist(), table.column("error_type").to_pylist()))
    excluded: Counter = Counter()
    for path in matching_paths(f"{output}/{EXCLUDED_DIR}/part-{run_tag}-*"):
        # Counted in Arrow: at a low sample rate the file holds a line for nearly every clip.
        for pair in pc.value_counts(read_columns(path, ["reason"]).column("reason")).to_pylist():
            excluded[pair["values"]] += pair["counts"]
    stages: Counter = Counter()
    for (stage, _), count in reasons.items():
        stages[stage] += count
    summary.entities_by_type = dict(sorted(entities.items()))
    summary.dead_lettered_by_stage = dict(sorted(stages.items()))
    summary.dead_lettered_by_reason = dict(sorted(reasons.items()))
    summary.excluded_by_reason = dict(sorted(excluded.items()))
    return summary


def format_summary(summary: RunSummary) -> str:
    """Human-readable summary: counts only, never a value."""
    lines = [
        "voicescrub run summary",
        f"  manifests:            {summary.manifests}",
        f"  lines read:           {summary.lines_read}",
        f"  utterances written:   {summary.written}",
        f"  dead-lettered:        {summary.dead_lettered}",
    ]
    for stage, count in summary.dead_lettered_by_stage.items():
        lines.append(f"    {stage + ':':<20}{count}")
        reasons = [(error, n) for (at, error), n in summary.dead_lettered_by_reason.items() if at == stage]
        if len(reasons) > 1 or (reasons and stage in ("language", "understanding")):
            for error, n in reasons:
                lines.append(f"      {error + ':':<18}{n}")
    lines.append(f"  excluded (unread):    {summary.excluded}")
    for reason, count in summary.excluded_by_reason.items():
        lines.append(f"    {reason + ':':<20}{count}")
    lines.append(f"  clips with critical PII: {summary.critical_clips}")
    lines.append(f"  entities redacted:    {sum(summary.entities_by_type.values())}")
    for entity, count in summary.entities_by_type.items():
        lines.append(f"    {entity + ':':<20}{count}")
    lines.append(f"  audio seconds:        {summary.audio_seconds:.1f}")
    lines.append(f"  wall time (s):        {summary.wall_seconds:.1f}")
    if summary.all_accounted_for:
        lines.append("  every manifest line is accounted for "
                     "(lines read = utterances written + dead-lettered + excluded)")
    else:
        lines.append("  MISMATCH: lines read != utterances written + dead-lettered + excluded")
    return "\n".join(lines)
