"""Runs redacted for their neighbours: clusters, companions of a code, stated values."""

from __future__ import annotations

import pytest
from voicescrub.transforms.pii.config import load_pii_config
from voicescrub.transforms.pii.failsafe.companions import (
    clusters,
    ends_statement,
    near_codes,
)
from voicescrub.transforms.pii.failsafe.verdict import SCORE, SCORE_CLUSTER
from voicescrub.transforms.pii.failsafe.words import words_of

POLICY = load_pii_config().digit_run_failsafe


@pytest.mark.parametrize(
    "text, index, stated",
    [
        ("my code is 574.", 3, True),
        ("my code is 574, go ahead.", 3, True),
        # Near misses: a question, a decimal, no statement word before it.
        ("what is 574?", 2, False),
        ("the code is 574, right?", 3, False),
        ("it ran 26.2 miles", 2, False),
        ("my code 574.", 2, False),
    ],
)
def test_ends_statement(text: str, index: int, stated: bool) -> None:
    words = words_of(text)
    end = words[index][0] + len(words[index][2])
    assert ends_statement(POLICY, text, words, index, end) is stated


def test_companions_of_a_code_are_redacted_unless_amounts_or_quantities() -> None:
    words = words_of("card 4111111111111111 expiry 829 and 45 minutes then 30 dollars 100 steps")
    spared = [(3, 40, 43, 3), (5, 48, 50, 2), (8, 61, 63, 2), (10, 72, 75, 3)]
    spans = near_codes(POLICY, words, codes=[1], spared=spared)
    # 829 (3 digits, next to the code) goes; 45 and 30 are too short; 100 is a quantity.
    assert spans == [(40, 43, SCORE)]
    assert near_codes(POLICY, words, codes=[], spared=spared) == []


def test_fragments_in_banking_context_are_redacted_together() -> None:
    # "account two one salmon four six five": index 1 is the banking word.
    fragments = [(2, 10, 12, 2), (4, 20, 23, 3)]
    assert clusters(POLICY, fragments, banking_at=[0]) == [(10, 23, SCORE_CLUSTER)]
    # Near misses: a breaking run between them, a banking word between them, too few digits.
    assert clusters(POLICY, [(2, 10, 12, 2), (3, -1, -1, 0), (4, 20, 23, 3)], banking_at=[0]) == []
    assert clusters(POLICY, fragments, banking_at=[0, 3]) == []
    assert clusters(POLICY, [(2, 10, 11, 1), (4, 20, 21, 1)], banking_at=[0]) == []
