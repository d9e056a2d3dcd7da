"""FrCardLast4Recognizer (transforms/language/fr/recognizers/fr_card_last4.yaml): a card's last four digits after the verb of ending or "derniers chiffres"."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrCardLast4Recognizer"

# (French transcript, the words redacted as CARD_LAST4): its pattern matches them and the detector keeps them.
CATCHES = [
    ("Bloque ma carte qui se termine par 5512, s'il te plaît.", '5512'),
    ('Le débit vient de la carte terminée par six sept, zéro deux ?', 'six sept, zéro deux'),
    ('Affiche les achats de la Mastercard finissant en 8 3 1 4.', '8 3 1 4'),
    ('Les quatre derniers chiffres de ma carte sont 2290.', '2290'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'La réunion se termine par un vote à 17 heures.',
    'Le film finit par 20 minutes de générique.',
    'Le mois se termine par 30 euros de frais.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "CARD_LAST4", CATCHES, NEAR_MISSES, detector="fr_detector")
