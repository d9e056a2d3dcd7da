#!/usr/bin/env python3
"""Make the small speech clips the test suite reads (``tests/audio/*.flac``).

The clips are committed, so the suite needs no speech synthesiser. Rerun this
script only to change or add a clip (from the repository root)::

    apt-get install espeak-ng sox
    python tests/audio/make_clips.py            # every clip in CLIPS
    python tests/audio/make_clips.py timer      # just the clips named

Each clip is espeak-ng's own output (22.05 kHz mono 16-bit) stored losslessly as
FLAC by sox; tests decode it as the pipeline does (``voicescrub.transforms.audio.codec``, which
resamples to 16 kHz), so a test hears what the pipeline would.
The texts are fake: no real card, account or person.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SpeechClip:
    """One committed clip: its file stem, espeak-ng voice, words per minute and text."""

    name: str
    voice: str
    speed: int
    text: str


CARD = "4539148803436467"

CLIPS = (
    SpeechClip("timer", "en-us", 160, "please set a timer for ten minutes"),
    SpeechClip("keyword_giraffe", "en-us", 160, "please show me a picture of a giraffe"),
    SpeechClip("keyword_umbrella", "en-us", 160, "remind me to take my umbrella tomorrow"),
    SpeechClip("keyword_volcano", "en-us", 160, "tell me about the biggest volcano in the world"),
    # 150 wpm: at 160 this espeak-ng build's digits come back hyphen-joined around a
    # stray letter ("453-i-1-488-…"), which the audit tests' digit reader cannot read.
    SpeechClip("card_spoken", "en-us", 150, "My card number is " + " ".join(CARD) + ". Thank you."),
    SpeechClip("card_words", "en-us", 160,
               "my card number is four one one one two two two two, thank you"),
    SpeechClip("account_before", "en-us", 160, "please send it to account"),
    SpeechClip("account_digits", "en-us", 160, "9 8 7 6 5 4 3 2"),
    SpeechClip("account_after", "en-us", 160, "and that is all"),
    SpeechClip("balance_question", "en-us", 160, "What's the balance on my account?"),
    # A year its cue makes harmless: tiny.en keeps "in" at beam 5 and drops it when greedy,
    # as the audit's packed second listen decodes (tests/test_audit.py).
    SpeechClip("war_year", "en-us", 140, "Was the war over in nineteen forty five?"),
    # Speech the English model cannot understand (tests/test_language_gate.py): each
    # carries a number a reviewer must not hear, read in the clip's own language.
    SpeechClip("es_card", "es", 160,
               "Hola, mi número de tarjeta es cuatro cinco tres nueve, uno cuatro ocho ocho, "
               "cero tres cuatro tres, seis cuatro seis siete."),
    SpeechClip("de_account", "de", 160,
               "Guten Tag, meine Kontonummer lautet eins zwei drei vier fünf sechs sieben acht."),
    SpeechClip("fr_phone", "fr", 160,
               "Bonjour, appelez-moi au zéro six, douze, trente-quatre, cinquante-six, "
               "soixante-dix-huit."),
    SpeechClip("it_card", "it", 160,
               "Il numero della mia carta è quattro cinque tre nove, uno quattro otto otto."),
    SpeechClip("pl_account", "pl", 160,
               "Dzień dobry, mój numer konta to dwa pięć siedem, osiem jeden zero, cztery."),
)


def make_clip(clip: SpeechClip, out_dir: Path, work: Path) -> Path:
    """Synthesise ``clip`` and write ``<out_dir>/<name>.flac``."""
    raw = work / f"{clip.name}.wav"
    subprocess.run(["espeak-ng", "-v", clip.voice, "-s", str(clip.speed), "-w", str(raw), clip.text],
                   check=True, capture_output=True)
    out = out_dir / f"{clip.name}.flac"
    subprocess.run(["sox", "-R", str(raw), str(out)],
                   check=True, capture_output=True)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv)
    unknown = set(names) - {clip.name for clip in CLIPS}
    if unknown:
        print(f"no such clip: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install espeak-ng sox", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="voicescrub-test-audio-") as tmp:
        for clip in CLIPS:
            if not names or clip.name in names:
                print(make_clip(clip, HERE, Path(tmp)).relative_to(HERE.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
