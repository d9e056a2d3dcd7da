"""Checks of the configuration against the world, before any audio is read.

``parse_job_args`` checks what the flags say (and parses the PII config they
name); these check the rest of what they name: the output folder, the ASR model,
the keyring and the opt-out lists. Each failure is
one line on stderr and a non-zero exit (``SystemExit``), never a traceback and
never a run that reads every clip only to dead-letter them all.
"""

from __future__ import annotations

import os
from typing import Sequence

from voicescrub.pipeline.options import JobConfig
from voicescrub.transforms.asr.whisper import BUNDLED_MODEL


def check_output(output: str) -> None:
    """A local ``--output`` must be a folder this process can write (it is created if
    missing); a remote one (``gs://``) is checked by the runner."""
    if "://" in output:
        return
    if os.path.exists(output) and not os.path.isdir(output):
        raise SystemExit("--output names a file, not a folder")
    try:
        os.makedirs(output, exist_ok=True)
    except OSError:
        raise SystemExit("--output cannot be created") from None
    if not os.access(output, os.W_OK | os.X_OK):
        raise SystemExit("--output is not writable")


def check_asr_model(model: str) -> None:
    """``--asr-model`` must name weights on this machine: the bundled model, a local
    CTranslate2 folder, or a size name already in the local cache (nothing is
    downloaded at run time). A remote folder is copied by each worker."""
    if model == BUNDLED_MODEL or "://" in model:
        return
    if os.path.isdir(model):
        if not os.path.isfile(os.path.join(model, "model.bin")):
            raise SystemExit("--asr-model folder holds no CTranslate2 model (model.bin)")
        return
    from faster_whisper.utils import download_model

    try:
        download_model(model, local_files_only=True)
    except Exception:  # noqa: BLE001 - any failure means the weights are not here
        raise SystemExit("--asr-model is neither the bundled model, a model folder nor a "
                         "model already in the local cache") from None


def check_keyring(keyring: str, create_keys: bool) -> None:
    """``--keyring`` must open; with ``--no-create-keys`` it must already hold a key, or
    every clip would be dead-lettered for want of one."""
    from voicescrub.transforms.privacy.keyring import KeyringError, open_keyring

    try:
        ring = open_keyring(keyring, read_only=not create_keys)
        epochs = ring.epochs() if not create_keys else None
    except KeyringError as error:
        raise SystemExit(f"--keyring cannot be used: {error}") from None
    except OSError:
        raise SystemExit("--keyring cannot be read") from None
    if epochs is not None and not epochs:
        raise SystemExit("--no-create-keys: the keyring holds no epoch key")


def check_opt_out_lists(patterns: Sequence[str]) -> None:
    """Every ``--opt-out`` pattern must name files that read whole as UTF-8 lines: a run
    that lost part of a list would let those accounts' clips be reviewed."""
    from voicescrub.transforms.privacy.review_selection import (
        OptOutListError,
        count_opt_out_ids,
        opt_out_files,
    )

    try:
        for path in opt_out_files(patterns):
            count_opt_out_ids(path)
    except OptOutListError as error:
        raise SystemExit(str(error)) from None
    except (OSError, ValueError):  # ValueError: a URI scheme no Beam filesystem serves
        raise SystemExit("an --opt-out list cannot be read") from None


def preflight(config: JobConfig) -> None:
    """Every check, in the order a user would fix them."""
    check_output(config.output)
    check_asr_model(config.asr.model)
    check_keyring(config.pseudonyms.keyring_uri, config.pseudonyms.create_keys)
    check_opt_out_lists(config.selection.opt_out)
