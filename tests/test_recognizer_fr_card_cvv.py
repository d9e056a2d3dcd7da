"""FrCardCvvRecognizer (transforms/language/fr/recognizers/fr_card_cvv.yaml): the card security code after (or given as) its name."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrCardCvvRecognizer"

# (French transcript, the words redacted as CARD_CVV): its pattern matches them and the detector keeps them.
CATCHES = [
    ("Le cryptogramme au dos c'est 418.", '418'),
    ("Pour finir l'achat, code de sécurité : neuf cent trois.", 'neuf cent trois'),
    ('Les trois chiffres au dos sont 5 0 7.', '5 0 7'),
    ('Mets 662 comme cryptogramme sur le site.', '662'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Le cryptogramme est au dos de la carte ?',
    'Il y a 300 personnes au concert.',
    'Combien de chiffres a un cryptogramme, trois ou quatre ?',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_CVV", CATCHES, NEAR_MISSES, detector="fr_detector")
