"""Every byte of a bundle accounted for. Python's zipfile reads an archive past changes it does
not need (a local header's sizes and CRC, file attributes, versions, bytes between or after the
records), so a changed byte there would still verify. `layout_problems` walks the zip's records
itself: each local header agrees with its central directory entry, the fields the exporter
fixes have its values, and the records follow one another with nothing before, between or
after them. Content bytes are checked by their CRC and the manifest's sha256."""
from __future__ import annotations

import struct
from collections import Counter

LOCAL = struct.Struct("<4s5H3L2H")             # zipfile's structFileHeader, 30 bytes
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")      # structCentralDir, 46 bytes
END = struct.Struct("<4s4H2LH")                # structEndArchive, 22 bytes
LOCAL_SIG, CENTRAL_SIG, END_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1        # the exporter's fixed 1980-01-01 00:00:00
FILE_MODE = 0o644 << 16
UTF8_NAME = 0x800


class _Damaged(Exception):
    """One problem, naming the file (or the zip's end record) it is in."""


def looks_like_bundle(data: bytes) -> bool:
    """The exporter writes manifest.json first: a zip whose first local header or first central
    directory entry names it is a (maybe damaged) bundle."""
    if b"manifest.json" in data[:64]:
        return True
    if len(data) >= END.size and data[-END.size:][:4] == END_SIG:
        start = END.unpack(data[-END.size:])[6] + CENTRAL.size
        return data[start:start + 13] == b"manifest.json"
    return False


def _local_names(data: bytes) -> list[str]:
    """The files' names in the order of their local headers, as far as these can be read:
    only to name the file whose central directory entry is damaged."""
    names, pos = [], 0
    while data[pos:pos + 4] == LOCAL_SIG and pos + LOCAL.size <= len(data):
        fields = LOCAL.unpack_from(data, pos)
        names.append(_name(data[pos + LOCAL.size:pos + LOCAL.size + fields[9]]))
        pos += LOCAL.size + fields[9] + fields[10] + fields[7]
    return names


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _central_entries(data: bytes) -> list[tuple[tuple, str, int]]:
    """(fields, name, offset of the entry) for each central directory record, in order."""
    if len(data) < END.size or data[-END.size:][:4] != END_SIG:
        raise _Damaged("the zip's end record: missing or changed (bytes after the last record?)")
    _, disk, cd_disk, on_disk, total, cd_size, cd_offset, comment = END.unpack(data[-END.size:])
    if disk or cd_disk or comment or on_disk != total:
        raise _Damaged("the zip's end record: changed (disk numbers, entry count or comment)")
    if cd_offset + cd_size != len(data) - END.size:
        raise _Damaged("the zip's end record: its central directory size or offset is changed")
    entries, pos = [], cd_offset
    for index in range(total):
        fields = CENTRAL.unpack_from(data, pos) if pos + CENTRAL.size <= len(data) else None
        if fields is None or fields[0] != CENTRAL_SIG:
            names = _local_names(data)
            where = names[index] if index < len(names) else f"the zip's record at byte {pos}"
            raise _Damaged(f"{where}: its central directory entry is damaged (or the one "
                           "before it changed size)")
        nlen, xlen, clen = fields[12], fields[13], fields[14]
        name = _name(data[pos + CENTRAL.size:pos + CENTRAL.size + nlen])
        entries.append((fields, name, pos))
        pos += CENTRAL.size + nlen + xlen + clen
    if pos != len(data) - END.size:
        raise _Damaged("the zip's central directory: its entry count or sizes are changed")
    return entries


def _check_entry(data: bytes, fields: tuple, name: str, pos: int, usual: tuple) -> int:
    """The end of this file's local record, which starts at `pos`; raises naming the file."""
    (_, made, system, needs, reserved, flags, method, time, date, crc, csize, usize,
     nlen, xlen, clen, disk, internal, external, offset) = fields
    if (made, system, needs, method) != usual:
        raise _Damaged(f"{name}: its zip entry's versions or compression differ from the "
                       "other files'")
    usual_flags = 0 if name.isascii() else UTF8_NAME
    if (reserved or flags != usual_flags or time or date != DOS_DATE_1980 or xlen or clen
            or disk or internal or external != FILE_MODE):
        raise _Damaged(f"{name}: its zip entry is changed (flags, date, attributes or extras)")
    if offset != pos:
        raise _Damaged(f"{name}: its zip entry points to the wrong place (bytes inserted or "
                       "removed before it)")
    local = LOCAL.unpack_from(data, pos) if pos + LOCAL.size <= len(data) else None
    if local is None or local[0] != LOCAL_SIG:
        raise _Damaged(f"{name}: its local zip header is damaged")
    if local[1:] != (needs, flags, method, time, date, crc, csize, usize, nlen, 0):
        raise _Damaged(f"{name}: its local zip header differs from the central directory")
    local_name = _name(data[pos + LOCAL.size:pos + LOCAL.size + nlen])
    if local_name != name:
        raise _Damaged(f"{local_name}: its name differs from the zip's central directory's "
                       f"({name}): one of them is changed")
    return pos + LOCAL.size + nlen + csize


def layout_problems(data: bytes) -> list[str]:
    """What is out of place in the zip's records (empty when every byte is where the exporter
    put it); each problem names the file it is in, or the zip's end record."""
    try:
        entries = _central_entries(data)
        pos = 0
        kinds = Counter((f[1], f[2], f[3], f[6]) for f, _, _ in entries)
        usual = kinds.most_common(1)[0][0] if kinds else ()   # one changed entry stands out
        for fields, name, _ in entries:
            pos = _check_entry(data, fields, name, pos, usual)
        if entries and pos != entries[0][2]:
            raise _Damaged(f"{entries[-1][1]}: bytes after it, before the central directory")
    except _Damaged as problem:
        return [str(problem)]
    except struct.error as exc:                 # a record cut short
        return [f"the zip's records are cut short ({exc})"]
    return []
