"""Runs redacted for their neighbours (rules 3 and 4 of the fail-safe).

In banking context, fragments of one number the ASR broke apart with junk words are
redacted together (``clusters``). A request that dictates one code dictates its
companions in the same breath, so runs let through next to a redacted code are redacted
too (``near_codes``); and a run closing a statement after "is" is a value being given
(``ends_statement``).
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import regex as re
from voicescrub.transforms.pii.config import DigitRunPolicy
from voicescrub.transforms.pii.failsafe.verdict import SCORE, SCORE_CLUSTER
from voicescrub.transforms.pii.failsafe.words import Word, is_amount

#: ``(word index, start, end, digits)`` of one run; start -1 for a run that breaks a cluster.
Fragment = Tuple[int, int, int, int]
#: ``(start, end, score)`` of a span to redact.
Span = Tuple[int, int, float]


def ends_statement(policy: DigitRunPolicy, text: str, words: List[Word], index: int, end: int) -> bool:
    """Whether the run is the value of a statement: "<is|was|...> RUN" closing a clause with ".", "!" or ","."""
    cues = policy.value_statement_words
    if not cues or index == 0 or words[index - 1][2] not in cues or words[index][1] != end + 1:
        return False
    # "574." or "574!" then nothing or a space: not a question ("what is 574?") and not "26.2";
    # "574, go ahead": the value closes its clause and the request goes on, unless as a question.
    if text[end] not in ".!," or not (end + 1 == len(text) or text[end + 1].isspace()):
        return False
    if text[end] == ",":
        closing = re.search(r"[.?!](?!\S)", text[end:])
        return closing is None or closing.group() != "?"
    return True


def near_codes(policy: DigitRunPolicy, words: List[Word], codes: Sequence[int],
               spared: Sequence[Fragment]) -> List[Span]:
    """Runs let through that sit next to a dictated code: the rest of the same dictation.

    A request that reads out one code (a card number) reads its companions in the same
    breath (the expiry, the security code), whatever the ASR did to their context words.

    :param codes: word indexes of the runs redacted on their own merit.
    :param spared: the runs let through.
    """
    if not policy.min_digits_near_code or not codes:
        return []
    spans: List[Span] = []
    for index, start, end, n_digits in spared:
        if n_digits < policy.min_digits_near_code:
            continue
        if not any(0 < abs(code - index) <= policy.window_words for code in codes):
            continue
        if is_amount(words, index, policy.amount_words, policy.amount_max_digits):
            continue
        if any(w in policy.quantity_words for _, _, w in words[index + 1 : index + 3]):
            continue
        spans.append((start, end, SCORE))
    return spans


def clusters(policy: DigitRunPolicy, fragments: Sequence[Fragment], banking_at: Sequence[int],
             clip_banking: str = "") -> List[Span]:
    """Fragments of one number the ASR broke apart, in banking context, redacted together.

    :param fragments: every run in order; one with start -1 (an amount, a harmless run)
        breaks a cluster.
    :param banking_at: word indexes of strong banking context (a banking word breaks one too).
    """
    gap = policy.cluster_gap_words
    if not gap:
        return []
    banking = set(banking_at)
    spans: List[Span] = []
    cluster: List[Fragment] = []

    def flush() -> None:
        bar = policy.min_digits_in_banking_context
        # Only worth a span when a piece is too short to be redacted on its own.
        alone = min(bar, policy.clip_banking_min_digits) if clip_banking else bar
        if len(cluster) >= 2 and sum(f[3] for f in cluster) >= bar and min(f[3] for f in cluster) < alone:
            spans.append((cluster[0][1], cluster[-1][2], SCORE_CLUSTER))

    for fragment in fragments:
        index, start = fragment[0], fragment[1]
        if start < 0:
            flush()
            cluster = []
            continue
        if cluster:
            between = range(cluster[-1][0] + 1, index)
            if len(between) > gap or any(i in banking for i in between):
                flush()
                cluster = []
        cluster.append(fragment)
    flush()
    return spans
