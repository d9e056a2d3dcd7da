"""Stage 1a: read JSON Lines manifests from any Beam filesystem and validate each line."""

from __future__ import annotations

from typing import Iterable, List, Tuple

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.metrics import Metrics
from voicescrub.schemas.records import Clip
from voicescrub.transforms.io.manifest import (
    decode_line,
    is_blank,
    parse_manifest_line,
    utterance_id_of,
)
from voicescrub.transforms.runtime.clip_stage import (
    DEAD_LETTER,
    MAIN,
    METRICS_NAMESPACE,
    StageOutcomes,
)
from voicescrub.transforms.runtime.errors import ManifestError

STAGE = "manifest"

# (manifest path, 1-based line number, the line's bytes)
ManifestLine = Tuple[str, int, bytes]


def manifest_lines(readable: fileio.ReadableFile) -> Iterable[ManifestLine]:
    """Every non-blank line of one manifest with its number, as bytes: each line is
    decoded on its own, so one line that is not UTF-8 is refused alone.

    Streams the file, so a manifest of 100k lines is never held whole.
    """
    path = readable.metadata.path
    with readable.open() as raw:
        for number, line in enumerate(raw, start=1):
            if not is_blank(line):
                yield path, number, line


class ParseManifestLineFn(beam.DoFn):
    """Validate one line into a :class:`Clip`, or dead-letter it naming the bad field."""

    def __init__(self) -> None:
        self._lines = Metrics.counter(METRICS_NAMESPACE, "manifest_lines")
        self._outcomes = StageOutcomes(STAGE)

    def process(self, item: ManifestLine) -> Iterable[object]:
        manifest, number, raw_line = item
        self._lines.inc()
        line = ""
        try:
            line = decode_line(raw_line, number)
            entry = parse_manifest_line(line, manifest, number)
        except ManifestError as error:
            yield self._outcomes.dead_line(manifest, number,
                                           utterance_id_of(line) if line else None, error)
            return
        yield self._outcomes.passed(Clip(entry=entry))


class DuplicateUtterance(ManifestError):
    """Another manifest line of the run carries the same utterance_id."""


def first_and_duplicates(clips: Iterable[Clip]) -> Tuple[Clip, List[Clip]]:
    """Of clips sharing an utterance_id, the one to scrub (first by manifest path, then
    line, whatever order a runner delivered them in) and the rest."""
    ordered = sorted(clips, key=lambda clip: (clip.entry.manifest, clip.entry.line))
    return ordered[0], ordered[1:]


class DropDuplicatesFn(beam.DoFn):
    """(utterance_id, its clips) -> the first clip; every other one dead-lettered."""

    def __init__(self) -> None:
        self._duplicates = Metrics.counter(METRICS_NAMESPACE, "duplicate_utterances")
        self._outcomes = StageOutcomes(STAGE)

    def process(self, keyed: Tuple[str, Iterable[Clip]]) -> Iterable[object]:
        first, rest = first_and_duplicates(keyed[1])
        yield first
        for clip in rest:
            self._duplicates.inc()
            yield self._outcomes.dead(clip.entry, DuplicateUtterance(
                "another manifest line of this run has the same utterance_id"))


class DropDuplicateUtterances(beam.PTransform):
    """Clips -> one clip per utterance_id across the whole run (``.clips``); each other
    line with that ID dead-lettered (``[DEAD_LETTER]``, ``DuplicateUtterance``), so that
    no utterance is written twice, nor written and dead-lettered."""

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return (
            clips
            | "KeyByUtteranceId" >> beam.Map(lambda clip: (clip.entry.utterance_id, clip))
            | "GroupByUtteranceId" >> beam.GroupByKey()
            | "FirstOfEach" >> beam.ParDo(DropDuplicatesFn()).with_outputs(DEAD_LETTER, main=MAIN)
        )


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
