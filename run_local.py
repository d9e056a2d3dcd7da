"""Run voicescrub locally. With no arguments: the bundled sample into ./output.

    python run_local.py
    python run_local.py --manifest 'data/*.jsonl' --output out/ [--direct_num_workers 2 ...]
"""

import os
import sys

from voicescrub.pipeline.run import main

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_MANIFEST = os.path.join(HERE, "samples", "manifest.jsonl")


def with_defaults(argv):
    """Fill in the bundled sample and ./output when they are not given."""
    argv = list(argv)
    flags = {a.split("=", 1)[0] for a in argv}
    if "--manifest" not in flags:
        argv = ["--manifest", SAMPLE_MANIFEST] + argv
    if "--output" not in flags:
        argv = ["--output", "output"] + argv
    return argv


if __name__ == "__main__":
    sys.exit(main(with_defaults(sys.argv[1:])))
