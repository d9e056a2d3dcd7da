"""Redact the words after a value's cue when no value was found there (the value-slot fail-safe).

tiny.en garbles exactly the value a request dictates and keeps the words that ask for
it: "My username in El Novec 64", "The security code on the Mac is O9-3", "Change my
current PIN to free free 8-5", "My mate on birth is March 5, 93". The cue survives
("username", "security code", "PIN", "birth"), the value does not look like one, and
no recognizer fires, so the text shows the value as the ASR wrote it and the audio goes
out unbleeped. A transcript with nothing detected but such a cue holds a garbled value;
a PII-free request opens no slot (``benchmarks/detection.py`` measures both).

A *value slot* is the stretch right after a cue phrase that is being filled:

* the cue is followed by a link word ("is", "to", "in", "of", "at", "on", ...: how a
  value is given, and how tiny.en writes a fast "is"), or straight by something
  number-like ("Security code 4 4 4", "I live at 7200 ..."), or, for a value made of
  words, straight by a handle dictated with a spoken separator ("username victim not
  heartly": tiny.en writes "dot" as "not");
* it runs to the end of the clause (".", "?", "!", ";"), to the next cue, to a comma
  before a closing word ("..., please"), or ``max_words`` words, whichever comes first;
* it holds at least one word that is not a function word and no count or amount
  ("expires in 3 days"); a slot for a number (all types but ``word_value_types``:
  usernames, passwords, e-mail and street addresses) holds something number-like (after a
  cue that also takes a day or a time, ``min_number_words`` such words: "call me back on
  Tuesday at 3" gives no phone number), and a slot for a word value something that looks
  like one: a number, a capitalised word, a word with a dot, dash, underscore or "@"
  inside, or two words joined by a spoken separator ("My email is not working" and "my
  username not my password" stay).

When no detected span touches the stretch from the cue to the slot's end, the slot
becomes a span of the cue's entity type: the value is taken to be whatever the ASR
wrote there. "What's my sort code?" and "Change my username and password" open no slot
(nothing follows, or no link word), so questions about a value stay readable.

The audit does not use this step: its re-listens transcribe the tone over a redacted
value as stray words right after the cue, and those are not a value still heard.

Plain Python on :class:`~voicescrub.schemas.records.PiiSpan` values; no Presidio.
"""

from __future__ import annotations

from typing import FrozenSet, List, Optional, Sequence, Tuple

from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.config import DIGIT_SEQUENCE, ValueSlotPolicy
from voicescrub.transforms.pii.spoken_normaliser import phrase_pattern, word_cores

RECOGNIZER = "ValueSlotFailsafe"

#: Punctuation that ends a clause, and so a slot.
_CLAUSE_END = frozenset(".?!;")
#: Punctuation a slot word is read without ("64.", "sunset,").
_WORD_EDGES = ",.;:!?"


class ValueSlots:
    """Finds unfilled value slots (see module doc) under a :class:`ValueSlotPolicy`."""

    def __init__(self, policy: ValueSlotPolicy, number_words: FrozenSet[str] = frozenset()) -> None:
        """:param number_words: the language's spoken numbers (its pack's units, teens, tens,
        scales and repeat words); digit homophones are left out, being words first."""
        self._policy = policy
        self._number_words = number_words
        # Longest phrase first, so "expiry date" wins over "expiry" at the same place.
        cues = sorted(policy.cues, key=lambda cue: -len(cue[0]))
        self._types = {phrase: entity_type for phrase, entity_type in cues}
        self._cue = phrase_pattern([phrase for phrase, _ in cues]) if policy.enabled and cues else None

    def complete(self, text: str, spans: Sequence[PiiSpan]) -> List[PiiSpan]:
        """``spans`` with every value slot of ``text`` accounted for.

        A slot no span touches becomes a span of its cue's type. A word value (``word_value_types``)
        found only in part inside its slot ("My password is [harder] to fix hash copper") is
        widened over the rest of the slot, up to the next span or a closing word ("and",
        "please"): the ASR wrote the other words of the value as words no recognizer reads.

        :param text: the transcript.
        :param spans: what the detector found (offsets into ``text``).
        :return: the spans, some widened, and one span per unfilled slot.
        """
        spans = list(spans)
        if self._cue is None or not text:
            return spans
        cores = word_cores(text)
        cue_matches = list(self._cue.finditer(text))
        found: List[PiiSpan] = []
        for index, match in enumerate(cue_matches):
            next_cue = cue_matches[index + 1].start() if index + 1 < len(cue_matches) else len(text)
            phrase = " ".join(match.group(0).lower().split())
            # A cue that ends in a link word ("live at", "birth is") is linked already.
            entity_type = self._types[phrase]
            glued = (_glued_to_cue(text, cores, match.start(), match.end())
                     if entity_type in self._policy.word_value_types else None)
            if glued is not None:
                # "username.om.mada": the value is in the cue's own word.
                if not any(s.char_start < glued[1] and s.char_end > glued[0] for s in spans + found):
                    found.append(PiiSpan(entity_type, glued[0], glued[1], self._policy.score, RECOGNIZER))
                continue
            slot = self._slot(text, cores, match.end(), next_cue,
                              linked=phrase.split()[-1] in self._policy.links,
                              handle=entity_type in self._policy.word_value_types)
            if slot is None:
                continue
            start, end = slot
            touching = [s for s in spans + found if s.char_start < end and s.char_end > match.start()]
            if any(s.entity_type == entity_type for s in touching):
                # The value was found (or another slot took these words); a word value found
                # in part takes the rest of its slot.
                if entity_type in self._policy.word_value_types:
                    spans = _widened_over_slot(text, cores, spans, entity_type, start, end,
                                               self._policy.closers)
                continue
            if touching and not self._words_left(text, cores, touching, start, end):
                continue  # spans of other types hold the whole slot ("sort code £29, £37, £41")
            # A span of another type leaves the rest of the slot open: the fail-safe caught the
            # digits the ASR wrote as digits, and the rest of the value is in the words around
            # them ("4821 tree fate six", "sunset carbon 4821").
            slot_words = [w.strip(_WORD_EDGES) for w in text[start:end].split()]
            if any(w.lower() in self._policy.count_units for w in slot_words):
                continue  # a count or an amount ("expires in 3 days")
            if entity_type in self._policy.word_value_types:
                looks_like_value = (any(self._word_value_like(w) for w in slot_words)
                                    or self._dictated_handle([w.lower() for w in slot_words]))
            else:
                fewest = self._policy.min_number_words.get(phrase, 1)
                looks_like_value = sum(1 for w in slot_words if self._number_like(w)) >= fewest
            if not looks_like_value:
                continue  # "my birthday is coming up", "my email is not working"
            found.append(PiiSpan(entity_type, start, end, self._policy.score, RECOGNIZER))
        return spans + found

    def _slot(self, text: str, cores: Sequence[Tuple[int, int, str]], cue_end: int,
              next_cue: int, linked: bool, handle: bool) -> Optional[Tuple[int, int]]:
        """The slot's character range after a cue ending at ``cue_end``, or None.

        :param handle: the value is made of words: a slot straight after the cue is taken
            when it is dictated with a spoken separator ("username victim not heartly").
        """
        following = [c for c in cores if c[0] >= cue_end and c[0] < next_cue]
        if not following or _ends_clause(following[0][2]):
            return None  # "What's my sort code?": nothing is given
        first = text[following[0][0]:following[0][1]].lower()
        if first in self._policy.links:
            following = following[1:]
            if not following or _ends_clause(following[0][2]):
                return None
        elif not linked and not self._number_like(first) and not (handle and self._dictated_handle(
                [text[c[0]:c[1]].lower() for c in following[:self._policy.max_words]])):
            return None  # "Change my username and password": no value is being given
        words: List[Tuple[int, int]] = []
        for start, end, gap in following:
            if words and (_ends_clause(gap) or (
                    "," in gap and text[start:end].lower() in self._policy.closers)):
                break
            words.append((start, end))
            if len(words) == self._policy.max_words:
                break
        content = [w for w in words if text[w[0]:w[1]].lower() not in self._policy.function_words]
        if not content:
            return None
        return words[0][0], words[-1][1]

    def _words_left(self, text: str, cores: Sequence[Tuple[int, int, str]],
                    touching: Sequence[PiiSpan], start: int, end: int) -> bool:
        """Whether a word of the slot ``[start, end)`` other than a function word lies outside
        every span of ``touching``."""
        function_words = self._policy.function_words
        return any(text[word_start:word_end].lower().strip(_WORD_EDGES) not in function_words
                   and not any(s.char_start < word_end and s.char_end > word_start for s in touching)
                   for word_start, word_end, _ in cores if start <= word_start and word_end <= end)

    def _dictated_handle(self, words: Sequence[str]) -> bool:
        """A spoken separator between two words that carry something ("victim not heartly"),
        not "... not my password"."""
        function_words = self._policy.function_words
        return any(word in self._policy.handle_separators and words[i - 1] not in function_words
                   and words[i + 1] not in function_words
                   for i, word in enumerate(words[1:-1], start=1))

    def _number_like(self, word: str) -> bool:
        low = word.lower()
        return any(ch.isdigit() for ch in low) or low in self._number_words

    def _word_value_like(self, word: str) -> bool:
        """A word that could be part of a username, password, e-mail or street address as the
        ASR writes one: number-like, a name-like capitalised word (never "I"), or a handle's
        inner separator ("s.can", "behind-the-free", "implementable.org")."""
        if self._number_like(word):
            return True
        if word[:1].isupper() and word != "I":
            return True
        return any(ch in "@._-" for ch in word[1:-1])


def _widened_over_slot(text: str, cores: Sequence[Tuple[int, int, str]], spans: List[PiiSpan],
                       entity_type: str, start: int, end: int, closers: FrozenSet[str]) -> List[PiiSpan]:
    """``spans`` with the first ``entity_type`` span inside the slot ``[start, end)`` widened
    back to the slot's start and on to its end, stopping at another value or a closing word. The
    fail-safe's digits are no other value: a house number inside an address is part of it."""
    inside = [s for s in spans if s.entity_type == entity_type and start <= s.char_start < end]
    if not inside:
        return spans
    value = min(inside, key=lambda s: s.char_start)
    others = [s for s in spans if s is not value]
    values = [s for s in others if s.entity_type != DIGIT_SEQUENCE]
    new_start = max([start] + [s.char_end for s in values if start <= s.char_end <= value.char_start])
    new_end = value.char_end
    for word_start, word_end, _ in cores:
        if word_start < value.char_end or word_end > end:
            continue
        if (text[word_start:word_end].lower() in closers
                or any(s.char_start < word_end and s.char_end > word_start for s in values)):
            break
        new_end = word_end
    if (new_start, new_end) == (value.char_start, value.char_end):
        return spans
    return others + [PiiSpan(value.entity_type, new_start, new_end, value.score, value.recognizer)]


def _glued_to_cue(text: str, cores: Sequence[Tuple[int, int, str]], cue_start: int,
                  cue_end: int) -> Optional[Tuple[int, int]]:
    """The word holding the cue when the ASR glued the value onto it with a dot or an "@"
    ("username.om.mada"), else None. A hyphen is left out: tiny.en hyphenates plain words
    ("username-and-password")."""
    for start, end, _ in cores:
        if start <= cue_start < end:
            rest = text[cue_end:end]
            if end > cue_end and rest[0] in "@." and sum(ch.isalnum() for ch in rest) >= 2:
                return start, end
            return None
    return None


def _ends_clause(gap: str) -> bool:
    return any(ch in _CLAUSE_END for ch in gap)
