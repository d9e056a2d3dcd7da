"""The fail-safe's banking context: strong words, damaged words and phrases, weak sound-alikes."""

from __future__ import annotations

import pytest
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.failsafe.banking_context import (
    NONE,
    STRONG,
    WEAK,
    BankingContext,
    edit_distance,
    squeeze,
)
from voicescrub.transforms.pii.failsafe.words import words_of


@pytest.fixture(scope="module")
def context() -> BankingContext:
    return BankingContext(load_pii_config().digit_run_failsafe)


@pytest.mark.parametrize(
    "text, mode",
    [
        ("my account number is 4173", STRONG),  # a banking word
        ("the securty digits are 4173", STRONG),  # a long banking word one edit away
        ("car bending in 4173", STRONG),  # two words spelling "card ending" give or take an edit
        ("my C-V-V-V-5-5-0 please", STRONG),  # acronym letters glued to the value, a letter doubled
        ("the see me is 417", WEAK),  # only the model's sound-alike of "CVV"
        # Near misses: a banking word inside a harmless phrase, words that merely contain one.
        ("count down from 100", NONE),
        ("a countless number of times", NONE),
        ("the carpet ending was sad", NONE),
        ("set a timer for 25 minutes", NONE),
    ],
)
def test_clip_mode(context: BankingContext, text: str, mode: str) -> None:
    words = words_of(text)
    assert context.clip_mode(words, context.positions(words)) == mode
    assert context.anywhere(text) is (mode != NONE)


def test_a_known_banking_clip_is_at_least_weak(context: BankingContext) -> None:
    words = words_of("and then 417")
    assert context.clip_mode(words, context.positions(words)) == NONE
    assert context.clip_mode(words, context.positions(words), banking_clip=True) == WEAK


@pytest.mark.parametrize(
    "text, index, near",
    [
        ("account one two three four five six seven eight 9", 9, False),  # 9 words away
        ("account one two three four five six seven 8", 8, True),  # within the 8-word window
        ("account", 0, False),  # a word is not near itself
    ],
)
def test_near_is_within_the_window(context: BankingContext, text: str, index: int, near: bool) -> None:
    words = words_of(text)
    assert context.near(context.positions(words), index) is near


@pytest.mark.parametrize("a, b, limit, distance", [
    ("security", "securty", 1, 1), ("cardending", "carbending", 1, 1), ("iban", "item", 1, 2),
    ("pin", "pin", 2, 0), ("a", "abcdef", 2, 3)])
def test_edit_distance_stops_past_its_limit(a: str, b: str, limit: int, distance: int) -> None:
    assert edit_distance(a, b, limit) == distance


def test_squeeze() -> None:
    assert squeeze("cvvv") == squeeze("cvv") == "cv"
    assert squeeze("pin") == "pin"
