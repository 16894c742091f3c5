"""Where the shared public datasets live (read in place, never copied into the package)."""

from __future__ import annotations

import os
from pathlib import Path

FALLBACK = Path("/work/shared/data")


def shared_data_dir() -> Path:
    """$KEFU_SHARED_DATA, else ../shared/data from the working directory, else the fallback.

    The first existing folder wins; when none exists the first candidate is returned, so the
    caller's read fails with a message naming it.
    """
    env = os.environ.get("KEFU_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd().parent / "shared" / "data", FALLBACK]
    return next((path for path in candidates if path.is_dir()), candidates[0])
