"""Shared by the review tests: a sample project copied, run, and approved through the CLI."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from studio.cli import main


def studio(capsys, *argv: str) -> tuple[int, str]:
    """`studio ARGV...`: the exit code and everything printed (stdout + stderr)."""
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def studio_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main([str(a) for a in argv] + ["--json"])
    return code, json.loads(capsys.readouterr().out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def flip_byte_inside(bundle: Path, member: str, out: Path) -> None:
    """A copy of `bundle` with one bit changed in the middle of `member`'s stored bytes."""
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(member)
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[offset + info.compress_size // 2] ^= 0x01
    out.write_bytes(bytes(data))


def rezip(bundle: Path, out: Path, change: dict[str, bytes]) -> None:
    """A copy of `bundle` with some members' content replaced (a consistent zip, so only the
    manifest's hashes or the signature can tell)."""
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, change.get(info.filename, src.read(info.filename)))
