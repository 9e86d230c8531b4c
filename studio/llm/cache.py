"""Model responses cached in the project's library.sqlite, table `llm_cache`.

Keyed by a hash of the whole request (model, messages, parameters, response
format), so an unchanged re-run is served from disk: free and fast. This module
owns only that table; the library owns the rest of the database. Caching is
best effort: a locked or broken database never fails a model call.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TABLE = "llm_cache"


def request_key(request: dict[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LLMCache:
    def __init__(self, path: Path | str):
        import sqlite_utils

        self.path = Path(path)
        self._lock = threading.Lock()
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
        self.db = sqlite_utils.Database(conn)
        self.hits = 0
        self.misses = 0
        with self._lock:
            try:
                self.db.execute("PRAGMA busy_timeout = 10000")
                self.db.enable_wal()
                # no fsync per answer stored (WAL keeps it consistent; a crash may lose the
                # last few, which are asked again): each one cost a request ~13 ms more
                self.db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.OperationalError as exc:   # another process holds it: fine
                log.debug("cache: cannot switch to WAL: %s", exc)
            try:
                self.db[TABLE].create({
                    "key": str, "model": str, "text": str, "tokens_in": int, "tokens_out": int,
                    "cost": float, "created": float,
                }, pk="key", if_not_exists=True)
            except sqlite3.OperationalError:
                # run-all's worker processes open the cache at the same moment: the one
                # that lost the race to create the table uses it (a brain whose cache
                # failed to open ran uncached, and the next run asked the model again)
                if not self.db[TABLE].exists():
                    raise

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            try:
                row = next(self.db.query(f"select * from {TABLE} where key = ?", [key]), None)
            except sqlite3.Error as exc:
                log.warning("cache read failed: %s", exc)
                row = None
            if row is None:
                self.misses += 1
            else:
                self.hits += 1
            return row

    def put(self, key: str, *, model: str, text: str, tokens_in: int, tokens_out: int,
            cost: float | None) -> None:
        with self._lock:
            try:
                # plain SQL: sqlite-utils' upsert inspected the table on every call, 0.2 ms
                # of a run-all worker's CPU per request (the whole row is replaced either way)
                with self.db.conn:
                    self.db.conn.execute(
                        f"INSERT OR REPLACE INTO {TABLE} (key, model, text, tokens_in, "
                        "tokens_out, cost, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (key, model, text, tokens_in, tokens_out, cost, time.time()))
            except sqlite3.Error as exc:
                log.warning("cache write failed: %s", exc)

    def count(self) -> int:
        with self._lock:
            return self.db[TABLE].count

    def clear(self) -> None:
        with self._lock:
            self.db.execute(f"delete from {TABLE}")
            self.db.conn.commit()

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()
