"""Conversations in the library: rows in, records out, paged so memory stays flat.

Imported conversations live only in the library (never in procedure files). Writes go
through the library's writer thread like every other write.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from studio.library import Library
from studio.library.records import dumps, loads, now

from .conversation import ProductionConversation

PAGE = 500


def row_of(conv: ProductionConversation, source: str, stamp: str) -> dict[str, Any]:
    return {
        "id": conv.id, "started_at": conv.first_at, "ended_at": conv.last_at,
        "channel": conv.channel, "segment": conv.customer.segment,
        "attributes": dumps(conv.customer.attributes), "procedure": conv.procedure,
        "outcome": conv.outcome, "csat": conv.csat,
        "turns": sum(1 for m in conv.messages if m.role == "customer"),
        "minutes": conv.minutes(), "opener": conv.opener[:500],
        "messages": dumps([m.model_dump(exclude_none=True) for m in conv.messages]),
        "connector_calls": dumps([c.model_dump(exclude_none=True) for c in conv.connector_calls]),
        "source": source, "imported_at": stamp,
    }


def conversation_of(row: dict[str, Any]) -> ProductionConversation:
    return ProductionConversation.model_validate({
        "id": row["id"], "started_at": row["started_at"], "channel": row["channel"],
        "customer": {"segment": row["segment"], "attributes": loads(row["attributes"], {})},
        "messages": loads(row["messages"], []), "procedure": row["procedure"],
        "outcome": row["outcome"], "csat": row["csat"],
        "connector_calls": loads(row["connector_calls"], [])})


def add_rows(library: Library, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose id is new; return how many were added (idempotent by id)."""
    def work(db) -> int:
        before = db.conn.total_changes
        db["conversations"].insert_all(rows, ignore=True, batch_size=PAGE)
        return db.conn.total_changes - before
    return library.write(work) if rows else 0


def record_import(library: Library, summary: dict[str, Any]) -> None:
    row = {"at": now(), "files": dumps(summary["files"]), "format": summary["format"],
           "read": summary["read"], "added": summary["added"], "skipped": summary["skipped"],
           "rejected": summary["rejected"], "redacted": dumps(summary["redacted"])}
    library.write(lambda db: db["conversation_imports"].insert(row))
    library.audit("conversations.import", ", ".join(summary["files"]),
                  {k: summary[k] for k in ("read", "added", "skipped", "rejected")})


@dataclass
class Filter:
    """Which stored conversations a command or view works on."""
    since: str | None = None           # ISO date or time: started at or after
    until: str | None = None
    procedure: str | None = None       # production's procedure ("" = unmatched)
    outcome: str | None = None
    ids: list[str] | None = None
    limit: int | None = None

    def sql(self, table: str = "") -> tuple[str, list[Any]]:
        """The WHERE clause and its parameters; `table` qualifies the columns (joins)."""
        t = f"{table}." if table else ""
        where, params = [], []
        if self.since:
            where.append(f"{t}started_at >= ?")
            params.append(self.since)
        if self.until:
            where.append(f"{t}started_at < ?")
            params.append(self.until)
        if self.procedure == "":
            where.append(f"({t}procedure IS NULL OR {t}procedure = '')")
        elif self.procedure:
            where.append(f"{t}procedure = ?")
            params.append(self.procedure)
        if self.outcome:
            where.append(f"{t}outcome = ?")
            params.append(self.outcome)
        if self.ids is not None:
            where.append(f"{t}id IN ({', '.join('?' for _ in self.ids)})")
            params += list(self.ids)
        return (" WHERE " + " AND ".join(where)) if where else "", params


def count(library: Library, flt: Filter | None = None) -> int:
    where, params = (flt or Filter()).sql()
    total = library.query(f"SELECT count(*) AS n FROM conversations{where}", params)[0]["n"]
    limit = (flt or Filter()).limit
    return min(total, limit) if limit else total


def iter_rows(library: Library, flt: Filter | None = None,
              columns: str = "*") -> Iterator[dict[str, Any]]:
    """Rows in (started_at, id) order, one page at a time."""
    flt = flt or Filter()
    where, params = flt.sql()
    after_key: tuple[str, str] | None = None
    yielded = 0
    while True:
        extra, more = "", []
        if after_key is not None:
            extra = (" AND " if where else " WHERE ") + \
                "(coalesce(started_at, ''), id) > (?, ?)"
            more = list(after_key)
        rows = library.query(
            f"SELECT {columns} FROM conversations{where}{extra} "
            "ORDER BY coalesce(started_at, ''), id LIMIT ?", params + more + [PAGE])
        for row in rows:
            if flt.limit and yielded >= flt.limit:
                return
            yielded += 1
            yield row
        if len(rows) < PAGE:
            return
        last = rows[-1]
        after_key = (last.get("started_at") or "", last["id"])


def iter_conversations(library: Library, flt: Filter | None = None) -> Iterator[ProductionConversation]:
    for row in iter_rows(library, flt):
        yield conversation_of(row)


def get(library: Library, conv_id: str) -> ProductionConversation | None:
    rows = library.query("SELECT * FROM conversations WHERE id = ?", [conv_id])
    return conversation_of(rows[0]) if rows else None
