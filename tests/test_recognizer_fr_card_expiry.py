"""FrCardExpiryRecognizer (transforms/language/fr/recognizers/fr_card_expiry.yaml): a card's month and year of expiry near an expiry cue."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrCardExpiryRecognizer"

# (French transcript, the words redacted as CARD_EXPIRY): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Ma carte expire fin 07/28, pense à la changer.', '07/28'),
    ("La date d'expiration est octobre 2029.", 'octobre 2029'),
    ("Elle est valable jusqu'en mars deux mille trente.", 'mars deux mille trente'),
    ("Saisis 12/27 comme date d'expiration.", '12/27'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Le concert est en octobre 2029 au Zénith.',
    'Mon abonnement expire dans 3 jours.',
    'Je suis arrivé en mars 2001.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_EXPIRY", CATCHES, NEAR_MISSES, detector="fr_detector")
