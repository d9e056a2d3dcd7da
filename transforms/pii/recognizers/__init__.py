"""Recognizers that need code (checksums, fail-safe policy); the rest are declared in ``pii_config.yaml``."""

from transforms.pii.recognizers.digit_run_failsafe_recognizer import DigitRunFailsafeRecognizer
from transforms.pii.recognizers.spoken_credit_card_recognizer import SpokenCreditCardRecognizer
from transforms.pii.recognizers.spoken_iban_recognizer import SpokenIbanRecognizer
from transforms.pii.recognizers.spelled_code_recognizer import SpelledCodeRecognizer
from transforms.pii.recognizers.spoken_street_address_recognizer import SpokenStreetAddressRecognizer

__all__ = ["DigitRunFailsafeRecognizer", "SpelledCodeRecognizer", "SpokenCreditCardRecognizer", "SpokenIbanRecognizer",
           "SpokenStreetAddressRecognizer"]
