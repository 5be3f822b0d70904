"""Files Harbour writes, whole or not at all: a secret, a key, a pack, a deck.

Each is written to a temporary file beside its place (readable by its owner only), flushed to the disk, and
renamed into place, so that a full disk, a crash or a kill leaves the old file or none, never a part of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_whole(path: Path, data: bytes, mode: int | None = 0o600, replace: bool = True) -> bool:
    """Write ``data`` to ``path`` whole or not at all, with permissions ``mode`` (None: as any new file gets, by the
    process's umask; a secret is its owner's alone, the default). With ``replace`` False an existing
    file is kept (and False returned): the first of two processes making the same file wins, whole. Raises
    OSError (a full disk, a read-only folder) with nothing left behind."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask() if mode is None else mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails where the file exists: never two halves of two writers
            except FileExistsError:
                return False
            finally:
                os.unlink(temporary)
        _sync_folder(path.parent)
        return True
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back at once."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    """The rename itself on the disk (POSIX: the folder's entry is flushed apart from the file)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
