"""PII detection benchmark: our speech-aware detector against out-of-the-box Presidio.

Run from the repository root::

    python benchmarks/detection.py [--labels samples/eval/labels.jsonl] [--transcripts texts.json]

Each clip of the labelled corpus is transcribed once with faster-whisper tiny.en
(int8, CPU; cached in ``benchmarks/.cache/transcripts.json``, so reruns take
seconds). Both detectors then run on the same transcripts. Only aggregates are
printed, as markdown tables, and written to ``benchmarks/results/detection[_TAG].json``:
never a transcript or a value.

``--transcripts FILE`` scores another ASR output of the same clips instead: a JSON
map ``utterance_id -> transcript`` (for example what the pipeline's batched or
packed transcription wrote); nothing is transcribed then, and only the clips the
map names are scored ("audible" is judged on those transcripts).

Definitions
-----------
*Redacted text*: overlapping spans are merged and each merged span is replaced
by ``[ENTITY_TYPE]`` (the type of its highest-scoring span), as the pipeline does.

*Recoverable* (one definition, used for "audible" and for "leaked"): a labelled
value is recoverable from a text when

* numeric values (cards, CVV, expiry, PIN, bank/routing/sort/account numbers,
  IBAN, SSN, phone): the text is read by our own spoken-form normaliser, all
  digits it yields are concatenated, and the longest common contiguous stretch
  of that digit stream and the value's digits is at least ``min(len(value), 4)``
  digits (an expiry may also drop its leading zero: "nine thirty one" for 09/31);
* DATE_OF_BIRTH: the year, or day and month together (as digits or a month name
  plus the day), can be read;
* text values (PERSON, STREET_ADDRESS, EMAIL_ADDRESS, USERNAME, PASSWORD): any
  distinctive piece of the value (a run of 4+ letters such as a surname, a street
  name, an e-mail local part, not a generic word like "lane", "suite", "east" or
  "example", nor a street type when the address has a name besides it: "Trail" of
  "Tyrone Trail") appears in the text's lower-cased alphanumeric stream (so "j patel"
  still reveals "jpatel").

A value is *audible* when it is recoverable from the ASR transcript of the
original clip; only audible values count. It is *leaked* when it is still
recoverable from the redacted text. Leak rate = leaked / audible.

*Type-agnostic recall* = 1 - leak rate. *Per-entity recall* for type T: audible
values of type T that are not leaked and overlapped by a span of type T.
*Precision*: a detected span is correct when it overlaps the evidence of a
labelled value (the transcript characters that made it recoverable); per
entity, the label must also have its type. F2 weighs recall four times precision.

*Word retention* (PII-free clips): words of the transcript left outside every
redacted span / all words.

*Harmless speech* (the issue's "harmless speech survives, measure it"): a fixed
set of PII-free requests written for this benchmark (timers, durations,
temperatures, quantities, arithmetic, track numbers, times of day, years), in the
shapes tiny.en writes them (numerals, number words, "7 to 7", "6 o 5"). Per
category: words kept outside every span, and requests with any span at all. They
were written alongside the fail-safe rules, so they are a regression check on
those rules, not unbiased evidence; the corpus' PII-free clips are that.

*Speed*: ``detect()`` alone, mean ms per utterance over all transcripts (after
warm-up), on this machine's CPU (2 cores), one thread.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from voicescrub.schemas.records import PiiSpan  # noqa: E402
from voicescrub.schemas.settings import FrozenMapping  # noqa: E402
from voicescrub.transforms.language.packs import ENGLISH
from voicescrub.transforms.pii.config import load_pii_config  # noqa: E402
from voicescrub.transforms.pii.detector import PiiDetector  # noqa: E402
from voicescrub.transforms.pii.spoken_normaliser import normalise  # noqa: E402

from benchmarks.results_file import corpus, provenance, write_result  # noqa: E402

CACHE_DIR = os.path.join(ROOT, "benchmarks", ".cache")
MODEL = "bundled:tiny.en"
#: How a person reading a transcript takes its words: as English (digit homophones and
#: near rhymes between digits), and also a fast "is" written "in" opening a run and "not"
#: between the words of an address as "dot". The leak is read this way whatever the
#: detector knows (its confusion table may hold fewer words), so a change to the table never
#: changes what counts as audible.
READER_FORMS = ENGLISH.spoken_forms.adding(run_lead_ins=frozenset({"in"}),
                                    email_separators=FrozenMapping({"not": "."}))

NUMERIC_TYPES = frozenset(
    {
        "CREDIT_CARD", "CARD_LAST4", "CARD_CVV", "CARD_EXPIRY", "PIN", "US_BANK_NUMBER",
        "ABA_ROUTING_NUMBER", "UK_SORT_CODE", "UK_BANK_ACCOUNT", "IBAN_CODE", "US_SSN", "PHONE_NUMBER",
    }
)
#: Banking and government IDs: their leak rate must be zero.
CRITICAL_TYPES = NUMERIC_TYPES - {"PHONE_NUMBER"}
GENERIC_WORDS = frozenset(
    {
        "street", "road", "avenue", "lane", "drive", "boulevard", "court", "place", "close", "crescent",
        "terrace", "way", "example", "mail", "gmail", "yahoo", "hotmail", "outlook", "com", "net", "org",
        # an address's unit and the compass point of its city's name ("Suite 950", "East Amara")
        "suite", "apartment", "north", "south", "east", "west",
    }
)
#: The street types the detector knows (its lexicon's ``street_type``): in an address that has
#: a street's name besides ("Tyrone Trail", "Kaur Dam"), the type alone recovers nothing; in
#: one whose name is a type word itself ("12 Harbor Street") that word is the evidence. Read
#: from this checkout's file, not from the detector measured, so a base run counts the same.
with open(os.path.join(ROOT, "transforms", "language", "en", "pii_config.yaml"), encoding="utf-8") as _config:
    STREET_TYPES = frozenset(yaml.safe_load(_config)["lexicon"]["street_type"])
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]


# ---------------------------------------------------------------- transcripts


def load_labels(path: str) -> List[dict]:
    """Read the labelled corpus (one JSON object per line)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_transcripts(path: str, rows: Sequence[dict]) -> Tuple[List[dict], Dict[str, str]]:
    """Read a JSON map ``utterance_id -> transcript``; returns the rows it covers and their texts."""
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise SystemExit("--transcripts must be a JSON object mapping utterance ids to transcripts")
    covered = [row for row in rows if row["utterance_id"] in raw]
    return covered, {row["utterance_id"]: raw[row["utterance_id"]] for row in covered}


def transcribe_all(rows: Sequence[dict], corpus_dir: str) -> Dict[str, str]:
    """Transcribe every clip once; cached by clip file content and model."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    cache_path = os.path.join(CACHE_DIR, "transcripts.json")
    cache: Dict[str, str] = {}
    if os.path.exists(cache_path):
        with open(cache_path, encoding="utf-8") as handle:
            cache = json.load(handle)
    model = None
    texts: Dict[str, str] = {}
    for index, row in enumerate(rows):
        path = os.path.join(corpus_dir, row["audio"])
        with open(path, "rb") as handle:
            key = MODEL + ":" + hashlib.sha256(handle.read()).hexdigest()
        if key not in cache:
            if model is None:
                from voicescrub.transforms.asr.whisper import load_whisper_model

                model = load_whisper_model(MODEL, device="cpu", compute_type="int8", cpu_threads=2)
            from faster_whisper import decode_audio
            from voicescrub.transforms.asr.whisper import transcribe

            audio = decode_audio(path, sampling_rate=16000)
            cache[key] = transcribe(model, audio).text
            if index % 20 == 0:
                print(f"transcribed {index + 1}/{len(rows)}", file=sys.stderr)
                with open(cache_path, "w", encoding="utf-8") as handle:
                    json.dump(cache, handle)
        texts[row["utterance_id"]] = cache[key]
    with open(cache_path, "w", encoding="utf-8") as handle:
        json.dump(cache, handle)
    return texts


# ------------------------------------------------------------ recoverability


def _digit_stream(text: str) -> Tuple[str, List[Tuple[int, int]]]:
    """All digits a reader gets from ``text`` and, per digit, its original span."""
    normalised = normalise(text, READER_FORMS)
    digits: List[str] = []
    spans: List[Tuple[int, int]] = []
    for run in normalised.digit_runs:
        for offset, ch in enumerate(run.digits):
            digits.append(ch)
            spans.append(normalised.to_original(run.norm_start + offset, run.norm_start + offset + 1))
    # Digits glued to letters ("5O01", "DE44") are read too.
    for match in re.finditer(r"\d+", normalised.text):
        if any(r.norm_start <= match.start() < r.norm_end for r in normalised.digit_runs):
            continue
        for k in range(match.start(), match.end()):
            digits.append(normalised.text[k])
            spans.append(normalised.to_original(k, k + 1))
    return "".join(digits), spans


def _longest_common(a: str, b: str) -> Tuple[int, int]:
    """Length and end index in ``b`` of the longest common substring of a and b."""
    best, best_end = 0, 0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            if ch == other:
                current[j] = previous[j - 1] + 1
                if current[j] > best:
                    best, best_end = current[j], j
        previous = current
    return best, best_end


def _alnum_stream(text: str) -> Tuple[str, List[int]]:
    normalised = normalise(text, READER_FORMS)
    chars: List[str] = []
    where: List[int] = []
    for k, ch in enumerate(normalised.text):
        if ch.isalnum():
            chars.append(ch.lower())
            where.append(k)
    return "".join(chars), [normalised.char_starts[k] for k in where]


def evidence(entity_type: str, value: str, text: str) -> Optional[Tuple[int, int]]:
    """Where in ``text`` the value can be recovered from, or None if it cannot (see module doc)."""
    if entity_type in NUMERIC_TYPES:
        wanted = re.sub(r"\D", "", value)
        candidates = [wanted]
        if entity_type == "CARD_EXPIRY" and wanted.startswith("0"):
            candidates.append(wanted[1:])
        stream, spans = _digit_stream(text)
        for candidate in candidates:
            need = min(len(candidate), 4)
            length, end = _longest_common(candidate, stream)
            if length >= need and length > 0:
                return spans[end - length][0], spans[end - 1][1]
        return None
    if entity_type == "DATE_OF_BIRTH":
        year, month, day = value.split("-")
        stream, spans = _digit_stream(text)
        hits: List[Tuple[int, int]] = []
        for needle in (year, month + day, day + month, str(int(month)) + day, day + str(int(month))):
            at = stream.find(needle)
            if at >= 0 and (needle == year or len(needle) >= 3):
                hits.append((spans[at][0], spans[at + len(needle) - 1][1]))
        lowered = text.lower()
        month_at = lowered.find(MONTHS[int(month) - 1])
        day_at = stream.find(str(int(day)))
        if month_at >= 0 and day_at >= 0:
            hits.append((month_at, max(month_at + 3, spans[day_at][1])))
        if not hits:
            return None
        return min(h[0] for h in hits), max(h[1] for h in hits)
    stream, where = _alnum_stream(text)
    pieces = [p for p in re.split(r"[^a-z]+", value.lower()) if len(p) >= 4 and p not in GENERIC_WORDS]
    if entity_type == "STREET_ADDRESS":
        pieces = [p for p in pieces if p not in STREET_TYPES] or pieces
    hits = []
    for piece in pieces:
        at = stream.find(piece)
        if at >= 0:
            hits.append((where[at], where[at + len(piece) - 1] + 1))
    if not hits:
        return None
    return min(h[0] for h in hits), max(h[1] for h in hits)


# --------------------------------------------------------------- redaction


def merge(spans: Sequence[PiiSpan]) -> List[PiiSpan]:
    """Merge overlapping spans; the merged span takes the type of its best-scoring part."""
    merged: List[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.char_start, s.char_end)):
        if merged and span.char_start < merged[-1].char_end:
            last = merged[-1]
            best = last if last.score >= span.score else span
            merged[-1] = PiiSpan(best.entity_type, last.char_start, max(last.char_end, span.char_end), best.score, best.recognizer)
        else:
            merged.append(span)
    return merged


def redact(text: str, merged: Sequence[PiiSpan]) -> str:
    """Replace each merged span with ``[ENTITY_TYPE]``."""
    out, position = [], 0
    for span in merged:
        out.append(text[position : span.char_start])
        out.append(f"[{span.entity_type}]")
        position = span.char_end
    out.append(text[position:])
    return "".join(out)


def words_kept(text: str, merged: Sequence[PiiSpan]) -> Tuple[int, int]:
    """(words outside every span, all words)."""
    total = kept = 0
    for match in re.finditer(r"\S+", text):
        total += 1
        if not any(s.char_start < match.end() and match.start() < s.char_end for s in merged):
            kept += 1
    return kept, total


# ---------------------------------------------------------------- detectors


class VanillaPresidio:
    """Out-of-the-box Presidio: default predefined recognizers, same spaCy model, same threshold."""

    def __init__(self, spacy_model: str, threshold: float) -> None:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        engine = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": spacy_model}]}
        ).create_engine()
        self._analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"], default_score_threshold=threshold)

    def detect(self, text: str) -> List[PiiSpan]:
        results = self._analyzer.analyze(text=text, language="en")
        return [
            PiiSpan(r.entity_type, r.start, r.end, float(r.score), str((r.recognition_metadata or {}).get("recognizer_name", "")))
            for r in results
        ]


#: PII-free requests by category (see "Harmless speech" above). No PII, no real values.
HARMLESS_SPEECH: Dict[str, Tuple[str, ...]] = {
    "timers": (
        "Set a timer for 25 minutes.", "Set a timer for twenty five minutes.", "Set a timer for 1 hour and 30 minutes.",
        "Start a 45 minute timer.", "Timer for ninety seconds.", "Set a timer for 10 minutes for the pasta.",
    ),
    "durations": (
        "Remind me in two hours to water the plants.", "Snooze for 20 minutes.", "How long is 10000 seconds?",
        "Play rain sounds for 8 hours.", "Start a 1500 meter swim workout.", "Walk for 30 minutes.",
    ),
    "temperatures": (
        "Turn the oven to 350 degrees.", "Set the thermostat to 7 to 7 degrees.", "Preheat the oven to four hundred.",
        "Set the heating to 21.", "Set the thermostat from 68 to 72 degrees.", "Turn the oven to 100 and 80 degrees.",
    ),
    "quantities": (
        "Add 12 eggs and 4 lemons to my shopping list.", "How many calories are in 2000 grams of rice?",
        "I walked 12000 steps today.", "Convert 5000 feet to meters.", "There were 2500 people there.",
        "How far is 26.2 miles in kilometers?",
    ),
    "arithmetic": (
        "What's 100 and 23 plus 800 and 27?", "What's four hundred sixty nine plus two hundred twenty two?",
        "What is 25% of 200?", "What is 123456 times 7?", "What's 1024 divided by 16?", "Calculate 4321 minus 1234.",
    ),
    "track numbers": (
        "Play track 17 from the album.", "Skip to track number 4.", "Skip to track number twenty five.",
        "Play chapter 12 of the audiobook.", "Play episode nineteen of season seven.", "Go to page 1204.",
    ),
    "times of day": (
        "Wake me up at 7.15 tomorrow.", "Wake me up at 6 o 5 tomorrow.", "Move my 6 o'clock meeting to 10 30.",
        "Set an alarm for 5 45 am.", "Remind me at 1130 to call the office.", "Set an alarm for six thirty tomorrow morning.",
    ),
    "years and dates": (
        "Who won the World Cup in 1986?", "Play the top 40 hits from 1985.", "What happened in nineteen sixty nine?",
        "Remind me on the 4th of July at six pm.", "How old is someone born in 2001?", "Play songs from the year 1999.",
    ),
}


def harmless_speech(detector, figures: Optional[Dict[str, dict]] = None) -> List[List[str]]:
    """Rows of (category, words kept / words, requests with any span / requests); the
    same as numbers into ``figures`` per category when given."""
    rows: List[List[str]] = []
    figures = {} if figures is None else figures
    all_kept = all_words = all_hit = all_n = 0
    for category, requests in HARMLESS_SPEECH.items():
        kept_sum = words_sum = hit = 0
        for text in requests:
            spans = detector.detect(text)
            kept, total = words_kept(text, merge(spans))
            kept_sum, words_sum, hit = kept_sum + kept, words_sum + total, hit + int(bool(spans))
        rows.append([category, f"{_ratio(kept_sum, words_sum):.3f}", f"{hit}/{len(requests)}"])
        figures[category] = {"words_kept": kept_sum, "words": words_sum, "redacted": hit, "requests": len(requests)}
        all_kept, all_words, all_hit, all_n = all_kept + kept_sum, all_words + words_sum, all_hit + hit, all_n + len(requests)
    rows.append(["all", f"{_ratio(all_kept, all_words):.3f}", f"{all_hit}/{all_n}"])
    figures["all"] = {"words_kept": all_kept, "words": all_words, "redacted": all_hit, "requests": all_n}
    return rows


@dataclass
class Scores:
    audible: int = 0
    labelled: int = 0
    leaked: int = 0
    critical_audible: int = 0
    critical_leaked: int = 0
    spans: int = 0
    correct_spans: int = 0
    words_kept: int = 0
    words_total: int = 0
    flag_right: int = 0
    clips: int = 0


def evaluate(detector, rows: Sequence[dict], texts: Dict[str, str], critical: frozenset):
    """Run one detector over the rows; returns totals, per-entity tables and timing."""
    totals = Scores()
    per_type: Dict[str, Dict[str, int]] = {}
    timings: List[float] = []
    for text in list(texts.values())[:10]:
        detector.detect(text)  # warm-up
    for row in rows:
        text = texts[row["utterance_id"]]
        started = time.perf_counter()
        spans = detector.detect(text)
        timings.append((time.perf_counter() - started) * 1000.0)
        merged = merge(spans)
        redacted = redact(text, merged)
        totals.clips += 1
        labelled_critical = any(p["entity_type"] in CRITICAL_TYPES for p in row["pii"])
        totals.flag_right += int(labelled_critical == any(s.entity_type in critical for s in spans))
        if row["pii_free"]:
            kept, total = words_kept(text, merged)
            totals.words_kept += kept
            totals.words_total += total
        regions: List[Tuple[str, Tuple[int, int]]] = []
        for label in row["pii"]:
            kind = label["entity_type"]
            stats = per_type.setdefault(kind, {"audible": 0, "found": 0, "spans": 0, "correct": 0, "labelled": 0})
            stats["labelled"] += 1
            totals.labelled += 1
            where = evidence(kind, label["value"], text)
            if where is None:
                continue
            regions.append((kind, where))
            stats["audible"] += 1
            totals.audible += 1
            leaked = evidence(kind, label["value"], redacted) is not None
            totals.leaked += int(leaked)
            if kind in CRITICAL_TYPES:
                totals.critical_audible += 1
                totals.critical_leaked += int(leaked)
            typed = any(s.entity_type == kind and s.char_start < where[1] and where[0] < s.char_end for s in spans)
            stats["found"] += int(typed and not leaked)
        for span in spans:
            stats = per_type.setdefault(span.entity_type, {"audible": 0, "found": 0, "spans": 0, "correct": 0, "labelled": 0})
            stats["spans"] += 1
            # The fail-safe type has no label of its own: it is correct on any labelled value.
            stats["correct"] += int(
                any(
                    (k == span.entity_type or span.entity_type == "DIGIT_SEQUENCE")
                    and span.char_start < w[1]
                    and w[0] < span.char_end
                    for k, w in regions
                )
            )
        for span in merged:
            totals.spans += 1
            totals.correct_spans += int(any(span.char_start < w[1] and w[0] < span.char_end for _, w in regions))
    return totals, per_type, timings


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def summary_rows(name: str, totals: Scores, timings: Sequence[float]) -> List[str]:
    recall = 1.0 - _ratio(totals.leaked, totals.audible)
    precision = _ratio(totals.correct_spans, totals.spans)
    f2 = 5 * precision * recall / (4 * precision + recall) if precision + recall else 0.0
    return [
        name,
        f"{totals.audible}/{totals.labelled}",
        f"{recall:.3f}",
        f"{precision:.3f}",
        f"{f2:.3f}",
        f"{_ratio(totals.leaked, totals.audible):.3f} ({totals.leaked})",
        f"{_ratio(totals.critical_leaked, totals.critical_audible):.3f} ({totals.critical_leaked}/{totals.critical_audible})",
        f"{_ratio(totals.words_kept, totals.words_total):.3f}",
        f"{_ratio(totals.flag_right, totals.clips):.3f}",
        f"{statistics.mean(timings):.1f} / {sorted(timings)[int(0.95 * (len(timings) - 1))]:.1f}",
    ]


def summary_figures(totals: Scores, timings: Sequence[float]) -> Dict[str, object]:
    """``summary_rows``' figures as numbers (the counts behind each ratio too)."""
    recall = 1.0 - _ratio(totals.leaked, totals.audible)
    precision = _ratio(totals.correct_spans, totals.spans)
    figures: Dict[str, object] = {k: v for k, v in vars(totals).items()}
    figures.update(
        recall=round(recall, 4), precision=round(precision, 4),
        f2=round(5 * precision * recall / (4 * precision + recall), 4) if precision + recall else 0.0,
        leak_rate=round(_ratio(totals.leaked, totals.audible), 4),
        critical_leak_rate=round(_ratio(totals.critical_leaked, totals.critical_audible), 4),
        word_retention_pii_free=round(_ratio(totals.words_kept, totals.words_total), 4),
        critical_flag_accuracy=round(_ratio(totals.flag_right, totals.clips), 4),
        ms_per_utterance_mean=round(statistics.mean(timings), 2),
        ms_per_utterance_p95=round(sorted(timings)[int(0.95 * (len(timings) - 1))], 2),
    )
    # A ratio over nothing (no such value in a split) is null, not NaN (which JSON lacks).
    return {k: None if v != v else v for k, v in figures.items()}


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", default=os.path.join(ROOT, "samples", "eval", "labels.jsonl"))
    parser.add_argument(
        "--transcripts", default=None,
        help="JSON map utterance_id -> transcript to score instead of transcribing the clips",
    )
    parser.add_argument("--pii-config", default=None, help="PII YAML (default: the English language pack's)")
    parser.add_argument("--no-vanilla", action="store_true", help="skip the out-of-the-box Presidio baseline")
    parser.add_argument("--tag", default="", help="write results/detection_TAG.json instead of detection.json")
    args = parser.parse_args(argv)
    result: Dict[str, object] = provenance("detection.py", list(sys.argv[1:] if argv is None else argv))

    rows = load_labels(args.labels)
    if args.transcripts:
        rows, texts = load_transcripts(args.transcripts, rows)
        source = f"transcripts {os.path.basename(args.transcripts)}"
    else:
        texts = transcribe_all(rows, os.path.dirname(os.path.abspath(args.labels)))
        source = f"ASR {MODEL} int8"
    config = load_pii_config(args.pii_config)
    detectors = [("voicescrub", PiiDetector(config))]
    if not args.no_vanilla:
        detectors.append(("vanilla Presidio", VanillaPresidio(config.spacy_model, config.score_threshold)))

    header = ["detector", "split", "audible/labelled", "recall (type-agnostic)", "precision", "F2", "leak rate (n)",
              "banking+gov leak (n/audible)", "word retention (PII-free)", "critical flag accuracy", "ms/utt mean / p95"]
    summary: List[List[str]] = []
    per_entity: Dict[str, Dict[str, Dict[str, int]]] = {}
    result["corpus"] = dict(corpus(args.labels, len(rows)), transcripts=source)
    result["summary"] = {name: {} for name, _ in detectors}
    for name, detector in detectors:
        for split in ("dev", "heldout", "all"):
            chosen = [r for r in rows if split == "all" or r["split"] == split]
            totals, per_type, timings = evaluate(detector, chosen, texts, config.critical_entities)
            cells = summary_rows(name, totals, timings)
            summary.append([cells[0], split] + cells[1:])
            result["summary"][name][split] = summary_figures(totals, timings)
            if split == "all":
                per_entity[name] = per_type
    print(f"## PII detection on {os.path.relpath(args.labels, ROOT)} ({len(rows)} clips, {source})\n")
    print(table(header, summary))
    print("\n## Per entity (all splits): recall = found/audible, precision = correct/spans\n")
    names = [n for n, _ in detectors]
    entity_header = ["entity", "audible"] + [f"{n} recall" for n in names] + [f"{n} precision" for n in names]
    entity_rows = []
    kinds = sorted({k for per_type in per_entity.values() for k in per_type})
    for kind in kinds:
        base = per_entity[names[0]].get(kind, {})
        row = [kind, str(base.get("audible", 0))]
        for n in names:
            s = per_entity[n].get(kind, {})
            row.append(f"{_ratio(s.get('found', 0), s.get('audible', 0)):.2f}" if s.get("audible") else "-")
        for n in names:
            s = per_entity[n].get(kind, {})
            row.append(f"{_ratio(s.get('correct', 0), s.get('spans', 0)):.2f} ({s.get('spans', 0)})" if s.get("spans") else "-")
        entity_rows.append(row)
    print(table(entity_header, entity_rows))
    result["per_entity"] = per_entity
    print("\n## Harmless speech (written PII-free requests): word retention, requests with any span\n")
    result["harmless_speech"] = {name: {} for name, _ in detectors}
    harmless = {name: harmless_speech(detector, result["harmless_speech"][name]) for name, detector in detectors}
    harmless_header = ["category"] + [f"{n} {col}" for n in names for col in ("word retention", "redacted")]
    harmless_rows = []
    for i, row in enumerate(harmless[names[0]]):
        harmless_rows.append([row[0]] + [cell for n in names for cell in harmless[n][i][1:]])
    print(table(harmless_header, harmless_rows))
    name = f"detection{'_' + args.tag if args.tag else ''}.json"
    print(f"\nwritten: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
