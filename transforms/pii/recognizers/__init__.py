"""Recognizers that need code (checksums, fail-safe policy); the rest are pattern files of the language packs (``transforms/language/<code>/recognizers/``)."""

from voicescrub.transforms.pii.recognizers.digit_run_failsafe_recognizer import (
           DigitRunFailsafeRecognizer,
)
from voicescrub.transforms.pii.recognizers.spelled_code_recognizer import (
           SpelledCodeRecognizer,
)
from voicescrub.transforms.pii.recognizers.spoken_credit_card_recognizer import (
           SpokenCreditCardRecognizer,
)
from voicescrub.transforms.pii.recognizers.spoken_iban_recognizer import (
           SpokenIbanRecognizer,
)
from voicescrub.transforms.pii.recognizers.spoken_street_address_recognizer import (
           SpokenStreetAddressRecognizer,
)

__all__ = ["DigitRunFailsafeRecognizer", "SpelledCodeRecognizer", "SpokenCreditCardRecognizer", "SpokenIbanRecognizer",
           "SpokenStreetAddressRecognizer"]
