"""The heap a process builds while starting (modules, mappers, schemas) is kept out of garbage collection."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, then move every surviving object to the permanent generation.

    Full collections then stop re-scanning the hundreds of thousands of long-lived start-up
    objects (about a fifth of the CPU of a bulk import). Reference counting still frees them.
    """
    gc.collect()
    gc.freeze()
