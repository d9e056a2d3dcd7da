"""SpokenAbaRoutingRecognizer (transforms/language/en/recognizers/spoken_aba_routing.yaml): nine routing digits after a routing cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "SpokenAbaRoutingRecognizer"

# (transcript, the words redacted as ABA_ROUTING_NUMBER): its pattern matches them and the detector keeps them.
CATCHES = [
    ("My bank's routing number is zero three three two five six two four five.", 'zero three three two five six two four five'),
    ('routing number zero to 6, one, zero, zero, zero, one, nine', 'zero to 6, one, zero, zero, zero, one, nine'),
]

# Speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Routing the call to 2 agents.',
    'What is a routing number?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "ABA_ROUTING_NUMBER", CATCHES, NEAR_MISSES)
