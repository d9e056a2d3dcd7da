"""What a speech model writes for the words PII detection relies on: measured confusions.

The detector finds a banking value by its cue ("PIN", "sort code", "IBAN"), by the word
"is" before it, by its digits and, in an e-mail address, by its spoken separators. A
small Whisper model mishears some of those words in its own repeatable ways (tiny.en
writes "bin" for "PIN", "count number" for "account number", "not" for "dot", "in" for
"is"). This benchmark measures
what one model writes for each of those words, across voices and synthesisers, so a
per-model confusion table (``transforms/pii/asr_confusions/<family>.yaml``) is built
from counts rather than from single misses.

Run from the repository root (needs ``espeak-ng`` and ``flite``; ``apt-get install
espeak-ng flite``)::

    python benchmarks/asr_confusions.py                       # defaults: 13 voices, ~480 clips
    python benchmarks/asr_confusions.py --corpus samples/eval/labels.jsonl \\
        --emit-table /tmp/tiny_en_draft.yaml                  # also mine a labelled corpus
    python benchmarks/asr_confusions.py --asr-model base.en --tag base_en

Options: ``--synth espeak,flite``; ``--voices`` (comma-separated, ``espeak:NAME``,
``flite:NAME`` or a bare name; default ``DEFAULT_VOICES``); ``--speeds`` (words a minute,
default 150,190); ``--roles`` (comma-separated, the roles whose targets the carriers say;
default all); ``--per-target N`` (carrier sentences per target per voice, default 1:
13 voices x 39 targets = 507 clips, about 2 minutes on 2 cores); ``--seed``;
``--corpus LABELS.jsonl`` (repeatable) and ``--no-carriers``; ``--emit-table PATH``
with ``--min-count`` and ``--min-voices``; ``--asr-model``, ``--asr-device``,
``--asr-compute-type``, ``--asr-workers`` (default 1); ``--tag``.

What it does
------------
1. *Targets* (``TARGETS``), grouped by the role the detector uses them for: banking
   cues, other cues, digits ("zero" ... "nine", "oh"), spoken e-mail separators
   ("dot", "at", "underscore", "dash"), the link word "is" right before a value, and the
   wake words that open a request to a voice assistant ("Alexa", "Siri"; measured only: no
   list of the detector takes their confusions).
2. *Carrier sentences*: for every target and voice, ``--per-target`` sentences made from
   the templates of its role (``TEMPLATES``, ``TARGET_TEMPLATES``: how people dictate
   to a voice assistant), with fake values from a seeded RNG (digit strings read digit
   by digit, e-mail addresses made of common words). Every target occurrence in a
   sentence is tracked, not only the one it was made for: cues anywhere outside the
   value, digits and separators inside it, "is" right before it.
3. *Synthesis*: espeak-ng (``espeak-ng -v VOICE -s SPEED``) and flite (``flite -voice
   VOICE``, paced with ``duration_stretch = 175 / SPEED``, 175 wpm being espeak-ng's
   default) voices; each sentence is spoken at one of ``--speeds`` in turn. A voice the
   machine lacks (both tools fall back to a default voice silently) is left out and
   listed as missing. Clips are decoded to 16 kHz mono PCM by the pipeline's decoder.
4. *Transcription*: as the pipeline does it (``transcribe_batch`` with ``AsrSettings``'
   defaults: beam 5, short clips packed into shared windows), with ``--asr-model``
   (the pipeline's values: ``bundled:tiny.en``, a size name in the local cache, a
   CTranslate2 folder). ``--asr-workers`` changes the speed, never the transcripts.
5. *Alignment* (``written_for``, ``heard``): reference and transcript are read into
   lower-case words (``spoken_words``: edge punctuation dropped, numerals read one word
   per digit so "4,173" and "4-1-7-3" are "four one seven three" but "08-12-20" is
   "zero eight dash one two dash two zero", "$"/"£"/"€" and "%" read as
   "dollars"/"pounds"/"euros" and "percent", an e-mail address read out as
   "a dot b at c dot com", letter-dotted and hyphenated words such as "p.i.n",
   "e-mail" and "grace-forest" kept whole) and aligned with ``difflib.SequenceMatcher``. What the model
   wrote for a target is the transcript side of the edits covering exactly the
   target's words (a substitution of as many words for as many, up to ``MAX_SPLIT``,
   is split word by word): the target itself when nothing changed, ``""`` when it was dropped. When one
   edit also covers up to ``MAX_SPILL`` neighbouring words ("cvv is" written
   "seemingly"), that is recorded with what it stood for (``said``); larger edits are
   *unaligned* and counted apart.
6. *Tabulation*: per target, times spoken, heard right, dropped, unaligned, and every
   other written form with its count and the voices it came from. A written form is
   right when it is the target or a plain spelling of it (``is_right``: "p.i.n",
   "c v v", "e-mail", "oh"/"zero"/"o" for the digit 0, and a hyphen for "dash":
   "grace-forest" for "grace dash forest", the name's spelling aside).

Output
------
``benchmarks/results/asr_confusions[_TAG].json``: provenance, the model, the voices
used and missing, the clip counts, and three tables, ``carriers``, ``corpus`` (null
without ``--corpus``) and ``combined``: per target ``role``, ``spoken``, ``right``,
``dropped``, ``unaligned`` and ``confusions`` (``written``, ``said`` when it stood for
more than the target, ``count``, ``voices``), most frequent first. stdout: a markdown
table per source (target, role, spoken, right, dropped, unaligned, top confusions as
``written (count/voices)``, with ``[said]`` for a form that took in a neighbour). No
transcript or value is printed or stored; only the target words and what the model
wrote for them.

``--emit-table PATH`` writes a YAML draft of the model's confusion table: one entry per
confusion (combined sources) seen at least ``--min-count`` times from at least
``--min-voices`` voices, with ``heard``, ``means``, ``role``, ``count``, ``spoken``,
``voices`` (and ``said`` where the heard form stood for more than ``means``). Left out:
drops, and forms that are themselves a target word ("nine" for "five", "account" for
"account number": the detector already reads them as that word). A form heard for two
targets is listed once, for the one it was written for most. A person then gives each
entry its ``lists`` and ``reason`` (``transforms/pii/asr_confusions.py``).

``--corpus LABELS.jsonl`` (repeatable) also transcribes a labelled corpus
(``samples/eval/labels.jsonl``: ``text``, ``audio`` relative to the file's folder,
``voice``, and ``pii`` spans as the values): targets found in each text are tracked the
same way, digits counted only where the text writes them one at a time. A corpus voice
without a synthesiser prefix is taken to be espeak-ng's (``samples/generate.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks.results_file import corpus, provenance, write_result  # noqa: E402

# ------------------------------------------------------------------ what is measured

#: The words measured, by the role the detector uses them for. Multi-word cues are
#: measured whole ("sort code", not "sort" and "code").
TARGETS: Dict[str, Tuple[str, ...]] = {
    "banking_cue": (
        "pin", "pin number", "cvv", "security code", "expiry date", "expires", "expiration date",
        "sort code", "account", "account number", "routing number", "iban", "card number",
        "card ending", "social security number", "passcode",
    ),
    "other_cue": ("password", "username", "date of birth", "email", "address"),
    "digit": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "oh"),
    "separator": ("dot", "at", "underscore", "dash"),
    "link": ("is",),
    # The device's name opening a request. Measured, not used: "Alex," for "Alexa," may as
    # well be a person addressed at the start of a clip.
    "wake_word": ("alexa", "siri"),
}

#: How a target is written for the synthesisers when not as itself (the reference
#: text is read in lower case, so it still says "pin", "cvv", "iban").
SYNTH_SPELLING: Dict[str, str] = {"pin": "PIN", "pin number": "PIN number", "cvv": "CVV", "iban": "IBAN"}

#: Carrier sentences per role: ``{cue}`` is the target (or, for roles without a cue of
#: their own, a banking cue drawn at random), ``{value}`` a fake value.
TEMPLATES: Dict[str, Tuple[str, ...]] = {
    "banking_cue": (
        "my {cue} is {value}", "the {cue} on my card is {value}", "can you check the {cue} {value}",
        "please update my {cue} to {value}", "{cue} {value}",
    ),
    "other_cue": (
        "my {cue} is {value}", "the {cue} on my profile is {value}", "can you check the {cue} {value}",
        "please update my {cue} to {value}",
    ),
    "digit": (
        "my {cue} is {value}", "the number is {value}", "please enter {value}", "call me back on {value}",
    ),
    "separator": (
        "send it to {value}", "you can write to {value}", "please use {value} from now on",
        "my new contact is {value}",
    ),
    "link": ("my {cue} is {value}", "{cue} is {value}", "it is {value}", "the {cue} is {value}, thanks"),
    "wake_word": ("{cue}, set a timer for {value} minutes", "hey {cue}, what is {value} plus one",
                  "{cue}, add {value} to my list", "{cue}, play track {value} again"),
}

#: Cues that are not nouns get templates of their own.
TARGET_TEMPLATES: Dict[str, Tuple[str, ...]] = {
    "expires": ("my card {cue} {value}", "the new card {cue} {value}", "it {cue} {value}, I think"),
    "card ending": ("use my {cue} {value}", "pay with the {cue} in {value}", "freeze the {cue} {value}"),
}

#: The value a target's carriers hold (default: a digit string).
VALUE_KINDS: Dict[str, str] = {
    "password": "secret", "username": "username", "email": "email", "address": "address",
    "underscore": "email", "dot": "email", "at": "email", "dash": "email",
}

#: Words values are made of: common, none of them a target.
VALUE_WORDS = ("river", "copper", "garden", "silver", "maple", "rocket", "winter", "lemon",
               "harbor", "forest", "panda", "tiger", "orange", "castle", "meadow", "sunset")
NAMES = ("john", "anna", "mark", "lucy", "peter", "sarah", "tom", "emma", "david", "grace")
DOMAINS = ("example", "mail", "northwind", "bluebird", "postbox", "fastmail")
TLDS = ("com", "net", "org")
STREETS = ("street", "road", "lane", "avenue")

DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: Written forms that mean the same digit as the target.
SAME_DIGIT: Dict[str, frozenset] = {"oh": frozenset({"oh", "zero", "o"}), "zero": frozenset({"zero", "oh", "o"})}
#: Most neighbouring words one edit may take in with a target and still be recorded.
MAX_SPILL = 2

DEFAULT_VOICES: Dict[str, Tuple[str, ...]] = {
    "espeak": ("en-us", "en-us+m3", "en-us+f2", "en-gb", "en-gb+f3", "en+m7", "en-us+f4", "en-gb-x-rp",
               "en-029"),
    "flite": ("kal", "slt", "rms", "awb"),
}
DEFAULT_SPEEDS = (150, 190)
DEFAULT_SEED = 20261205
#: espeak-ng's default pace; flite's own pace is taken to be the same.
BASE_WPM = 175


def role_of(target: str) -> str:
    """The role a target is measured for."""
    for role, targets in TARGETS.items():
        if target in targets:
            return role
    raise KeyError(target)


#: Roles whose targets are the ``{cue}`` of their own carriers, found wherever they are said
#: outside a value.
_OWN_CUE_ROLES = ("banking_cue", "other_cue", "wake_word")


def all_targets() -> Tuple[str, ...]:
    return tuple(t for targets in TARGETS.values() for t in targets)


# ------------------------------------------------------------------------ words


@dataclass(frozen=True)
class Word:
    """One spoken word read from a text, and the characters it came from.

    :param whole: the text's token gave this one word (a digit is "said one at a time"
        only then: "19" or "4173" in a corpus text may have been read as a number).
    """

    text: str
    char_start: int
    char_end: int
    whole: bool = True


_LEAD = "\"'([{<“‘¿¡*-–—"
_TRAIL = "\"'.,!?;:)]}>”’…*-–—"
_PREFIX_SYMBOLS = {"$": "dollars", "£": "pounds", "€": "euros"}
_SEPARATORS = {"@": "at", "_": "underscore", "/": "slash", "#": "hash", "&": "and", "+": "plus"}
_LETTER_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]\.?")
_HYPHENATED = re.compile(r"[a-z']+(?:-[a-z']+)+")


def _chunk(chunk: str) -> List[str]:
    """A piece without separators: one word per digit, letter runs kept."""
    return [DIGIT_NAMES[int(p)] if p.isdigit() else p for p in re.findall(r"\d|[^\d]+", chunk) if p.strip("'")]


def expand_token(token: str) -> List[str]:
    """The words one whitespace-free token stands for (see the module doc)."""
    t = token.lower().lstrip(_LEAD).rstrip(_TRAIL)
    if not t:
        return []
    after: List[str] = []
    if t[0] in _PREFIX_SYMBOLS:
        after.append(_PREFIX_SYMBOLS[t[0]])
        t = t[1:]
    if t.endswith("%"):
        after.insert(0, "percent")
        t = t[:-1]
    if not t:
        return after
    if _LETTER_DOTTED.fullmatch(t):
        return [t.rstrip(".")] + after
    if _HYPHENATED.fullmatch(t):
        return [t] + after
    t = re.sub(r"(?<=\d),(?=\d)", "", t)
    pieces = re.split(r"([@._/\-:#&+])", t)
    words: List[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            words.extend(_chunk(piece))
            continue
        before, later = pieces[index - 1], pieces[index + 1] if index + 1 < len(pieces) else ""
        between_digits = bool(before[-1:].isdigit() and later[:1].isdigit())
        if piece == ".":
            words.append("point" if between_digits else "dot")
        elif piece == "-":
            # "4-1-7" is digits said one at a time, "08-12-20" a sort code said with dashes
            if not (between_digits and len(before) == 1 and len(later) == 1):
                words.append("dash")
        elif piece in _SEPARATORS:
            words.append(_SEPARATORS[piece])
        # ":" ("10:30") is read as nothing
    return words + after


def spoken_words(text: str) -> List[Word]:
    """The words of ``text`` as they are aligned: lower case, numerals one word per
    digit, symbols and e-mail punctuation as words (``expand_token``)."""
    out: List[Word] = []
    for match in re.finditer(r"\S+", text):
        words = expand_token(match.group())
        out.extend(Word(w, match.start(), match.end(), len(words) == 1) for w in words)
    return out


def is_right(target: str, written: str, said: Optional[str] = None) -> bool:
    """Whether ``written`` is ``target`` or a plain spelling of it: letter-dotted
    ("p.i.n", "c v v"), hyphenated ("e-mail", "date-of-birth"), or another name of the
    same digit ("zero" for "oh"). When it stood for more words (``said``, the target
    and its neighbours), it is right only as a hyphen written for each spoken "dash"
    ("grace-forest", or even "grays-forrest", for "grace dash forest")."""
    w = " ".join(written.split())
    if said is not None and said != target:
        return target == "dash" and w.count("-") == said.split().count("dash")
    forms = {w, w.replace(".", ""), w.replace("-", ""), w.replace("-", " ")}
    letters = w.replace(".", " ").split()
    if len(letters) > 1 and all(len(x) == 1 for x in letters):
        forms.add("".join(letters))
    if target in SAME_DIGIT and w in SAME_DIGIT[target]:
        return True
    return target in forms


# -------------------------------------------------------------------- alignment


@dataclass(frozen=True)
class Heard:
    """What the model wrote in place of a target.

    :param written: the transcript's words there (``""``: dropped).
    :param said: the reference words they replace: the target's own, or with up to
        ``MAX_SPILL`` neighbours one edit took in with it.
    """

    written: str
    said: str


#: Longest substitution of n words by n words that is split word by word; a longer one
#: is garbled speech ("lucy dash garden at example dot org" written "lucy nationale and
#: then we'll not learn"), where word k is not what the model wrote for word k.
MAX_SPLIT = 3


def _opcodes(ref: Sequence[str], hyp: Sequence[str]) -> List[Tuple[str, int, int, int, int]]:
    """``SequenceMatcher`` opcodes, with every substitution of n words by n words
    (n <= ``MAX_SPLIT``) split into n one-word substitutions."""
    out: List[Tuple[str, int, int, int, int]] = []
    matcher = difflib.SequenceMatcher(None, list(ref), list(hyp), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1 <= MAX_SPLIT:
            out.extend(("replace", i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1))
        else:
            out.append((tag, i1, i2, j1, j2))
    return out


def heard(ref: Sequence[str], span: Tuple[int, int], hyp: Sequence[str],
          max_spill: int = MAX_SPILL) -> Optional[Heard]:
    """What the model wrote for the reference words ``ref[span[0]:span[1]]``, or None
    when the edits around them also cover more than ``max_spill`` other words.

    Equal stretches are cut to the span; an edit that is not one word for one word is
    taken whole. An insertion right at the span's edge is not the target's.
    """
    start, end = span
    if not 0 <= start < end <= len(ref):
        raise ValueError("span outside the reference")
    lo, hi, jlo, jhi = end, start, None, None
    for tag, i1, i2, j1, j2 in _opcodes(ref, hyp):
        if i1 == i2:  # insertion: the target's only when strictly inside it
            if not start < i1 < end:
                continue
        elif i2 <= start or i1 >= end:
            continue
        if tag == "equal":  # one to one: cut to the span
            cut1, cut2 = max(i1, start), min(i2, end)
            i1, i2, j1, j2 = cut1, cut2, j1 + cut1 - i1, j1 + cut2 - i1
        lo, hi = min(lo, i1), max(hi, i2)
        jlo = j1 if jlo is None else min(jlo, j1)
        jhi = j2 if jhi is None else max(jhi, j2)
    if jlo is None or (start - lo) + (hi - end) > max_spill:
        return None
    return Heard(" ".join(hyp[jlo:jhi]), " ".join(ref[lo:hi]))


def written_for(ref: Sequence[str], span: Tuple[int, int], hyp: Sequence[str]) -> Optional[str]:
    """What the model wrote for exactly ``ref[span[0]:span[1]]`` (``""``: dropped), or
    None when that cannot be told apart from what it wrote for the words around it."""
    found = heard(ref, span, hyp, max_spill=0)
    return None if found is None else found.written


# ---------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Occurrence:
    """One target said in a reference: its words are ``words[start:end]``."""

    target: str
    start: int
    end: int

    @property
    def role(self) -> str:
        return role_of(self.target)


def _inside(word: Word, spans: Sequence[Tuple[int, int]]) -> bool:
    return any(word.char_start < e and s < word.char_end for s, e in spans)


def _plain(word: str) -> str:
    return word.replace(".", "").replace("-", "")


_TENS = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})


def find_targets(words: Sequence[Word], value_spans: Sequence[Tuple[int, int]]) -> List[Occurrence]:
    """Every target said in a reference: cues outside the values (longest first, so
    "pin number" is not also "pin"), digits said one at a time and separators inside
    them (not the last word of a number such as "fifty four"), and "is" right before
    one. ``value_spans`` are character spans."""
    found: List[Occurrence] = []
    cues = sorted((t for role in _OWN_CUE_ROLES for t in TARGETS[role]),
                  key=lambda c: -len(c.split()))
    plain = [_plain(w.text) for w in words]
    inside = [_inside(w, value_spans) for w in words]
    i = 0
    while i < len(words):
        if not inside[i]:
            for cue in cues:
                parts = cue.split()
                if (plain[i:i + len(parts)] == parts
                        and not any(inside[i:i + len(parts)])):
                    found.append(Occurrence(cue, i, i + len(parts)))
                    i += len(parts)
                    break
            else:
                if (words[i].text == "is" and i + 1 < len(words) and inside[i + 1]):
                    found.append(Occurrence("is", i, i + 1))
                i += 1
            continue
        text = words[i].text
        if (text in TARGETS["digit"] and words[i].whole
                and not (i > 0 and words[i - 1].text in _TENS)):  # "fifty four" is a number
            found.append(Occurrence(text, i, i + 1))
        elif text in TARGETS["separator"]:
            found.append(Occurrence(text, i, i + 1))
        i += 1
    return sorted(found, key=lambda o: o.start)


# --------------------------------------------------------------------- carriers


@dataclass(frozen=True)
class Carrier:
    """One carrier sentence: the text the synthesiser speaks (its lower-case reading is
    the reference), where its value lies, and the target it was made for."""

    text: str
    value_span: Tuple[int, int]
    target: str
    template: str


def _digit_string(rng: random.Random, target: str) -> List[str]:
    """Digit words of a random 3-8 digit value, holding ``target`` when it is a digit;
    0 is read "oh" or "zero" at random (always as the target when it is one of them)."""
    digits = [rng.randrange(10) for _ in range(rng.randint(3, 8))]
    if target in TARGETS["digit"]:
        wanted = 0 if target == "oh" else DIGIT_NAMES.index(target)
        for position in rng.sample(range(len(digits)), k=min(2, len(digits))):
            digits[position] = wanted
    zero = target if target in ("oh", "zero") else rng.choice(("oh", "zero"))
    words = [zero if d == 0 else DIGIT_NAMES[d] for d in digits]
    if len(words) >= 6:  # dictated in groups
        cut = rng.choice((3, 4))
        words[cut - 1] += ","
    return words


def make_value(kind: str, rng: random.Random, target: str) -> str:
    """A fake value of one kind: ``digits``, ``secret``, ``username``, ``email`` (using
    ``target`` as its separator when it is one) or ``address``."""
    if kind == "secret":
        return " ".join([rng.choice(VALUE_WORDS)] + [DIGIT_NAMES[rng.randrange(10)] for _ in range(2)])
    if kind == "username":
        middle = ["underscore"] if rng.random() < 0.5 else []
        return " ".join([rng.choice(NAMES), *middle, rng.choice(VALUE_WORDS),
                         DIGIT_NAMES[rng.randrange(10)], DIGIT_NAMES[rng.randrange(10)]])
    if kind == "email":
        separator = target if target in ("dot", "underscore", "dash") else rng.choice(("dot", "underscore", "dash"))
        return (f"{rng.choice(NAMES)} {separator} {rng.choice(VALUE_WORDS)} at {rng.choice(DOMAINS)} "
                f"dot {rng.choice(TLDS)}")
    if kind == "address":
        number = " ".join(DIGIT_NAMES[rng.randrange(1, 10)] for _ in range(rng.randint(2, 3)))
        return f"{number} {rng.choice(VALUE_WORDS)} {rng.choice(STREETS)}"
    return " ".join(_digit_string(rng, target))


def templates_for(target: str) -> Tuple[str, ...]:
    return TARGET_TEMPLATES.get(target, TEMPLATES[role_of(target)])


#: Cues drawn for the ``{cue}`` of roles without a cue of their own (nouns only).
_FILLER_CUES = tuple(c for c in TARGETS["banking_cue"] if c not in TARGET_TEMPLATES)


def make_carrier(target: str, template: str, rng: random.Random) -> Carrier:
    """Fill ``template`` for ``target``: capitalised, ending in a full stop."""
    role = role_of(target)
    cue = target if role in _OWN_CUE_ROLES else rng.choice(_FILLER_CUES)
    value = make_value(VALUE_KINDS.get(target, "digits"), rng, target)
    head, tail = template.split("{value}")
    head = head.replace("{cue}", SYNTH_SPELLING.get(cue, cue))
    tail = tail.replace("{cue}", SYNTH_SPELLING.get(cue, cue))
    text = head + value + tail
    text = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return Carrier(text, (len(head), len(head) + len(value)), target, template)


def make_carriers(voices: Sequence[str], per_target: int, seed: int,
                  targets: Optional[Sequence[str]] = None) -> List[Tuple[str, int, Carrier]]:
    """``(voice, turn, carrier)`` for every voice, target and k < ``per_target``. A
    sentence's values depend only on the seed, the voice, the target and k; its template
    goes round with the voice's position, the target's and k (``turn``, which also picks
    the speed), so that every template of a target is used."""
    out = []
    targets = all_targets() if targets is None else targets
    for v_index, voice in enumerate(voices):
        for t_index, target in enumerate(targets):
            options = templates_for(target)
            for k in range(per_target):
                rng = random.Random(f"{seed}:{voice}:{target}:{k}")
                template = options[(v_index + t_index + k) % len(options)]
                out.append((voice, v_index + t_index + k, make_carrier(target, template, rng)))
    return out


# ------------------------------------------------------------------ tabulation


@dataclass
class TargetCounts:
    """One target's figures in one source."""

    spoken: int = 0
    right: int = 0
    dropped: int = 0
    unaligned: int = 0
    dropped_voices: Set[str] = dataclasses.field(default_factory=set)
    #: (written, said) -> count, voices
    forms: Dict[Tuple[str, str], Tuple[int, Set[str]]] = dataclasses.field(default_factory=dict)

    def add(self, voice: str, found: Optional[Heard], target: str) -> None:
        self.spoken += 1
        if found is None:
            self.unaligned += 1
        elif found.written == "":
            self.dropped += 1
            self.dropped_voices.add(voice)
        elif is_right(target, found.written, found.said):
            self.right += 1
        else:
            count, voices = self.forms.get((found.written, found.said), (0, set()))
            self.forms[(found.written, found.said)] = (count + 1, voices | {voice})

    def confusions(self) -> List[Tuple[str, str, int, List[str]]]:
        """``(written, said, count, voices)``, most frequent first."""
        rows = [(w, s, c, sorted(v)) for (w, s), (c, v) in self.forms.items()]
        return sorted(rows, key=lambda r: (-r[2], -len(r[3]), r[0], r[1]))


Table = Dict[str, TargetCounts]


def score_clip(table: Table, reference: str, value_spans: Sequence[Tuple[int, int]],
               transcript: Optional[str], voice: str) -> int:
    """Add one clip's target occurrences to ``table``; a failed clip (no transcript)
    counts them as unaligned. Returns the number of occurrences."""
    ref_words = spoken_words(reference)
    ref = [w.text for w in ref_words]
    hyp = None if transcript is None else [w.text for w in spoken_words(transcript)]
    occurrences = find_targets(ref_words, value_spans)
    for occurrence in occurrences:
        found = None if hyp is None else heard(ref, (occurrence.start, occurrence.end), hyp)
        table.setdefault(occurrence.target, TargetCounts()).add(voice, found, occurrence.target)
    return len(occurrences)


def merged(*tables: Table) -> Table:
    """The tables added up."""
    out: Table = {}
    for table in tables:
        for target, counts in table.items():
            into = out.setdefault(target, TargetCounts())
            into.spoken += counts.spoken
            into.right += counts.right
            into.dropped += counts.dropped
            into.unaligned += counts.unaligned
            into.dropped_voices |= counts.dropped_voices
            for key, (count, voices) in counts.forms.items():
                before, seen = into.forms.get(key, (0, set()))
                into.forms[key] = (before + count, seen | voices)
    return out


def table_json(table: Table) -> Dict[str, object]:
    """A table as JSON: targets in ``TARGETS`` order."""
    out: Dict[str, object] = {}
    for target in all_targets():
        counts = table.get(target)
        if counts is None:
            continue
        out[target] = {
            "role": role_of(target), "spoken": counts.spoken, "right": counts.right,
            "right_rate": round(counts.right / counts.spoken, 4) if counts.spoken else None,
            "dropped": counts.dropped, "dropped_voices": sorted(counts.dropped_voices),
            "unaligned": counts.unaligned,
            "confusions": [dict({"written": w, "count": c, "voices": v}, **({"said": s} if s != target else {}))
                           for w, s, c, v in counts.confusions()],
        }
    return out


def _is_target_word(written: str) -> bool:
    plain = " ".join(_plain(w) for w in written.split())
    return plain in all_targets() or plain in DIGIT_NAMES


def draft_entries(table: Table, min_count: int = 2, min_voices: int = 2) -> List[Dict[str, object]]:
    """The confusion-table draft (see the module doc): entries seen ``min_count`` times
    from ``min_voices`` voices, not drops, not target words, one per heard form."""
    candidates = []
    for target in all_targets():
        counts = table.get(target)
        if counts is None:
            continue
        for written, said, count, voices in counts.confusions():
            if count < min_count or len(voices) < min_voices or _is_target_word(written):
                continue
            entry: Dict[str, object] = {"heard": written, "means": target, "role": role_of(target),
                                        "count": count, "spoken": counts.spoken, "voices": len(voices)}
            if said != target:
                entry["said"] = said
            candidates.append(entry)
    best: Dict[str, Dict[str, object]] = {}
    roles = list(TARGETS)
    for entry in candidates:
        held = best.get(entry["heard"])
        if held is None or (entry["count"], entry["voices"]) > (held["count"], held["voices"]):
            best[entry["heard"]] = entry
    order = {t: i for i, t in enumerate(all_targets())}
    return sorted(best.values(), key=lambda e: (roles.index(e["role"]), order[e["means"]], -e["count"], e["heard"]))


def draft_yaml(entries: Sequence[Mapping[str, object]], model_label: str, command: str,
               min_count: int, min_voices: int) -> str:
    """The draft as YAML text, with a header saying how it was measured."""
    import yaml

    header = [
        f"# DRAFT confusion table for {model_label}, measured by benchmarks/asr_confusions.py:",
        f"#   {command}",
        f"# Entries seen at least {min_count} times from at least {min_voices} voices. Review each;",
        "# give it `lists` and `reason` (transforms/pii/asr_confusions.py) before it joins a table.",
    ]
    body = yaml.safe_dump({"confusions": [dict(e) for e in entries]}, sort_keys=False,
                          allow_unicode=True, default_flow_style=False)
    return "\n".join(header) + "\n" + body


def entry_measure(combined: Mapping[str, Mapping[str, object]], heard: str, means: str
                  ) -> Tuple[int, int, int]:
    """How often a confusion-table entry was measured: ``(count, spoken, voices)``.

    ``means`` is counted wherever a target holds it ("account" in "account" and in
    "account number"); a reading counts when the model wrote that target with ``means``
    replaced by ``heard`` and nothing else of it changed ("count number" for "account
    number" counts for ``count`` = ``account``). A form that took in a neighbour counts
    when it opens or closes with that reading where the target opened or closed what was
    said ("ibm db" for "iban g b" counts for ``ibm`` = ``iban``).
    """
    wanted = means.split()
    count = spoken = 0
    voices: Set[str] = set()
    for target, row in combined.items():
        words = target.split()
        at = next((i for i in range(len(words) - len(wanted) + 1) if words[i:i + len(wanted)] == wanted), None)
        if at is None:
            continue
        spoken += int(row["spoken"])
        expected = " ".join(words[:at] + heard.split() + words[at + len(wanted):])
        for confusion in row["confusions"]:
            written = confusion["written"].split()
            said = confusion.get("said", target).split()
            reading = expected.split()
            if "said" not in confusion:
                counted = written == reading
            else:
                opens = said[:len(words)] == words and written[:len(reading)] == reading
                closes = said[-len(words):] == words and written[-len(reading):] == reading
                counted = opens or closes
            if counted:
                count += int(confusion["count"])
                voices.update(confusion["voices"])
    return count, spoken, len(voices)


def merge_combined(tables: Sequence[Mapping[str, Mapping[str, object]]]) -> Dict[str, Dict[str, object]]:
    """The ``combined`` tables of several runs (other voices, speeds or corpora) as one:
    counts added, voices joined, each written form kept apart by what it stood for."""
    out: Dict[str, Dict[str, object]] = {}
    for table in tables:
        for target, row in table.items():
            into = out.setdefault(target, {"role": row.get("role"), "spoken": 0, "right": 0, "dropped": 0,
                                           "unaligned": 0, "confusions": {}})
            for key in ("spoken", "right", "dropped", "unaligned"):
                into[key] += int(row.get(key, 0))
            for confusion in row["confusions"]:
                key = (confusion["written"], confusion.get("said"))
                count, voices = into["confusions"].get(key, (0, set()))
                into["confusions"][key] = (count + int(confusion["count"]), voices | set(confusion["voices"]))
    for row in out.values():
        row["confusions"] = [dict({"written": w, "count": c, "voices": sorted(v)}, **({"said": s} if s else {}))
                             for (w, s), (c, v) in sorted(row["confusions"].items(), key=lambda kv: -kv[1][0])]
    return out


_ENTRY_START = re.compile(r"^(\s*)- heard:\s*(.+?)\s*$")
_ENTRY_FIELD = re.compile(r"^(\s+)(means|lists|reason|measured):\s*(.*?)\s*$")


def measure_table(path: str, combined: Mapping[str, Mapping[str, object]]) -> List[Dict[str, object]]:
    """Write each entry's ``measured`` in the table file at ``path`` (its other lines,
    comments included, are kept) and return the entries with their figures."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    out: List[str] = []
    entries: List[Dict[str, object]] = []
    entry: Optional[Dict[str, object]] = None

    def close() -> None:
        if entry is None:
            return
        count, spoken, voices = entry_measure(combined, entry["heard"], entry["means"])
        entry.update(count=count, spoken=spoken, voices=voices)
        line = f"{entry['indent']}measured: {{count: {count}, spoken: {spoken}, voices: {voices}}}"
        out.insert(entry["after"] + 1, line)
        entries.append({k: entry[k] for k in ("heard", "means", "count", "spoken", "voices")})

    for line in lines:
        start = _ENTRY_START.match(line)
        field = _ENTRY_FIELD.match(line)
        if start or (entry is not None and not field):
            close()
            entry = None
        if start:
            entry = {"heard": str(yaml.safe_load(start.group(2))), "indent": start.group(1) + "  ",
                     "after": len(out)}
        elif field and entry is not None:
            if field.group(2) == "measured":
                continue
            if field.group(2) == "means":
                entry["means"] = str(yaml.safe_load(field.group(3)))
            entry["after"] = len(out)
        out.append(line)
    close()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")
    return entries


def summary_rows(table: Table, top: int = 3) -> List[List[str]]:
    """Markdown rows: target, role, spoken, right, dropped, unaligned, top confusions."""
    rows = []
    for target in all_targets():
        counts = table.get(target)
        if counts is None:
            continue
        shown = []
        for written, said, count, voices in counts.confusions()[:top]:
            label = written + (f" [{said}]" if said != target else "")
            shown.append(f"{label} ({count}/{len(voices)}v)")
        rows.append([target, role_of(target), str(counts.spoken), str(counts.right), str(counts.dropped),
                     str(counts.unaligned), ", ".join(shown) or "-"])
    return rows


def markdown(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# -------------------------------------------------------------------- synthesis


def _espeak_names() -> Tuple[Set[str], Set[str]]:
    """espeak-ng's English-capable voice names (languages, voice files) and variants;
    MBROLA voices only where ``mbrola`` is installed."""
    names: Set[str] = set()
    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 5 or (cols[4].startswith("mb/") and shutil.which("mbrola") is None):
            continue
        names.add(cols[1].lower())
        names.add(cols[4].rsplit("/", 1)[-1].lower())
        names.update(m.lower() for m in re.findall(r"\(([^\s)]+) \d+\)", line))
    variants = set()
    listing = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5:
            variants.add(cols[4].rsplit("/", 1)[-1].lower())
    return names, variants


def available_voices(voices: Sequence[str]) -> Tuple[List[str], List[str]]:
    """``(present, missing)`` among ``synth:voice`` names. Both synthesisers fall back
    to a default voice silently, so names are checked against their own lists."""
    present, missing = [], []
    espeak = _espeak_names() if shutil.which("espeak-ng") and any(v.startswith("espeak:") for v in voices) else None
    flite = set()
    if shutil.which("flite") and any(v.startswith("flite:") for v in voices):
        listing = subprocess.run(["flite", "-lv"], capture_output=True, text=True).stdout
        flite = set(listing.split(":", 1)[-1].split())
    for voice in voices:
        synth, name = voice.split(":", 1)
        if synth == "espeak" and espeak is not None:
            base, _, variant = name.lower().partition("+")
            ok = base in espeak[0] and (not variant or variant in espeak[1])
        else:
            ok = synth == "flite" and name in flite
        (present if ok else missing).append(voice)
    return present, missing


def synthesise(voice: str, speed: int, text: str, wav: str) -> bytes:
    """Speak ``text`` with ``synth:voice`` at ``speed`` words a minute; the WAV's bytes."""
    synth, name = voice.split(":", 1)
    if synth == "espeak":
        command = ["espeak-ng", "-v", name, "-s", str(speed), "-w", wav, text]
    else:
        command = ["flite", "-voice", name, "--setf", f"duration_stretch={BASE_WPM / speed:.3f}",
                   "-t", text, "-o", wav]
    subprocess.run(command, check=True, capture_output=True)
    with open(wav, "rb") as handle:
        return handle.read()


def synth_versions(synths: Iterable[str]) -> Dict[str, str]:
    out = {}
    for synth in synths:
        command = ["espeak-ng", "--version"] if synth == "espeak" else ["flite", "--version"]
        try:
            text = subprocess.run(command, capture_output=True, text=True).stdout
        except OSError:
            continue
        match = re.search(r"(\d+\.\d+(?:\.\d+)?)", text.split("version:", 1)[-1])
        out[synth] = match.group(1) if match else "unknown"
    return out


# ------------------------------------------------------------------ transcription


@dataclass
class Clip:
    """One clip to transcribe and score (never printed)."""

    source: str
    voice: str
    text: str
    value_spans: Tuple[Tuple[int, int], ...]
    pcm: object = None
    transcript: Optional[str] = None


def transcribe_clips(clips: Sequence[Clip], settings, chunk: int = 48) -> int:
    """Fill each clip's transcript as the pipeline makes it; returns failed clips."""
    from voicescrub.transforms.asr.whisper import load_model_for, transcribe_batch

    model = load_model_for(settings)
    failed = 0
    for begin in range(0, len(clips), chunk):
        part = clips[begin:begin + chunk]
        for clip, outcome in zip(part, transcribe_batch(model, [c.pcm for c in part], settings)):
            clip.transcript = None if outcome.transcript is None else outcome.transcript.text
            failed += int(outcome.transcript is None)
            clip.pcm = None
        print(f"transcribed {min(begin + chunk, len(clips))}/{len(clips)}", file=sys.stderr, flush=True)
    return failed


def _decode(data: bytes):
    from voicescrub.transforms.audio.codec import decode_to_pcm16

    return decode_to_pcm16(data, max_duration_s=600.0)


def carrier_clips(voices: Sequence[str], speeds: Sequence[int], per_target: int, seed: int,
                  targets: Optional[Sequence[str]] = None) -> List[Clip]:
    clips = []
    planned = make_carriers(voices, per_target, seed, targets)
    with tempfile.TemporaryDirectory(prefix="voicescrub-confusions-") as tmp:
        wav = os.path.join(tmp, "clip.wav")
        for index, (voice, turn, carrier) in enumerate(planned):
            speed = speeds[turn % len(speeds)]
            pcm = _decode(synthesise(voice, speed, carrier.text, wav))
            clips.append(Clip("carriers", voice, carrier.text, (carrier.value_span,), pcm))
            if (index + 1) % 100 == 0:
                print(f"synthesised {index + 1}/{len(planned)}", file=sys.stderr, flush=True)
    return clips


def corpus_voice(voice: str) -> str:
    """A corpus row's voice as ``synth:voice`` (no prefix: espeak-ng's)."""
    return voice if ":" in voice else f"espeak:{voice}"


def corpus_clips(path: str) -> List[Clip]:
    """The clips of a labelled corpus (``samples/generate.py``'s labels file), decoded."""
    from benchmarks.detection import load_labels

    folder = os.path.dirname(os.path.abspath(path))
    clips = []
    for row in load_labels(path):
        with open(os.path.join(folder, row["audio"]), "rb") as audio:
            pcm = _decode(audio.read())
        spans = tuple((int(p["start"]), int(p["end"])) for p in row.get("pii", ()))
        clips.append(Clip("corpus", corpus_voice(str(row.get("voice", "unknown"))), row["text"], spans, pcm))
    return clips


# -------------------------------------------------------------------------- main


def _voice_list(raw: Optional[str], synths: Sequence[str]) -> List[str]:
    if raw is None:
        return [f"{s}:{v}" for s in synths for v in DEFAULT_VOICES[s]]
    flite = set(DEFAULT_VOICES["flite"]) | {"kal16"}
    out = []
    for name in (n.strip() for n in raw.split(",") if n.strip()):
        if ":" not in name:
            name = f"flite:{name}" if name in flite and "flite" in synths else f"espeak:{name}"
        if name.split(":", 1)[0] in synths:
            out.append(name)
    return out


def _print_measured(entries: Sequence[Mapping[str, object]], path: str) -> None:
    print(f"\n## measured entries of {path}\n")
    print(markdown(["heard", "means", "count", "spoken", "voices"],
                   [[str(e["heard"]), str(e["means"]), str(e["count"]), str(e["spoken"]), str(e["voices"])]
                    for e in entries]))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asr-model", default=None,
                        help="as the pipeline's --asr-model (default: the bundled tiny.en)")
    parser.add_argument("--asr-device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--asr-compute-type", default="int8")
    parser.add_argument("--asr-workers", type=int, default=1,
                        help="model replicas (the pipeline's default is one per core; "
                             "transcripts do not depend on it)")
    parser.add_argument("--synth", default="espeak,flite", help="synthesisers: espeak, flite")
    parser.add_argument("--voices", default=None,
                        help="comma-separated voices, 'espeak:NAME' / 'flite:NAME' or a bare name "
                             "(default: " + ", ".join(f"{s}: {' '.join(v)}" for s, v in DEFAULT_VOICES.items()) + ")")
    parser.add_argument("--speeds", default=",".join(map(str, DEFAULT_SPEEDS)),
                        help="words a minute; each sentence is spoken at one of them in turn")
    parser.add_argument("--per-target", type=int, default=1, help="carrier sentences per target per voice")
    parser.add_argument("--roles", default=None,
                        help="comma-separated roles whose targets the carriers say (default: all; "
                             f"roles: {', '.join(TARGETS)})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--corpus", action="append", default=[], metavar="LABELS.jsonl",
                        help="also transcribe a labelled corpus (repeatable)")
    parser.add_argument("--no-carriers", action="store_true", help="measure the corpora only")
    parser.add_argument("--emit-table", default=None, metavar="PATH", help="write a YAML draft confusion table")
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--min-voices", type=int, default=2)
    parser.add_argument("--tag", default="", help="write results/asr_confusions_TAG.json")
    parser.add_argument("--measure-table", default=None, metavar="TABLE.yaml",
                        help="write each entry's measured counts into this confusion table")
    parser.add_argument("--from-results", action="append", default=[], metavar="RESULTS.json",
                        help="with --measure-table: take the counts from earlier runs' files "
                             "(repeatable: their counts are added) instead of measuring")
    args = parser.parse_args(argv)
    if args.from_results:
        if not args.measure_table:
            parser.error("--from-results needs --measure-table")
        tables = []
        for path in args.from_results:
            with open(path, encoding="utf-8") as handle:
                tables.append(json.load(handle)["combined"])
        _print_measured(measure_table(args.measure_table, merge_combined(tables)), args.measure_table)
        return 0
    started = time.perf_counter()
    argv_list = list(sys.argv[1:] if argv is None else argv)
    result: Dict[str, object] = provenance("asr_confusions.py", argv_list)

    from voicescrub.pipeline.preflight import check_asr_model
    from voicescrub.transforms.asr.whisper import (
        BUNDLED_MODEL,
        AsrSettings,
        model_family,
    )

    model = args.asr_model or BUNDLED_MODEL
    check_asr_model(model)
    settings = AsrSettings(model=model, device=args.asr_device, compute_type=args.asr_compute_type,
                           workers=args.asr_workers)
    synths = [s.strip() for s in args.synth.split(",") if s.strip()]
    unknown = sorted(set(synths) - set(DEFAULT_VOICES))
    if unknown:
        parser.error(f"unknown synthesiser {unknown[0]} (espeak, flite)")
    speeds = [int(s) for s in args.speeds.split(",") if s.strip()]
    if not speeds or min(speeds) <= 0:
        parser.error("--speeds needs positive words-a-minute values")
    roles = list(TARGETS) if args.roles is None else [r.strip() for r in args.roles.split(",") if r.strip()]
    if not roles or set(roles) - set(TARGETS):
        parser.error(f"--roles takes roles among: {', '.join(TARGETS)}")
    targets = [t for role in roles for t in TARGETS[role]]

    carriers: List[Clip] = []
    voices: List[str] = []
    missing: List[str] = []
    if not args.no_carriers:
        for synth, tool in (("espeak", "espeak-ng"), ("flite", "flite")):
            if synth in synths and shutil.which(tool) is None:
                print(f"{tool} not found: apt-get install espeak-ng flite", file=sys.stderr)
                return 2
        voices, missing = available_voices(_voice_list(args.voices, synths))
        for voice in missing:
            print(f"voice not available, left out: {voice}", file=sys.stderr)
        if not voices:
            print("no voice to speak with", file=sys.stderr)
            return 2
        carriers = carrier_clips(voices, speeds, args.per_target, args.seed, targets)
    corpus_sets = [(path, corpus_clips(path)) for path in args.corpus]
    every = carriers + [c for _, clips in corpus_sets for c in clips]
    if not every:
        parser.error("nothing to measure")
    synthesised_s = time.perf_counter() - started
    failed = transcribe_clips(every, settings)

    tables: Dict[str, Table] = {"carriers": {}, "corpus": {}}
    for clip in every:
        score_clip(tables[clip.source], clip.text, clip.value_spans, clip.transcript, clip.voice)
    combined = merged(tables["carriers"], tables["corpus"])

    result.update({
        "model": settings.model_label,
        "model_family": model_family(model),
        "asr": {k: v for k, v in dataclasses.asdict(settings).items() if k != "model"},
        "synthesisers": synth_versions(synths) if carriers else {},
        "voices": voices, "missing_voices": missing,
        "corpus_voices": sorted({c.voice for c in every if c.source == "corpus"}),
        "speeds_wpm": speeds, "per_target": args.per_target, "seed": args.seed, "roles": roles,
        "max_spill": MAX_SPILL, "max_split": MAX_SPLIT,
        "clips": {"carriers": len(carriers), "corpus": len(every) - len(carriers), "failed": failed},
        "corpora": [corpus(path, len(clips)) for path, clips in corpus_sets],
        "carriers": table_json(tables["carriers"]) if carriers else None,
        "corpus": table_json(tables["corpus"]) if corpus_sets else None,
        "combined": table_json(combined),
        "seconds": {"synthesis_and_decoding": round(synthesised_s, 1),
                    "total": round(time.perf_counter() - started, 1)},
    })
    header = ["target", "role", "spoken", "right", "dropped", "unaligned", "top confusions (count/voices)"]
    sources = [("carriers", tables["carriers"])] if carriers else []
    sources += [("corpus", tables["corpus"])] if corpus_sets else []
    sources += [("combined", combined)] if len(sources) > 1 else []
    for name, table in sources:
        print(f"\n## {settings.model_label}: {name} "
              f"({sum(1 for c in every if name == 'combined' or c.source == name)} clips)\n")
        print(markdown(header, summary_rows(table)))
    if args.emit_table:
        entries = draft_entries(combined, args.min_count, args.min_voices)
        with open(args.emit_table, "w", encoding="utf-8") as handle:
            handle.write(draft_yaml(entries, settings.model_label, str(result["command"]),
                                    args.min_count, args.min_voices))
        result["draft_table"] = {"path": os.path.abspath(args.emit_table), "entries": len(entries),
                                 "min_count": args.min_count, "min_voices": args.min_voices}
        print(f"\ndraft table: {args.emit_table} ({len(entries)} entries)")
    if args.measure_table:
        table_entries = measure_table(args.measure_table, result["combined"])
        result["table_entries"] = {"path": os.path.relpath(os.path.abspath(args.measure_table), ROOT),
                                   "entries": table_entries}
        _print_measured(table_entries, args.measure_table)
    name = f"asr_confusions{'_' + args.tag if args.tag else ''}.json"
    print(f"\nclips: {len(every)} ({failed} failed); {time.perf_counter() - started:.0f} s")
    print(f"written: {os.path.relpath(write_result(name, result), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
