"""Stage 1a: read JSON Lines manifests from any Beam filesystem and validate each line."""

from __future__ import annotations

import io
from typing import Iterable, Tuple

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from schemas.records import Clip, DeadLetter
from transforms.errors import ManifestError, safe_error_message
from transforms.manifest import parse_manifest_line, utterance_id_of
from transforms.stage import DEAD_LETTER, MAIN, METRICS_NAMESPACE

STAGE = "manifest"

# (manifest path, 1-based line number, raw line)
ManifestLine = Tuple[str, int, str]


def manifest_lines(readable: fileio.ReadableFile) -> Iterable[ManifestLine]:
    """Every non-blank line of one manifest with its number.

    Streams the file, so a manifest of 100k lines is never held whole.
    """
    path = readable.metadata.path
    with readable.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
        for number, line in enumerate(text, start=1):
            if line.strip():
                yield path, number, line


class ParseManifestLineFn(beam.DoFn):
    """Validate one line into a :class:`Clip`, or dead-letter it naming the bad field."""

    def __init__(self) -> None:
        self._lines = Metrics.counter(METRICS_NAMESPACE, "manifest_lines")
        self._failed = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}_failed")

    def process(self, item: ManifestLine) -> Iterable[object]:
        manifest, number, line = item
        self._lines.inc()
        try:
            entry = parse_manifest_line(line, manifest, number)
        except ManifestError as error:
            self._failed.inc()
            yield TaggedOutput(DEAD_LETTER, DeadLetter(
                utterance_id=utterance_id_of(line), manifest=manifest, line=number,
                stage=STAGE, error_type=type(error).__name__,
                error_message=safe_error_message(error, STAGE)))
            return
        yield Clip(entry=entry)


class ReadManifest(beam.PTransform):
    """Manifest glob -> validated clips (``.clips``) and dead letters (``[DEAD_LETTER]``)."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self._pattern = pattern

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.pvalue.DoOutputsTuple:
        return (
            pbegin
            | "MatchManifests" >> fileio.MatchFiles(self._pattern)
            | "OpenManifests" >> fileio.ReadMatches()
            | "SplitLines" >> beam.FlatMap(manifest_lines)
            # One manifest is read by one worker; spread its lines before the heavy stages.
            | "SpreadLines" >> beam.Reshuffle()
            | "ParseLines" >> beam.ParDo(ParseManifestLineFn()).with_outputs(DEAD_LETTER, main=MAIN)
        )
