"""FrStreetAddressRecognizer (transforms/language/fr/recognizers/fr_street_address.yaml): a house number, a kind of way and the way's name."""

from __future__ import annotations

from recognizer_cases import recognizer_tests

RECOGNIZER = "FrStreetAddressRecognizer"

# (French transcript, the words redacted as STREET_ADDRESS): its pattern matches them and the detector keeps them.
CATCHES = [
    ('Livre le colis au 14 rue Victor Hugo.', '14 rue Victor Hugo'),
    ("J'habite 7 ter allée des Tilleuls à Tours.", '7 ter allée des Tilleuls'),
    ('Le rendez-vous est au 250, avenue de la Libération.', '250, avenue de la Libération'),
    ("Envoie le courrier rue Neuve 45 à Liège.", 'rue Neuve 45'),
    ("J'habite avenue Foch, au numéro 9, au troisième.", 'avenue Foch, au numéro 9'),
]

# French speech that looks alike and must stay readable as far as this recognizer goes.
NEAR_MISSES = [
    'Il y a 3 rues à traverser.',
    'Prends la route pendant 20 minutes.',
    'La place coûte 12 euros.',
    'Prends la rue Royale pendant 5 minutes.',
]


test_catches, test_near_misses = recognizer_tests(RECOGNIZER, "STREET_ADDRESS", CATCHES, NEAR_MISSES, detector="fr_detector")
