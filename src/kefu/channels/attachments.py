"""The attachment store: files kept by content hash under the data dir, and content-type sniffing.

Provider links expire, so what a customer sends is kept here, not linked. A file is written once
per SHA-256 (to a temporary name, then renamed), so the same bytes received twice take no more
room and a crash never leaves half a file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
)
"""Leading bytes → content type; WebP and WAV (RIFF containers) are told apart below."""
CONTAINERS_OF_ZIP = ("application/vnd.openxmlformats", "application/vnd.oasis", "application/epub")


def sniff_content_type(content: bytes, declared: str | None) -> str:
    """The content type the bytes show; the declared one when they show nothing else (or refine a zip)."""
    declared = (declared or "").split(";")[0].strip().lower() or "application/octet-stream"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return "audio/wav"
    for magic, kind in SIGNATURES:
        if content.startswith(magic):
            if kind == "application/zip" and declared.startswith(CONTAINERS_OF_ZIP):
                return declared
            return kind
    if declared.startswith(("image/", "application/pdf")):
        return "application/octet-stream"  # claims a type its bytes do not show
    return declared


class AttachmentStore:
    """Files under one root folder, named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def path_of(self, sha256: str) -> Path:
        """Where the file of a hash lives."""
        return self._root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        """Keep the bytes (once per hash); their SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        """The bytes of a kept file (FileNotFoundError when missing)."""
        return self.path_of(sha256).read_bytes()
