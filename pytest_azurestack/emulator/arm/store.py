"""In-memory resource state: one RLock, values are JSON-able dicts, optional JSON persistence.

Keys are lower-cased resource ids; each value carries its own ``id`` with the case it was created
with. Handlers may mutate a dict returned by ``get`` in place: the core saves after every
write request (``flush``), and nothing else holds references across requests.
"""

from __future__ import annotations

import builtins
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

STATE_FILE = "state.json"
STATE_VERSION = 1


class Store:
    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self._items: dict[str, dict[str, Any]] = {}
        self.meta: dict[str, Any] = {}
        self.data_dir = Path(data_dir) if data_dir else None
        self._file_lock: FileLock | None = None
        if self.data_dir:
            self._claim(self.data_dir)
            try:
                self._load()
            except BaseException:
                self.close()
                raise

    def _claim(self, data_dir: Path) -> None:
        """One emulator per data directory: two would overwrite each other's state."""
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(data_dir / ".emulator.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise ValueError(
                f"emulator data dir {data_dir} is in use by another running emulator; "
                "stop it or choose another --data-dir"
            ) from None
        self._file_lock = lock

    def close(self) -> None:
        """Release the data directory (after a final ``flush``)."""
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None

    # --- reads ---------------------------------------------------------------------------------
    def get(self, resource_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self._items.get(_key(resource_id))

    def exists(self, resource_id: str) -> bool:
        with self.lock:
            return _key(resource_id) in self._items

    def list(
        self, subscription: str, full_type: str, resource_group: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Every resource of ``full_type`` (``Microsoft.Compute/virtualMachines``), creation order."""
        prefix = f"/subscriptions/{subscription}/".lower()
        if resource_group is not None:
            prefix += f"resourcegroups/{resource_group}/".lower()
        wanted = full_type.lower()
        with self.lock:
            return [
                v
                for k, v in self._items.items()
                if k.startswith(prefix) and str(v.get("type", "")).lower() == wanted
            ]

    def children(self, prefix_id: str) -> builtins.list[dict[str, Any]]:
        """Everything whose id lies under ``prefix_id`` (not the prefix itself)."""
        prefix = _key(prefix_id) + "/"
        with self.lock:
            return [v for k, v in self._items.items() if k.startswith(prefix)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.lock:
            return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    # --- writes --------------------------------------------------------------------------------
    def put(
        self, resource_id: str | Mapping[str, Any], value: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``put(id, value)``; ``put(value)`` uses ``value["id"]``. Returns the stored dict."""
        if value is None:
            if not isinstance(resource_id, Mapping):
                raise TypeError("put(value) needs a dict with an 'id'")
            value, resource_id = resource_id, str(resource_id["id"])
        assert isinstance(resource_id, str)
        stored = dict(value)
        with self.lock:
            self._items[_key(resource_id)] = stored
            self._dirty = True
        return stored

    def delete(self, resource_id: str) -> dict[str, Any] | None:
        with self.lock:
            self._dirty = True
            return self._items.pop(_key(resource_id), None)

    def delete_tree(self, prefix_id: str) -> builtins.list[dict[str, Any]]:
        """Delete ``prefix_id`` and everything under it; returns what went."""
        key = _key(prefix_id)
        with self.lock:
            doomed = [k for k in self._items if k == key or k.startswith(key + "/")]
            self._dirty = True
            return [self._items.pop(k) for k in doomed]

    def clear(self) -> None:
        with self.lock:
            self._items.clear()
            self._dirty = True

    # --- persistence ---------------------------------------------------------------------------
    _dirty = False

    def mark_dirty(self) -> None:
        self._dirty = True

    def flush(self, force: bool = False) -> None:
        """Write the state file atomically (temp file + rename) if anything changed."""
        if not self.data_dir:
            return
        with self.lock:
            if not (self._dirty or force):
                return
            self.data_dir.mkdir(parents=True, exist_ok=True)
            payload = {"version": STATE_VERSION, "meta": self.meta, "resources": list(self._items.values())}
            fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".state-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(payload, fh, separators=(",", ":"))
                os.replace(tmp, self.data_dir / STATE_FILE)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._dirty = False

    def _load(self) -> None:
        assert self.data_dir is not None
        path = self.data_dir / STATE_FILE
        if not path.exists():
            return
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            resources = payload["resources"]
            self.meta = dict(payload.get("meta") or {})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"emulator state file {path} is unreadable ({exc}); delete it or choose another --data-dir"
            ) from None
        for value in resources:
            self._items[_key(value["id"])] = value


def _key(resource_id: str) -> str:
    return resource_id.split("?", 1)[0].rstrip("/").lower()
