"""Entry point: parse flags, build the graph, run it, print the summary."""

from __future__ import annotations

import time
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions
from voicescrub.pipeline.build import build_pipeline
from voicescrub.pipeline.options import parse_job_args, run_tag_for
from voicescrub.pipeline.preflight import preflight
from voicescrub.pipeline.summary import (
    RunSummary,
    format_summary,
    matching_paths,
    summarise,
)


class NoManifestError(SystemExit):
    pass


def run(argv: Optional[Sequence[str]] = None) -> RunSummary:
    """Run the job described by ``argv`` to completion and return its summary.

    Job flags are ours (``--manifest``, ``--output``, ...); every other flag
    goes to ``PipelineOptions`` (``--runner``, ``--direct_num_workers``, Dataflow
    and Flink flags).
    """
    config, beam_args = parse_job_args(argv)
    preflight(config)
    manifest_paths = matching_paths(config.manifest)
    if not manifest_paths:
        raise NoManifestError("no manifest file matches --manifest")
    run_tag = run_tag_for(manifest_paths)
    options = PipelineOptions(beam_args)
    # Workers import our packages (installed, or shipped with --setup_file);
    # nothing from __main__ is needed, and pickling it could carry local state.
    options.view_as(SetupOptions).save_main_session = False

    started = time.monotonic()
    with beam.Pipeline(options=options) as p:
        build_pipeline(p, config, run_tag)
    summary = summarise(config.output, run_tag, manifest_paths, time.monotonic() - started)
    print(format_summary(summary), flush=True)
    return summary


def main(argv: Optional[Sequence[str]] = None) -> int:
    summary = run(argv)
    return 0 if summary.all_accounted_for else 1
