"""STREET_ADDRESS whose street type the ASR misheard: "31 maple dry", "46.94 maple cord".

tiny.en writes street names in lower case and often turns the street type into a
word that sounds like it ("Court" -> "cord", "Drive" -> "dry", "Crescent" -> "cresent").
The YAML recognizer finds "<number> <name> <street type>" when the type was heard
right; this one finds the same shape when the last word only *sounds* like a
street type:

* a house number (a digit run of the normalised transcript, "9,428th" too), then
  one or two name words, then a word that closes the clause (punctuation or the
  end of the text follows);
* that word's sound key (consonants, voiced ones unvoiced, vowels dropped:
  "cord" and "court" are both ``krt``) equals a street type's, or is a truncated
  prefix of it ("dry" for "drive"); only types whose key has three or more
  consonants take part ("road", "lane", "way" have too short a key to compare);
* the number sits in an address slot: right after "to", "at", "of", "is", ... or
  with an address word ("address", "live", "deliver", ...) shortly before it;
* no word in between is a unit, a number word or a function word ("3 cups of
  tea" is a quantity, not a street).

The sound key is a property of English spelling and of the street types, not of any
value; the lists are class attributes so a subclass can change them.
"""

from __future__ import annotations

from typing import FrozenSet, Iterable, List, Optional

import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from voicescrub.transforms.pii.recognizers.results import attributed_result
from voicescrub.transforms.pii.spoken_normaliser import EDGE_PUNCTUATION

_CANDIDATE = re.compile(
    r"(?i)(?<![\w.,])(?P<number>\d{1,5}|\d{1,3},\d{3})(?:st|nd|rd|th)?"
    r"(?P<names>(?:\s+[a-z][a-z'\-]*){1,2})\s+(?P<type>[a-z]+)(?=\s*(?:[.,;:!?]|$))"
)
_WORD = re.compile(r"[^\s]+")

#: Letters mapped before vowels are dropped: voiced consonants unvoiced, spellings of one sound made one.
_SOUND_MAP = str.maketrans({"b": "p", "d": "t", "g": "k", "v": "f", "z": "s", "q": "k", "x": "k", "c": "k"})


def sound_key(word: str) -> str:
    """A crude consonant skeleton of an English word: "court" and "cord" -> ``krt``.

    :param word: one word (letters only are used).
    """
    w = re.sub(r"[^a-z]", "", word.lower())
    w = w.replace("ph", "f").replace("ck", "k")
    w = re.sub(r"c(?=[eiy])", "s", w)
    w = w.translate(_SOUND_MAP)
    w = re.sub(r"[aeiouyhw]", "", w)
    return re.sub(r"(.)\1+", r"\1", w)


class SpokenStreetAddressRecognizer(EntityRecognizer):
    """House number, street name and a street type heard as a sound-alike word (see module doc)."""

    SCORE = 0.5

    #: Street types compared by sound; short-keyed ones ("road", "way") only match exactly (YAML recognizer).
    STREET_TYPES = (
        "street", "avenue", "drive", "boulevard", "court", "place", "terrace", "circle", "parkway",
        "highway", "close", "crescent", "square", "trail", "grove", "gardens", "lane", "road", "way",
    )
    #: Words right before the house number that open an address slot ("move it to 31 ...", "I live at ...").
    SLOT_WORDS = frozenset({"to", "at", "of", "is", "on", "in", "address", "was"})
    #: An address word this many words or fewer before the number opens the slot too.
    CONTEXT_WINDOW = 6
    CONTEXT_WORDS = frozenset(
        {"address", "live", "lives", "living", "deliver", "delivery", "ship", "shipping", "moved", "move", "billing", "postal"}
    )
    #: Words that are never part of a street name here: function words, time words.
    NOT_NAME_WORDS = frozenset(
        {
            "a", "an", "the", "of", "to", "and", "or", "for", "in", "on", "at", "by", "with", "my", "your", "our",
            "their", "his", "her", "its", "it", "this", "that", "these", "those", "is", "are", "was", "be", "more",
            "less", "than", "per", "each", "every", "times", "o'clock", "tomorrow", "today", "tonight", "morning",
            "evening", "afternoon", "night", "please", "thanks", "then", "now", "later", "again", "only", "just",
        }
    )

    def __init__(
        self,
        unit_words: Iterable[str] = (),
        number_words: Iterable[str] = (),
        supported_language: str = "en",
        name: str = "SpokenStreetAddressRecognizer",
    ) -> None:
        """:param unit_words: quantity words ("minutes", "cups"): a candidate holding one is not an address.
        :param number_words: spoken number words: never a street name.
        :param supported_language: language of the transcripts.
        :param name: recognizer name reported on spans.
        """
        self._unit_words: FrozenSet[str] = frozenset(w.lower() for w in unit_words)
        self._number_words: FrozenSet[str] = frozenset(w.lower() for w in number_words)
        self._keys = [(t, sound_key(t)) for t in self.STREET_TYPES if len(sound_key(t)) >= 3]
        super().__init__(supported_entities=["STREET_ADDRESS"], name=name, supported_language=supported_language, context=[])

    def load(self) -> None:
        """Nothing to load."""

    def sounds_like_street_type(self, word: str) -> bool:
        """Whether ``word`` is, or sounds like, a street type with a long enough sound key.

        :param word: the candidate's last word.
        """
        low = word.lower()
        if low in self.STREET_TYPES:
            return True
        key = sound_key(low)
        if len(key) < 2:
            return False
        for street_type, type_key in self._keys:
            if key == type_key:
                return True
            # A clipped ending ("dry" for "drive"): a proper prefix of the key, from a shorter word.
            if len(low) < len(street_type) and type_key.startswith(key) and low[0] == street_type[0]:
                return True
        return False

    def analyze(self, text: str, entities: List[str], nlp_artifacts: Optional[NlpArtifacts] = None) -> List[RecognizerResult]:
        """Find house number, street name and sound-alike street type on the normalised transcript.

        :param text: the normalised transcript.
        :param entities: requested entity types.
        :param nlp_artifacts: unused.
        """
        if "STREET_ADDRESS" not in entities:
            return []
        results: List[RecognizerResult] = []
        for match in _CANDIDATE.finditer(text):
            names = match.group("names").split()
            last = match.group("type")
            if any(self._not_a_name(w) for w in names) or self._not_a_name(last):
                continue
            if not self.sounds_like_street_type(last):
                continue
            if not self._in_slot(text, match.start()):
                continue
            results.append(self._result(match.start(), match.end()))
        return results

    def _not_a_name(self, word: str) -> bool:
        low = word.lower().strip(EDGE_PUNCTUATION)
        return low in self.NOT_NAME_WORDS or low in self._unit_words or low in self._number_words

    def _in_slot(self, text: str, start: int) -> bool:
        before = [m.group().lower().strip(EDGE_PUNCTUATION) for m in _WORD.finditer(text[:start])]
        if before and before[-1] in self.SLOT_WORDS:
            return True
        return any(w in self.CONTEXT_WORDS for w in before[-self.CONTEXT_WINDOW :])

    def _result(self, start: int, end: int) -> RecognizerResult:
        return attributed_result(self, "STREET_ADDRESS", start, end, self.SCORE)
