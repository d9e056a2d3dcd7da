"""Flex Template entry: Dataflow passes template parameters as ``--name=value``.

Template parameter names cannot carry our dashed flag names reliably, so the
job's own flags are declared with underscores in ``metadata.json``
(``output_shards``) and turned back into ``--output-shards`` here; every other
flag (the Dataflow ones the launcher adds) goes to Beam unchanged.
"""

import sys

from voicescrub.pipeline.options import build_arg_parser
from voicescrub.pipeline.run import main

JOB_FLAGS = {"--" + option[2:].replace("-", "_"): option
             for action in build_arg_parser()._actions for option in action.option_strings
             if option.startswith("--")}


def job_flag(arg: str) -> str:
    name, sep, value = arg.partition("=")
    return JOB_FLAGS.get(name, name) + sep + value


if __name__ == "__main__":
    sys.exit(main([job_flag(arg) for arg in sys.argv[1:]]))
