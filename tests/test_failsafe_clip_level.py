"""The clip-level banking mode's extra forms: money lists and a card's month and year."""

from __future__ import annotations

import pytest
from voicescrub.transforms.pii.config import expand_lexicon, load_pii_config
from voicescrub.transforms.pii.failsafe.clip_level import MonthYears, money_lists
from voicescrub.transforms.pii.failsafe.words import words_of

CONFIG = load_pii_config()
POLICY = CONFIG.digit_run_failsafe


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("sort code £29, £37, £41.", "£29, £37, £41"),
        ("sort code 06, £29, £37.", "06, £29, £37"),
        ("sort code 29 pounds, 37 pounds.", "29 pounds, 37 pounds"),
        # Near misses: one payment, payments joined by "and", amounts with pence.
        ("pay £29 now.", None),
        ("pay £29 and £37.", None),
        ("pay £29.50, £37.20.", None),
    ],
)
def test_money_lists(text: str, redacted) -> None:
    spans = money_lists(POLICY, text, words_of(text))
    # An amount word's span may take its full stop with it; the detector snaps spans to words.
    expected = [(text.index(redacted), text.index(redacted) + len(redacted))] if redacted else []
    assert [(s, e - (text[e - 1] == ".")) for s, e, _ in spans] == expected


@pytest.mark.parametrize(
    "text, redacted",
    [
        ("expires 9 31", "9 31"),
        ("expires September, 31", "September, 31"),
        ("expires 5 / 32", "5 / 32"),
        # Near misses: a year outside a card's, money, a quantity, not a month.
        ("expires 9 45", None),
        ("expires 9 $31", None),
        ("for 9 31 minutes", None),
        ("expires 13 31", None),
    ],
)
def test_month_years(text: str, redacted) -> None:
    months = MonthYears(POLICY, expand_lexicon("{{months}}", CONFIG.lexicon))
    expected = [(text.index(redacted), text.index(redacted) + len(redacted))] if redacted else []
    assert [(s, e) for s, e, _ in months.spans(text, words_of(text))] == expected
