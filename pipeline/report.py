"""Write one self-contained HTML page that shows what a voicescrub run wrote.

    python -m voicescrub.pipeline.report --output gs://b/out --html report.html
    voicescrub-report --output out/ --html report.html [--limit 200]
        [--entity CREDIT_CARD] [--critical] [--audit {clean,widened,not_audited}]

The page (see ``report_page.py``) has the run overview, one card per shown clip
(redacted transcript with its placeholders as chips, waveform with the
redacted spans shaded, a player of the redacted audio), the dead letters and
the excluded lines. It reads only the output folder, through Beam's
``FileSystems`` (local, gs://, ...), so it shows nothing the outputs do not
hold: no raw account or device ID, no PII value. Nothing it prints is a
transcript: only counts and the page's path.

The outputs are read twice, a column at a time: once without text or audio,
for the counts and to choose the clips to show; then only the row groups
holding those clips, with their transcripts and audio.
"""

from __future__ import annotations

import argparse
import heapq
import os
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, Final, Iterator, List, Optional, Sequence, Tuple

import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from voicescrub.schemas.arrow import (
    DEAD_LETTER_DIR,
    EXCLUDED_DIR,
    EXCLUSION_REASONS,
    PARTITION_COLUMN,
    PII_ENTITY_FIELDS,
    UTTERANCES_DIR,
)
from voicescrub.schemas.records import RedactedEntity
from voicescrub.transforms.privacy.pseudonyms import epoch_sort_key, is_valid_epoch

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2

DEFAULT_LIMIT: Final = 200
#: Rows shown in the dead-letter and excluded tables (the counts cover every row).
TABLE_ROWS: Final = 1000

AUDIT_RESIDUE: Final = "AUDIT_RESIDUE"
#: A clip's audit outcome, in the order the page lists them.
AUDIT_OUTCOMES: Final = ("clean", "widened", "not_audited")

_PARTITION_PREFIX: Final = PARTITION_COLUMN + "="
PII_ENTITY_NAMES: Final = tuple(name for name, _, _ in PII_ENTITY_FIELDS)
_SCAN_COLUMNS: Final = ["utterance_id", "duration_s", "pii_entities", "contains_critical_pii",
                        "audit_passed", "asr_model", "pipeline_version"]
_CLIP_COLUMNS: Final = ["utterance_id", "speaker_pseudonym", "recorded_at", "duration_s",
                        "language", "transcript_redacted", "audio_redacted", "audio_format",
                        "sample_rate", "pii_entities", "contains_critical_pii", "audit_passed",
                        "audit_rounds"]
_DEAD_LETTER_COLUMNS: Final = ["utterance_id", "manifest", "line", "stage", "error_type",
                               "error_message"]
_EXCLUDED_COLUMNS: Final = ["utterance_id", "manifest", "line", "reason"]


class ReportError(Exception):
    """A fixed, printable reason the report could not be made (never a value)."""


#: One redacted entity of a clip, as ``pii_entities`` holds it (``AUDIT_RESIDUE``: audio the
#: audit silenced in addition, with no placeholder in the text).
Entity = RedactedEntity


def has_placeholder(entity: Entity) -> bool:
    return entity.entity_type != AUDIT_RESIDUE


@dataclass(frozen=True)
class Clip:
    """One written utterance, as a card shows it.

    :param audio: ``audio_redacted``, encoded as ``audio_format``.
    :param audit_passed: ``None`` when the clip was not audited.
    """

    utterance_id: str
    speaker_pseudonym: str
    pseudonym_epoch: str
    recorded_at: datetime
    duration_s: float
    language: str
    transcript_redacted: str
    audio: bytes
    audio_format: str
    sample_rate: int
    entities: Tuple[Entity, ...]
    contains_critical_pii: bool
    audit_passed: Optional[bool]
    audit_rounds: int

    @property
    def audit_outcome(self) -> str:
        return audit_outcome(self.audit_passed, (e.entity_type for e in self.entities))

    @property
    def entity_types(self) -> Tuple[str, ...]:
        """Each entity type of the clip once, sorted."""
        return tuple(sorted({e.entity_type for e in self.entities}))


@dataclass(frozen=True)
class DeadLetterRow:
    stage: str
    error_type: str
    error_message: str
    utterance_id: Optional[str]
    manifest: str
    line: int


@dataclass(frozen=True)
class ExcludedRow:
    utterance_id: str
    reason: str
    manifest: str
    line: int


@dataclass
class Overview:
    """Counts over every row of the output folder (not only the shown clips)."""

    written: int = 0
    dead_lettered: int = 0
    excluded: int = 0
    dead_lettered_by_stage: Dict[str, int] = field(default_factory=dict)
    dead_lettered_by_reason: Dict[Tuple[str, str], int] = field(default_factory=dict)
    excluded_by_reason: Dict[str, int] = field(default_factory=dict)
    entities_by_type: Dict[str, int] = field(default_factory=dict)
    critical_clips: int = 0
    audit_outcomes: Dict[str, int] = field(default_factory=dict)
    audio_seconds: float = 0.0
    epochs: Tuple[str, ...] = ()
    asr_models: Tuple[str, ...] = ()
    pipeline_versions: Tuple[str, ...] = ()

    @property
    def lines_in(self) -> int:
        """Every manifest line lands in exactly one of the three outputs."""
        return self.written + self.dead_lettered + self.excluded


@dataclass(frozen=True)
class ClipFilter:
    """The CLI's clip filters; ``None``/``False`` means "any"."""

    entity: Optional[str] = None
    critical: bool = False
    audit: Optional[str] = None

    def matches(self, entity_types: Sequence[str], critical: bool, outcome: str) -> bool:
        return ((self.entity is None or self.entity in entity_types)
                and (not self.critical or critical)
                and (self.audit is None or self.audit == outcome))

    def describe(self) -> str:
        """The filters in words, for the page ("" when none)."""
        parts = []
        if self.entity is not None:
            parts.append(f"entity {self.entity}")
        if self.critical:
            parts.append("critical PII only")
        if self.audit is not None:
            parts.append(f"audit {self.audit}")
        return ", ".join(parts)


@dataclass
class Report:
    """Everything the page shows.

    :param clips: the shown clips, ordered by epoch then utterance_id.
    :param clips_matching: clips that pass the filters (``len(clips)`` of them are shown).
    :param dead_letters: up to ``TABLE_ROWS`` rows, by manifest and line.
    :param excluded_rows: up to ``TABLE_ROWS`` rows, by manifest and line.
    """

    output: str
    generated_at: datetime
    overview: Overview
    clip_filter: ClipFilter
    clips: List[Clip]
    clips_matching: int
    dead_letters: List[DeadLetterRow]
    excluded_rows: List[ExcludedRow]


def audit_outcome(audit_passed: Optional[bool], entity_types) -> str:
    """``not_audited`` (audit skipped), ``widened`` (the audit silenced more) or ``clean``."""
    if audit_passed is None:
        return "not_audited"
    return "widened" if AUDIT_RESIDUE in set(entity_types) else "clean"


def is_data_file(path: str) -> bool:
    """A published Parquet file: not a temp file of a running or killed run."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.endswith(".parquet") and not name.startswith(("_", "."))


def data_files(pattern: str) -> List[str]:
    """Published Parquet files matching a glob on any Beam filesystem, sorted."""
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list
                  if is_data_file(m.path))


def partition_epoch(path: str) -> str:
    """The ``pseudonym_epoch`` of a file, from its folder name (the column is not in the file)."""
    folder = path.replace("\\", "/").rsplit("/", 2)[-2]
    return folder[len(_PARTITION_PREFIX):] if folder.startswith(_PARTITION_PREFIX) else folder


def _epoch_order(epoch: str) -> tuple:
    """Chronological for valid epoch names; any other folder name after them."""
    return (0, epoch_sort_key(epoch)) if is_valid_epoch(epoch) else (1, epoch)


def _open_parquet(path: str):
    # Synchronous reads on this thread, as parquet_files.read_columns explains: a
    # pre-buffered, threaded read can abort the interpreter at exit.
    return FileSystems.open(path, compression_type="uncompressed")


def _iter_rows(path: str, columns: List[str]) -> Iterator[dict]:
    """The rows of one file, a batch at a time: memory stays flat however large the file
    (``excluded/`` is one file a run, a line for nearly every clip at a low sample rate)."""
    with _open_parquet(path) as handle:
        reader = pq.ParquetFile(handle, pre_buffer=False)
        try:
            for batch in reader.iter_batches(batch_size=4096, columns=columns, use_threads=False):
                yield from batch.to_pylist()
        finally:
            reader.close()


def _read_rows(path: str, columns: List[str], wanted: Sequence[int]) -> Iterator[Tuple[int, dict]]:
    """``(index, row)`` for the ``wanted`` row indices of one file, reading only their row groups."""
    wanted_set = set(wanted)
    with _open_parquet(path) as handle:
        reader = pq.ParquetFile(handle, pre_buffer=False)
        try:
            first = 0
            for group in range(reader.metadata.num_row_groups):
                rows = reader.metadata.row_group(group).num_rows
                inside = sorted(i - first for i in wanted_set if first <= i < first + rows)
                if inside:
                    table = reader.read_row_group(group, columns=columns, use_threads=False)
                    for offset, row in zip(inside, table.take(inside).to_pylist()):
                        yield first + offset, row
                first += rows
        finally:
            reader.close()


def _entity(raw: dict) -> Entity:
    return Entity(**{name: raw[name] for name in PII_ENTITY_NAMES})


def _clip(row: dict, epoch: str) -> Clip:
    return Clip(
        utterance_id=row["utterance_id"], speaker_pseudonym=row["speaker_pseudonym"],
        pseudonym_epoch=epoch, recorded_at=row["recorded_at"], duration_s=row["duration_s"],
        language=row["language"], transcript_redacted=row["transcript_redacted"],
        audio=row["audio_redacted"], audio_format=row["audio_format"],
        sample_rate=row["sample_rate"],
        entities=tuple(_entity(e) for e in row["pii_entities"]),
        contains_critical_pii=bool(row["contains_critical_pii"]),
        audit_passed=row["audit_passed"], audit_rounds=row["audit_rounds"])


def _sorted_counts(counter: Counter) -> dict:
    """Largest first, then by name."""
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _scan_utterances(output: str, clip_filter: ClipFilter, limit: int,
                     overview: Overview) -> Tuple[List[Tuple[tuple, str, int]], int]:
    """Count every clip into ``overview``; choose the first ``limit`` clips that match.

    :return: ``(order key, path, row index)`` of the chosen clips, and how many matched.
    """
    entities: Counter = Counter()
    outcomes: Counter = Counter({outcome: 0 for outcome in AUDIT_OUTCOMES})
    epochs, models, versions = set(), set(), set()
    chosen: List[Tuple[tuple, str, int]] = []
    matching = 0
    paths = data_files(FileSystems.join(output, UTTERANCES_DIR, _PARTITION_PREFIX + "*", "*"))
    for path in paths:
        epoch = partition_epoch(path)
        epochs.add(epoch)
        for index, row in enumerate(_iter_rows(path, _SCAN_COLUMNS)):
            types = [e["entity_type"] for e in row["pii_entities"]]
            outcome = audit_outcome(row["audit_passed"], types)
            critical = bool(row["contains_critical_pii"])
            overview.written += 1
            overview.audio_seconds += row["duration_s"]
            overview.critical_clips += critical
            entities.update(types)
            outcomes[outcome] += 1
            models.add(row["asr_model"])
            versions.add(row["pipeline_version"])
            if clip_filter.matches(types, critical, outcome):
                matching += 1
                chosen.append(((_epoch_order(epoch), row["utterance_id"], path, index), path, index))
                if len(chosen) > 4 * limit:  # keep memory flat on large folders
                    chosen = heapq.nsmallest(limit, chosen)
    overview.entities_by_type = _sorted_counts(entities)
    overview.audit_outcomes = dict(outcomes)
    overview.epochs = tuple(sorted(epochs, key=_epoch_order))
    overview.asr_models = tuple(sorted(models))
    overview.pipeline_versions = tuple(sorted(versions))
    return heapq.nsmallest(limit, chosen), matching


def _load_clips(chosen: List[Tuple[tuple, str, int]]) -> List[Clip]:
    """Read the chosen clips with their transcript and audio, in the chosen order."""
    by_path: Dict[str, List[int]] = {}
    for _, path, index in chosen:
        by_path.setdefault(path, []).append(index)
    loaded: Dict[Tuple[str, int], Clip] = {}
    for path, indices in by_path.items():
        epoch = partition_epoch(path)
        for index, row in _read_rows(path, _CLIP_COLUMNS, indices):
            loaded[(path, index)] = _clip(row, epoch)
    return [loaded[(path, index)] for _, path, index in chosen]


def _read_dead_letters(output: str, overview: Overview) -> List[DeadLetterRow]:
    reasons: Counter = Counter()
    rows: List[DeadLetterRow] = []
    for path in data_files(FileSystems.join(output, DEAD_LETTER_DIR, "*")):
        for row in _iter_rows(path, _DEAD_LETTER_COLUMNS):
            reasons[(row["stage"], row["error_type"])] += 1
            rows.append(DeadLetterRow(row["stage"], row["error_type"], row["error_message"],
                                      row["utterance_id"], row["manifest"], row["line"]))
            if len(rows) > 4 * TABLE_ROWS:
                rows = heapq.nsmallest(TABLE_ROWS, rows, key=_table_order)
    stages: Counter = Counter()
    for (stage, _), count in reasons.items():
        stages[stage] += count
    overview.dead_lettered = sum(reasons.values())
    overview.dead_lettered_by_stage = _sorted_counts(stages)
    overview.dead_lettered_by_reason = _sorted_counts(reasons)
    return heapq.nsmallest(TABLE_ROWS, rows, key=_table_order)


def _read_excluded(output: str, overview: Overview) -> List[ExcludedRow]:
    """The excluded lines; an output written before ``excluded/`` existed has none."""
    reasons: Counter = Counter({reason: 0 for reason in EXCLUSION_REASONS})
    rows: List[ExcludedRow] = []
    for path in data_files(FileSystems.join(output, EXCLUDED_DIR, "*")):
        for row in _iter_rows(path, _EXCLUDED_COLUMNS):
            reasons[row["reason"]] += 1
            rows.append(ExcludedRow(row["utterance_id"], row["reason"], row["manifest"],
                                    row["line"]))
            if len(rows) > 4 * TABLE_ROWS:
                rows = heapq.nsmallest(TABLE_ROWS, rows, key=_table_order)
    overview.excluded = sum(reasons.values())
    known = {reason: reasons.pop(reason) for reason in EXCLUSION_REASONS}
    overview.excluded_by_reason = {**known, **_sorted_counts(reasons)}
    return heapq.nsmallest(TABLE_ROWS, rows, key=_table_order)


def _table_order(row) -> tuple:
    return row.manifest, row.line


def has_outputs(output: str) -> bool:
    """Whether ``output`` holds any voicescrub table folder with a published file."""
    patterns = [FileSystems.join(output, UTTERANCES_DIR, _PARTITION_PREFIX + "*", "*"),
                FileSystems.join(output, DEAD_LETTER_DIR, "*"),
                FileSystems.join(output, EXCLUDED_DIR, "*")]
    return any(data_files(pattern) for pattern in patterns)


def build_report(output: str, clip_filter: ClipFilter = ClipFilter(),
                 limit: int = DEFAULT_LIMIT) -> Report:
    """Read an output folder into a :class:`Report`.

    :param output: the pipeline's ``--output`` (any Beam filesystem).
    :param clip_filter: which clips may be shown.
    :param limit: at most this many clips are shown.
    :raises ReportError: if the folder holds no voicescrub output.
    """
    output = output.rstrip("/") or "/"
    if not has_outputs(output):
        raise ReportError("no voicescrub output (utterances/, dead_letter/ or excluded/) "
                          "under --output")
    overview = Overview()
    chosen, matching = _scan_utterances(output, clip_filter, limit, overview)
    return Report(
        output=output, generated_at=datetime.now(timezone.utc), overview=overview,
        clip_filter=clip_filter, clips=_load_clips(chosen), clips_matching=matching,
        dead_letters=_read_dead_letters(output, overview),
        excluded_rows=_read_excluded(output, overview))


def write_html(path: str, page: str) -> None:
    """Write the page atomically: a reader never opens half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as out:
            out.write(page)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicescrub-report",
        description="Write one self-contained HTML page showing a voicescrub output folder.",
    )
    parser.add_argument("--output", required=True,
                        help="the pipeline's output folder (local or any Beam filesystem)")
    parser.add_argument("--html", required=True, help="local path of the HTML file to write")
    parser.add_argument("--limit", type=_positive_int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"clips shown, at most (default {DEFAULT_LIMIT})")
    parser.add_argument("--entity", metavar="TYPE", type=str.upper,
                        help="only clips with this entity type, e.g. CREDIT_CARD")
    parser.add_argument("--critical", action="store_true", help="only clips with critical PII")
    parser.add_argument("--audit", choices=AUDIT_OUTCOMES,
                        help="only clips with this audit outcome")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI.

    :param argv: arguments without the program name (default: ``sys.argv[1:]``).
    :return: 0 written, 1 the outputs could not be read or the page not written,
        2 usage error (bad flags, no output folder).
    """
    args = build_parser().parse_args(argv)
    # Imported here: the page module imports this one's record types.
    from voicescrub.pipeline.report_page import render_page

    clip_filter = ClipFilter(entity=args.entity, critical=args.critical, audit=args.audit)
    try:
        report = build_report(args.output, clip_filter, args.limit)
    except ReportError as error:
        print(f"voicescrub-report: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a fixed line: an Arrow message may quote file contents
        print(f"voicescrub-report: error: the outputs could not be read ({type(error).__name__})",
              file=sys.stderr)
        return EXIT_FAILED
    try:
        write_html(args.html, render_page(report))
    except OSError as error:
        print(f"voicescrub-report: error: the page could not be written ({type(error).__name__})",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"{len(report.clips)} of {report.overview.written} written clips shown "
          f"({report.clips_matching} matching the filters): {args.html}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
