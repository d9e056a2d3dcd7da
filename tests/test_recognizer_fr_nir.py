"""FrNirRecognizer (transforms/language/fr/recognizers/fr_nir.yaml): a French social security number (NIR) with or without its key."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrNirRecognizer"

# (French transcript, the words redacted as FR_NIR): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Mon numéro de sécurité sociale : 2 84 11 75 114 032 17.', '2 84 11 75 114 032 17'),
    ("Le NIR de mon fils c'est 1 12 06 33 063 845.", '1 12 06 33 063 845'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'La sécurité sociale rembourse 70 % de la consultation.',
    'Appelle la sécu au 3646.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "FR_NIR", CATCHES, NEAR_MISSES, detector="fr_detector")
