"""FrPhoneRecognizer (transforms/language/fr/recognizers/fr_phone.yaml): a French national or international phone number."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrPhoneRecognizer"

# (French transcript, the words redacted as PHONE_NUMBER): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Rappelle-moi au 06 11 22 33 44 ce soir.', '06 11 22 33 44'),
    ("Mon fixe c'est zéro un, quarante-deux, dix-huit, soixante-sept, zéro neuf.", 'zéro un, quarante-deux, dix-huit, soixante-sept, zéro neuf'),
    ("Appelle le +33 7 81 20 44 09 depuis l'étranger.", '+33 7 81 20 44 09'),
    ("Son numéro c'est plus 33 6 12 00 98 76.", 'plus 33 6 12 00 98 76'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Appelle-moi dans 10 minutes.',
    'Le train part à 18 h 45 du quai 6.',
    "Compose le 15 en cas d'urgence.",
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "PHONE_NUMBER", CATCHES, NEAR_MISSES, detector="fr_detector")
