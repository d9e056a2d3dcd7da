"""How far the speech model's word times fall from the true ones, on a synthetic corpus.

The audio redaction places each value through the ASR's word times, then fits its edges to
the clip's own audio (``transforms/audio/alignment.py``: the dip before a value, the pause
after it). How far those searches reach must come from how far the word times are off, so
this script measures it: it transcribes every clip as the pipeline's first pass does (clips
packed into shared windows, ``transcribe_batch`` with the default settings) and, for a
listener's view, alone at beam 5; it takes each word's true time from espeak-ng itself
(``espeak_words.py``); and it pairs the ASR's words with the spoken ones where both write
the same word, in order, less than ``MAX_OFFSET_S`` apart at both ends (a word the ASR
dropped may leave its twin paired with the wrong one). For each decoding it reports the
pairs dropped as too far apart and percentiles (nearest rank) of

- ``start_late_s``: ASR start minus true start (positive: the ASR starts late);
- ``end_late_s``: ASR end minus true end (positive: the ASR ends late; a pause after a word
  begins ``-end_late_s`` after the ASR's end);

over all paired words, over words run into the next one (less than 30 ms between them: no
pause follows), and over number words. A word holding a digit is never paired: espeak-ng
reads a numeral ("665") as several words and gives the numeral's characters to the first only,
so its time would be part of the number's.

    python benchmarks/word_times.py                      # samples/eval
    python benchmarks/word_times.py --labels /tmp/c/labels.jsonl --tag c

writes ``results/word_times[_TAG].json``. Only clips espeak-ng spoke are measured (a voice
recorded bare or as ``espeak:NAME``); a re-voiced corpus has no true word times. Nothing here
prints text: only counts and times.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
import sys
from typing import AbstractSet, Dict, FrozenSet, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (ROOT, os.path.join(ROOT, "benchmarks")):
    if path not in sys.path:
        sys.path.insert(0, path)

from detection import load_labels  # noqa: E402

from benchmarks.results_file import corpus, provenance, write_result  # noqa: E402

MODEL = "bundled:tiny.en"
#: Less than this between one spoken word's end and the next one's start: no pause follows.
RUN_ON_S = 0.03
#: A pair further apart than this at either end is two different words that write alike.
MAX_OFFSET_S = 1.0
PERCENTILES = (1, 5, 25, 50, 75, 95, 99)

#: (token, start_s, end_s) of one word.
Word = Tuple[str, float, float]


def token(text: str) -> str:
    """A word as both listens write it: lower case, letters, digits and apostrophes."""
    return re.sub(r"[^a-z0-9']", "", text.lower())


Pair = Tuple[Word, Word, Optional[float]]


def paired(asr: Sequence[Word], spoken: Sequence[Word]) -> Tuple[List[Pair], int]:
    """The ASR's words matched to the spoken ones that write the same token, in order, each
    with the pause after the spoken word (None for the clip's last word); and how many matches
    were dropped as more than ``MAX_OFFSET_S`` apart. Words holding a digit take no part."""
    def comparable(word: Word) -> bool:
        return bool(word[0]) and not any(ch.isdigit() for ch in word[0])

    # The pause after each spoken word is read before numerals are set aside: a word run into
    # a numeral runs on.
    pauses = {index: spoken[index + 1][1] - word[2] if index + 1 < len(spoken) else None
              for index, word in enumerate(spoken)}
    said_at = [index for index, word in enumerate(spoken) if comparable(word)]
    heard_words = [word for word in asr if comparable(word)]
    matcher = difflib.SequenceMatcher(a=[w[0] for w in heard_words],
                                      b=[spoken[i][0] for i in said_at], autojunk=False)
    pairs: List[Pair] = []
    dropped = 0
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            heard, index = heard_words[a + k], said_at[b + k]
            said = spoken[index]
            if abs(heard[1] - said[1]) > MAX_OFFSET_S or abs(heard[2] - said[2]) > MAX_OFFSET_S:
                dropped += 1
                continue
            pairs.append((heard, said, pauses[index]))
    return pairs, dropped


def percentiles(values: Sequence[float]) -> Dict[str, Optional[float]]:
    """Nearest-rank percentiles of ``values`` (None for none)."""
    ordered = sorted(values)
    return {f"p{p}": round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 3)
            if ordered else None for p in PERCENTILES}


def spoken_number_words() -> FrozenSet[str]:
    """The English pack's words of a spoken number: its number words, its repeats ("double")
    and its homophones of zero ("oh")."""
    from voicescrub.transforms.pii.config import load_pii_config

    forms = load_pii_config().spoken_forms
    return forms.number_words | frozenset(forms.repeats) | frozenset(forms.zero_homophones)


def figures(pairs: Sequence[Pair], number_words: AbstractSet[str]) -> Dict[str, object]:
    """Percentiles of the start and end errors over the pairs, and over the subsets
    (``number_words``: the words of a spoken number)."""
    subsets = {
        "all": pairs,
        "run_on": [p for p in pairs if p[2] is not None and p[2] < RUN_ON_S],
        "number_words": [p for p in pairs if p[1][0] in number_words],
    }
    return {name: {"words": len(chosen),
                   "start_late_s": percentiles([a[1] - s[1] for a, s, _ in chosen]),
                   "end_late_s": percentiles([a[2] - s[2] for a, s, _ in chosen])}
            for name, chosen in subsets.items()}


def espeak_voice(voice: str) -> str:
    """The espeak-ng voice a label names (bare, or ``espeak:NAME``); "" for another synthesiser's."""
    if voice.startswith("espeak:"):
        return voice[len("espeak:"):]
    return "" if ":" in voice else voice


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", default=os.path.join(ROOT, "samples", "eval", "labels.jsonl"))
    parser.add_argument("--tag", default="", help="write results/word_times_TAG.json")
    args = parser.parse_args(argv)
    result: Dict[str, object] = provenance("word_times.py", list(sys.argv[1:] if argv is None else argv))

    from espeak_words import EspeakTimer
    from voicescrub.transforms.asr.whisper import (
        AsrSettings,
        load_model_for,
        transcribe,
        transcribe_batch,
    )
    from voicescrub.transforms.audio.codec import decode_to_pcm16

    labels = [dict(row, voice=espeak_voice(row["voice"])) for row in load_labels(args.labels)
              if row.get("text") and espeak_voice(row.get("voice") or "")]
    folder = os.path.dirname(os.path.abspath(args.labels))
    pcms = []
    for row in labels:
        with open(os.path.join(folder, row["audio"]), "rb") as handle:
            pcms.append(decode_to_pcm16(handle.read(), max_duration_s=600.0))
    settings = AsrSettings()
    model = load_model_for(settings)
    packed = transcribe_batch(model, pcms, settings)
    timer = EspeakTimer()
    pairs: Dict[str, list] = {"first_pass": [], "alone_beam5": []}
    dropped = {name: 0 for name in pairs}
    try:
        for row, pcm, outcome in zip(labels, pcms, packed):
            spoken = [(token(row["text"][w.char_start:w.char_end]), w.start_s, w.end_s)
                      for w in timer.synth(row["text"], row["voice"], int(row["speed"]))[1]]
            alone = transcribe(model, pcm, beam_size=5)
            for name, transcript in (("first_pass", outcome.transcript), ("alone_beam5", alone)):
                if transcript is None:
                    continue
                asr = [(token(w.text), w.start_s, w.end_s) for w in transcript.words]
                found, far = paired(asr, spoken)
                pairs[name].extend(found)
                dropped[name] += far
    finally:
        timer.close()
    number_words = spoken_number_words()
    result.update(corpus=corpus(args.labels, len(labels)), model=MODEL, run_on_below_s=RUN_ON_S,
                  max_offset_s=MAX_OFFSET_S, pairs_dropped_as_too_far=dropped,
                  decodings={name: figures(chosen, number_words) for name, chosen in pairs.items()})
    for name, by_subset in result["decodings"].items():  # type: ignore[union-attr]
        for subset, row in by_subset.items():
            print(f"{name:12} {subset:13} words {row['words']:5}  start late (s) "
                  f"{row['start_late_s']}  end late (s) {row['end_late_s']}")
    path = write_result(f"word_times_{args.tag}.json" if args.tag else "word_times.json", result)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
