"""Stage 1: refuse clips whose locale no language pack of the run covers.

Runs right after the manifest is read, before any audio is fetched: a clip the
run cannot hear costs nothing and is dead-lettered (stage ``language``,
``UnsupportedLocale``) instead of being transcribed by a model of another
language and released as if it held nothing to hide.
"""

from __future__ import annotations

import apache_beam as beam
from voicescrub.schemas.records import Clip
from voicescrub.transforms.language.packs import LocaleCoverage, UnsupportedLocale
from voicescrub.transforms.runtime.clip_stage import ClipStageFn, run_clip_stage


class CheckLocaleFn(ClipStageFn):
    stage = "language"

    def __init__(self, coverage: LocaleCoverage) -> None:
        super().__init__()
        self._coverage = coverage

    def process_clip(self, clip: Clip) -> Clip:
        if not self._coverage.accepts(clip.entry.locale):
            raise UnsupportedLocale("no language pack of this run covers the clip's locale")
        return clip


class CheckLocale(beam.PTransform):
    """Clips -> the clips whose locale the run's language pack covers; the rest dead-lettered."""

    def __init__(self, coverage: LocaleCoverage) -> None:
        super().__init__()
        self._coverage = coverage

    def expand(self, clips: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return run_clip_stage(clips, CheckLocaleFn(self._coverage))
