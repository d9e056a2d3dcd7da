"""Entry point: parse flags, build the graph, run it, print the summary."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import NoReturn, Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions

from pipeline.build import build_pipeline
from pipeline.options import parse_job_args, run_tag_for
from pipeline.summary import RunSummary, format_summary, matching_paths, summarise


class NoManifestError(SystemExit):
    pass


def run(argv: Optional[Sequence[str]] = None) -> RunSummary:
    """Run the job described by ``argv`` to completion and return its summary.

    Job flags are ours (``--manifest``, ``--output``, ...); every other flag
    goes to ``PipelineOptions`` (``--runner``, ``--direct_num_workers``, Dataflow
    and Flink flags).
    """
    config, beam_args = parse_job_args(argv)
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
    """Run the job; 0 when every manifest line is accounted for, else 1."""
    summary = run(argv)
    return 0 if summary.all_accounted_for else 1


def cli(argv: Optional[Sequence[str]] = None) -> NoReturn:
    """Process entry point (``voicescrub``, ``run_local.py``): run, then leave at once.

    Beam's in-process runner leaves daemon threads behind, some parked in
    native code (Arrow, gRPC, CTranslate2). At interpreter shutdown CPython
    unwinds them and libstdc++ aborts with "terminate called without an active
    exception" (exit 134) in about one run in six, after the job has finished
    and printed its summary. Nothing is left to clean up by then (every output
    file is published, every key file fsynced), so the process exits without
    interpreter finalisation and the exit status tells the truth.
    """
    code = main(argv)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
