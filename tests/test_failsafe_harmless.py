"""The shapes of a harmless number, each alone."""

from __future__ import annotations

import pytest
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.failsafe.harmless import (
    HarmlessNumbers,
    is_counting,
    is_round_number,
)


@pytest.fixture(scope="module")
def harmless() -> HarmlessNumbers:
    return HarmlessNumbers(load_pii_config().digit_run_failsafe)


@pytest.mark.parametrize("digits, counting", [
    ("123", True), ("54321", True), ("1234", True),
    # Near misses: not from or to one, not one step, from zero.
    ("234", False), ("135", False), ("0123", False), ("4173", False)])
def test_counting(digits: str, counting: bool) -> None:
    assert is_counting(digits) is counting


@pytest.mark.parametrize("digits, dictated, round_number", [
    ("2500", 1, True), ("300", 0, True),
    ("2500", 4, False),  # read out digit by digit: a code
    ("2510", 1, False), ("50", 1, False)])
def test_round_number(digits: str, dictated: int, round_number: bool) -> None:
    assert is_round_number(digits, dictated) is round_number


@pytest.mark.parametrize("digits, before, year", [
    ("1986", ["born", "in"], True), ("1999", ["the", "year"], True),
    ("1986", ["pin", "is"], False), ("3986", ["in"], False), ("986", ["in"], False)])
def test_year_in_a_date_phrase(harmless: HarmlessNumbers, digits: str, before: list, year: bool) -> None:
    assert harmless.is_year(digits, before) is year


@pytest.mark.parametrize("digits, before, after, clock", [
    ("1030", ["at"], [], True), ("645", [], ["tomorrow"], True),
    ("1030", ["code"], [], False), ("2575", ["at"], [], False), ("12345", ["at"], [], False)])
def test_clock_time_with_a_time_word(harmless: HarmlessNumbers, digits: str, before: list, after: list,
                                     clock: bool) -> None:
    assert harmless.is_clock_time(digits, before, after) is clock


def test_quantity_list_and_arithmetic(harmless: HarmlessNumbers) -> None:
    assert harmless.is_quantity(["steps"]) or harmless.is_quantity(["minutes"])
    assert harmless.is_quantity(["more", "minutes"]) and not harmless.is_quantity(["and", "then", "minutes"])
    assert harmless.is_listed(["play", "track"]) and not harmless.is_listed(["track", "my"])
    assert harmless.is_arithmetic(["what", "is"], ["times", "7"]) and not harmless.is_arithmetic(["my"], ["is"])
