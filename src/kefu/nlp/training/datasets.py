"""Where the shared public datasets live (read in place, never copied into the package)."""

from __future__ import annotations

import os
from pathlib import Path

WORKING_TREE = Path(__file__).resolve().parents[4]
"""The checkout holding this package (src/kefu/nlp/training/datasets.py sits four levels below it)."""


class SharedDataNotFound(FileNotFoundError):
    """Neither $KEFU_SHARED_DATA nor ../shared/data beside the working tree is a folder."""


def shared_data_dir() -> Path:
    """$KEFU_SHARED_DATA when set, else ../shared/data relative to the working tree.

    Raises `SharedDataNotFound`, naming both places, when the chosen folder does not exist.
    """
    env = os.environ.get("KEFU_SHARED_DATA")
    beside = WORKING_TREE.parent / "shared" / "data"
    path = Path(env) if env else beside
    if not path.is_dir():
        raise SharedDataNotFound(
            f"shared datasets not found: set KEFU_SHARED_DATA (now {env or 'unset'}) to the "
            f"data folder, or place it at {beside}"
        )
    return path
