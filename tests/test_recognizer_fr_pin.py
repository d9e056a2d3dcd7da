"""FrPinRecognizer (transforms/language/fr/recognizers/fr_pin.yaml): four to six digits after the name of a PIN."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrPinRecognizer"

# (French transcript, the words redacted as PIN): its pattern matches them and the detector keeps them.
CATCHES = [
    ("Mon code PIN c'est 6021.", '6021'),
    ('Change mon code secret pour 4 4 9 0.', '4 4 9 0'),
    ('Le code confidentiel de ma carte est neuf, trois, un, huit.', 'neuf, trois, un, huit'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    "J'ai oublié mon code PIN, comment le changer ?",
    "Le code postal c'est bien le bon ?",
    'Entre le code reçu par SMS dans 10 minutes.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PIN", CATCHES, NEAR_MISSES, detector="fr_detector")
