"""PII detection for ASR transcripts, reading them as speech.

``load_pii_config`` reads the settings, ``PiiDetector`` finds spans; see
``spoken_normaliser`` for how spoken digits and e-mail addresses are read.
"""

from transforms.pii.config import DIGIT_SEQUENCE, PiiConfig, load_pii_config
from transforms.pii.detector import PiiDetector, contains_critical_pii

__all__ = ["DIGIT_SEQUENCE", "PiiConfig", "PiiDetector", "contains_critical_pii", "load_pii_config"]
