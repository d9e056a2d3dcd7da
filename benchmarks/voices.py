"""Speak a text in a named voice of one of three synthesisers, for the benchmarks' corpora.

A voice is ``ENGINE:NAME``:

- ``espeak:NAME``: espeak-ng (``apt-get install espeak-ng``), e.g. ``espeak:en-gb+m3``;
- ``flite:NAME``: flite (``apt-get install flite``; ``flite -lv`` lists them), e.g. ``flite:slt``;
- ``festival:NAME``: Festival's ``text2wave`` (``apt-get install festival festvox-kallpc16k
  festvox-kdlpc16k festvox-us-slt-hts``), e.g. ``festival:kal_diphone``,
  ``festival:ked_diphone``, ``festival:cmu_us_slt_arctic_hts``.

The rules are tuned on espeak-ng and flite; Festival's diphone and HTS voices are a third
way of speaking that nothing was tuned on. Every voice is written as 16 kHz mono 16-bit WAV
(sox converts), the format the ASR hears.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from typing import Iterable, List, Optional

#: The program each synthesiser needs, and the Debian packages that install it.
TOOLS = {"espeak": ("espeak-ng", "espeak-ng"), "flite": ("flite", "flite"),
         "festival": ("text2wave", "festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts")}


def engine_of(voice: str) -> str:
    """The synthesiser of ``voice``; ValueError for one this module does not know."""
    engine, _, name = voice.partition(":")
    if engine not in TOOLS or not name or (engine == "festival" and not name.replace("_", "").isalnum()):
        raise ValueError(f"unknown voice {voice!r}: use espeak:NAME, flite:NAME or festival:NAME")
    return engine


def missing_tools(voices: Iterable[str]) -> List[str]:
    """``apt-get install`` hints for the programs ``voices`` need that are not on PATH (sox included)."""
    needed = {engine_of(v) for v in voices}
    missing = [TOOLS[e][1] for e in sorted(needed) if shutil.which(TOOLS[e][0]) is None]
    return missing + (["sox"] if shutil.which("sox") is None else [])


def speak(text: str, voice: str, out_wav: str, speed: Optional[int] = None) -> float:
    """``text`` in ``voice`` as 16 kHz mono 16-bit WAV at ``out_wav``; its duration in seconds.

    :param speed: words a minute, for espeak-ng only (the others speak at their own pace).
    """
    engine = engine_of(voice)
    name = voice.split(":", 1)[1]
    with tempfile.TemporaryDirectory(prefix="voicescrub-voice-") as tmp:
        raw = os.path.join(tmp, "raw.wav")
        if engine == "espeak":
            command = ["espeak-ng", "-v", name] + (["-s", str(speed)] if speed else []) + ["-w", raw, text]
        elif engine == "flite":
            command = ["flite", "-voice", name, "-t", text, "-o", raw]
        else:
            # text2wave reads the text from a file, so no character of it reaches a shell or
            # Festival's Scheme reader.
            text_file = os.path.join(tmp, "text.txt")
            with open(text_file, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            command = ["text2wave", "-eval", f"(voice_{name})", "-o", raw, text_file]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run(["sox", "-R", raw, "-r", "16000", "-c", "1", "-b", "16", out_wav],
                       check=True, capture_output=True)
    with wave.open(out_wav) as handle:
        return handle.getnframes() / handle.getframerate()
