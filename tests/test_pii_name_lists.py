"""NameLists (transforms/pii/name_lists.py): the names listed with a name found."""

from __future__ import annotations

from typing import List, Tuple

import pytest
from voicescrub.schemas.records import PiiSpan
from voicescrub.transforms.pii.name_lists import NAME_LIST, NameLists

LISTS = NameLists(frozenset({"and", "or", "&"}), frozenset({"okay", "sorry", "alexa"}))


def _offsets(text: str, names: List[str]) -> List[Tuple[int, int]]:
    return [(text.index(n), text.index(n) + len(n)) for n in names]


def _added(text: str, name: str) -> List[Tuple[int, int]]:
    """Where the spans added beside ``name`` are (offsets: a failing test prints no name)."""
    start = text.index(name)
    seed = PiiSpan("PERSON", start, start + len(name), 0.85, "SpacyRecognizer")
    spans = LISTS.extend(text, [seed])
    assert spans[0] == seed
    assert all(s.entity_type == "PERSON" and s.recognizer == NAME_LIST for s in spans[1:])
    return [(s.char_start, s.char_end) for s in spans[1:]]


@pytest.mark.parametrize("text, name, listed", [
    # a list word joins two items
    ("Vasquez and Kim were precision engineers.", "Kim", ["Vasquez"]),
    ("Is it Amara or Kenji?", "Amara", ["Kenji"]),
    ("Kids & Family, directed by Kaur & Novotny.", "Novotny", ["Kaur"]),
    # commas join three items or more, names spelled out in capitals among them
    ("They had six, James, Tyrone, Carlos, D.M.I.T.R.I., Rashid and N.G.O.Z.I.", "Carlos",
     ["James", "Tyrone", "D.M.I.T.R.I.", "Rashid", "N.G.O.Z.I."]),
    ("Tamsin Larson, Tailspin Toys, Anders Kor, 343 Jackson Street", "Tamsin Larson",
     ["Tailspin Toys", "Anders Kor"]),
    ("Call Dana, then N-G-O-Z-I, Mei and Rob.", "Mei", ["N-G-O-Z-I", "Rob"]),
    # a name of three words, names with a capital inside
    ("Call Kim and Tamsin Larson Jones now.", "Kim", ["Tamsin Larson Jones"]),
    ("It was O'Brien, McDonald and Kim.", "Kim", ["O'Brien", "McDonald"]),
])
def test_items_listed_with_a_name_are_names(text: str, name: str, listed: List[str]) -> None:
    assert _added(text, name) == _offsets(text, listed)


@pytest.mark.parametrize("text, name", [
    # two items and a comma only: an interjection or a vocative, no list
    ("Okay, Tyrone, can you call me back?", "Tyrone"),
    ("Paris, Kim said, was lovely.", "Kim"),
    # lower-case words, a number, a sentence's end, a deny word, a word that is no list word
    ("Kim and the others left.", "Kim"),
    ("Kim and 3 others left.", "Kim"),
    ("I met Kim. And Paris was lovely.", "Kim"),
    ("Alexa and Kim, play music.", "Kim"),
    ("Liverpool versus Chelsea, who won?", "Chelsea"),
    ("Sorry, Kenji and I missed it.", "Kenji"),
])
def test_near_misses_add_nothing(text: str, name: str) -> None:
    assert _added(text, name) == []


def test_no_list_words_turns_it_off() -> None:
    text = "Vasquez and Kim were precision engineers."
    seed = PiiSpan("PERSON", text.index("Kim"), text.index("Kim") + 3, 0.85, "SpacyRecognizer")
    assert NameLists(frozenset(), frozenset()).extend(text, [seed]) == [seed]


def test_other_types_seed_nothing() -> None:
    text = "Vasquez and Kim Street."
    seed = PiiSpan("STREET_ADDRESS", text.index("Kim"), len(text) - 1, 0.6, "StreetAddressRecognizer")
    assert NameLists(frozenset({"and"}), frozenset()).extend(text, [seed]) == [seed]


def test_a_long_list_is_read_once() -> None:
    # Every tenth of 2,500 listed names found: each list is walked once, each item looked for
    # within a bounded reach, so this takes milliseconds, not minutes.
    text = ", ".join(f"Name{chr(97 + i % 26)}" for i in range(2500)) + " and Kim."
    words = [(m, m + 5) for m in range(0, len(text) - 9, 7)][:2500]
    seeds = [PiiSpan("PERSON", a, b, 0.85, "SpacyRecognizer") for a, b in words[::10]]
    spans = LISTS.extend(text, seeds)
    assert len(spans) == 2501
    assert len({(s.char_start, s.char_end) for s in spans}) == len(spans)


def test_the_detector_takes_the_names_listed_with_a_name(pii_detector) -> None:
    text = "They had six: James, Tyrone, Carlos, Rashid and Mei."
    spans = pii_detector.detect(text)
    assert [s.entity_type for s in spans] == ["PERSON"] * 5
    assert sum(s.recognizer == NAME_LIST for s in spans) >= 1
