"""The audit policy: which clips with nothing redacted the audit hears again, and how."""

from __future__ import annotations

import dataclasses

import pytest
from voicescrub.transforms.asr.whisper import AsrSettings
from voicescrub.transforms.audit.policy import (
    SECOND_LISTEN_OFF,
    AuditSettings,
    SecondListens,
    asks_for_value,
    relisten_settings,
    second_listen_settings,
    second_listens,
)
from voicescrub.transforms.pii.detector import PiiDetector

# The request's words survive even where the ASR garbled the value; PII-free requests
# without them are never heard twice.
ASKS_FOR_VALUE = [
    ("Lock the debit card ending into 3 I need.", True),    # banking word
    ("I see me being.", True),                               # banking sound-alike ("CVV")
    ("Log me in, user name and not time.", True),            # a cue phrase, any spacing
    ("Save a new contact.", True),
    ("I live at $8,353.", True),                             # an address slot whose value became money
    ("Sign in at 8.00.", True),
    ("Set a timer for 25 minutes.", False),
    ("Play the top 40 hits from 1985.", False),
    ("What's the weather in Paris?", False),
    ("Count down from ten.", False),                         # a banking word in a not-banking phrase
    ("", False),
]


@pytest.fixture(scope="module")
def detector(pii_detector) -> PiiDetector:
    return pii_detector


@pytest.mark.parametrize("text, expected", ASKS_FOR_VALUE)
def test_asks_for_value(detector: PiiDetector, text: str, expected: bool) -> None:
    policy = detector.config.second_listen
    assert asks_for_value(policy, text, detector.has_banking_context) is expected
    listens = second_listens(policy, text, 1.0, detector.has_banking_context)
    # Shipped, every clip is heard once more; one that asks for a value twice.
    assert listens == (SecondListens.PACKED_THEN_ALONE if expected else SecondListens.PACKED)


def test_with_every_clip_off_only_asking_or_doubted_clips_are_heard_again(detector) -> None:
    policy = dataclasses.replace(detector.config.second_listen, every_clip=False)
    plain = "Set a timer for 25 minutes."
    assert second_listens(policy, plain, 0.01, detector.has_banking_context) == SecondListens.NONE
    doubting = dataclasses.replace(policy, word_probability_below=0.2)
    assert second_listens(doubting, plain, 0.1, detector.has_banking_context) == SecondListens.PACKED
    assert second_listens(doubting, plain, 0.3, detector.has_banking_context) == SecondListens.NONE


def test_no_second_listen_without_the_config_section(detector) -> None:
    asking = "Lock the debit card ending into 3 I need."
    assert not asks_for_value(SECOND_LISTEN_OFF, asking, detector.has_banking_context)
    assert second_listens(SECOND_LISTEN_OFF, asking, 0.0,
                          detector.has_banking_context) == SecondListens.NONE


def test_the_re_listen_is_greedy_with_timestamps_and_the_second_listen_alone() -> None:
    asr = AsrSettings()
    relisten = relisten_settings(asr, AuditSettings())
    assert (relisten.beam_size, relisten.timestamp_tokens, asr.beam_size) == (1, True, 5)
    assert relisten_settings(asr, AuditSettings(relisten_beam_size=5)).beam_size == 5
    alone = second_listen_settings(asr)
    assert (alone.pack, alone.timestamp_tokens, alone.beam_size) == (False, False, 5)


def test_the_detector_tag_survives_pickling(pii_detector) -> None:
    """The detect stage and the audit share one detector only if a pickled config names
    the same shared model as the original."""
    import pickle

    from voicescrub.transforms.runtime.models import detector_tag

    config = pii_detector.config
    assert detector_tag(pickle.loads(pickle.dumps(config))) == detector_tag(config)
    other = dataclasses.replace(config, score_threshold=0.5)
    assert detector_tag(other) != detector_tag(config)
