"""The run archive (``--azurestack-archive PATH.tar.gz``): what a failed validation attaches to
a support case, in one file. Written atomically, like the reports."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _member(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o644
    tar.addfile(info, io.BytesIO(data))


def as_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def write(path: Path, members: Mapping[str, bytes], folder: str) -> None:
    """A .tar.gz of ``members`` (name -> content), all under ``folder/``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        now = time.time()
        with tarfile.open(tmp, "w:gz") as tar:
            for name, data in members.items():
                _member(tar, f"{folder}/{name}", data, now)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
