"""Detection time on hostile transcripts: how it grows with the transcript's length.

    python benchmarks/hostile_text.py                       # 5k to 80k characters
    python benchmarks/hostile_text.py --lengths 10000,40000

A decoding loop can fill every 30 s Whisper window with its most tokens (448), so a
clip of ``--max-duration-s`` can come back as a transcript of tens of thousands of
characters. Each shape below is such a transcript made of one kind of word that the
detector's rules look at (number words, spelled letters, digits, names, e-mail
words, punctuation); the detector (as the pipeline builds it) reads each at every
length, and the growth from one length to the next tells whether its work is linear.
The per-clip bound (``--clip-timeout-s``) covers what is not.

Writes ``benchmarks/results/hostile_text.json`` (machine, commit, command, seconds
per shape and length, and each shape's growth exponent between the two longest).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import provenance, write_result  # noqa: E402

#: Each shape draws words from one pool until the text is long enough.
SHAPES: Dict[str, Sequence[str]] = {
    "number_words": ("one", "two", "oh", "double", "triple", "hundred", "thousand", "and", "point"),
    "spelled_letters": tuple("ABCDEFXYZ"),
    "letters_and_digits_dashed": tuple("ABCDEFXYZ0123"),
    "digits_spaced": tuple("0123456789"),
    "name_and_cue_words": ("Victor", "Renner", "Maria", "Smith", "street", "card", "number", "at", "dot"),
    "email_words": ("m", "dot", "at", "example", "underscore", "dash", "gmail", "com"),
    "digit_punctuation": ("0.", "1,", "2-", "3/", "4'", "5"),
}
JOINERS = {"letters_and_digits_dashed": "-", "digit_punctuation": ""}
DEFAULT_LENGTHS = (5000, 10000, 20000, 40000, 80000)


def hostile_text(shape: str, length: int, rng: random.Random) -> str:
    """A transcript of about ``length`` characters drawn from ``SHAPES[shape]``."""
    joiner = JOINERS.get(shape, " ")
    words: List[str] = []
    size = 0
    while size < length:
        word = rng.choice(SHAPES[shape])
        words.append(word)
        size += len(word) + len(joiner)
    return joiner.join(words)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def growth_exponent(short: int, short_s: float, long: int, long_s: float) -> float:
    """k in time ~ length**k between two measurements (1: linear, 2: quadratic)."""
    return math.log(long_s / short_s) / math.log(long / short)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default=",".join(map(str, DEFAULT_LENGTHS)),
                        help="transcript lengths in characters, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    lengths = sorted({int(n) for n in args.lengths.split(",")})

    from voicescrub.transforms.pii.config import load_pii_config
    from voicescrub.transforms.runtime.models import load_detector

    detector = load_detector(load_pii_config())
    rng = random.Random(args.seed)
    seconds: Dict[str, Dict[str, float]] = {}
    for shape in SHAPES:
        seconds[shape] = {}
        for length in lengths:
            text = hostile_text(shape, length, rng)
            seconds[shape][str(length)] = round(timed(lambda: detector.detect(text)), 3)
            print(f"{shape:26s} {length:>7d} chars  {seconds[shape][str(length)]:8.2f} s", flush=True)
    result: Dict[str, object] = provenance("hostile_text.py", list(argv if argv is not None else sys.argv[1:]))
    result["seconds"] = seconds
    if len(lengths) >= 2:
        short, long = lengths[-2], lengths[-1]
        result["growth_exponent_between_longest"] = {
            shape: round(growth_exponent(short, times[str(short)], long, times[str(long)]), 2)
            for shape, times in seconds.items()}
    print(f"\nwritten: {os.path.relpath(write_result('hostile_text.json', result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
