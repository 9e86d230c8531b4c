"""Changing any one byte of a bundle makes `studio bundle verify` fail (exit 1) naming the file
it is in: a file's content, its zip headers (which Python's zipfile reads past), the central
directory and the end record, the manifest itself; never an internal error."""
from __future__ import annotations

import zipfile

import pytest

from govern_kit import studio, studio_json
from studio.govern.bundle_check import verify_bundle
from studio.govern.bundle_layout import CENTRAL, LOCAL


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """An exported card-payments bundle for production (made once: every test only reads it)."""
    import shutil

    from conftest import SAMPLES
    from studio.cli import main
    root = tmp_path_factory.mktemp("lead") / "card-payments"
    shutil.copytree(SAMPLES / "card-payments", root, ignore=shutil.ignore_patterns("library.*"))
    assert main(["run-all", str(root), "--quiet"]) == 0
    for proc in ("dispute-transaction", "lost-card"):
        for env in ("staging", "production"):
            assert main(["approve", str(root), proc, "--environment", env]) == 0
    out = root.parent / "b.studio-bundle.zip"
    assert main(["export", str(root), "--out", str(out)]) == 0
    return out


def header_offsets(path) -> list[int]:
    """Every byte that is zip structure, not content: each local header with its name, the
    central directory and the end record."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        start = archive.start_dir
    offsets = [o for i in infos
               for o in range(i.header_offset, i.header_offset + LOCAL.size + len(i.filename))]
    return offsets + list(range(start, len(data)))


def flipped(path, offset, out):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    out.write_bytes(bytes(data))
    return out


def test_every_header_byte_and_a_sample_of_content_bytes_changed_fail_naming_the_file(
        bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    assert all(i.compress_type == zipfile.ZIP_STORED for i in zipfile.ZipFile(bundle).infolist())
    offsets = sorted(set(header_offsets(bundle)) | set(range(0, bundle.stat().st_size, 97)))
    assert len(offsets) > 3000
    passed, unnamed = [], []
    for offset in offsets:
        check = verify_bundle(flipped(bundle, offset, tmp_path / "x.zip"), rerun=False)
        if check.ok:
            passed.append(offset)
        elif not any(n in p for n in names | {"the zip's"} for p in check.problems):
            unnamed.append((offset, check.problems))
    assert passed == [] and unnamed == [], (passed[:5], unnamed[:5])


def test_a_changed_local_header_crc_and_file_attributes_are_caught(bundle, tmp_path, capsys):
    """What zipfile itself never checks: the local header's CRC, a file's attributes."""
    info = zipfile.ZipFile(bundle).getinfo("procedures/lost-card.yaml")
    local_crc = info.header_offset + 14
    code, out = studio(capsys, "bundle", "verify", flipped(bundle, local_crc, tmp_path / "c.zip"),
                       "--no-rerun")
    assert code == 1 and "FAIL procedures/lost-card.yaml: its local zip header differs" in out
    with zipfile.ZipFile(bundle) as archive:
        start = archive.start_dir
        first = archive.infolist()[0].filename
    attributes = start + CENTRAL.size - 6          # the first entry's external attributes
    check = verify_bundle(flipped(bundle, attributes, tmp_path / "a.zip"), rerun=False)
    assert check.problems == [
        f"{first}: its zip entry is changed (flags, date, attributes or extras)"]


def test_a_damaged_manifest_fails_verify_naming_it_and_show_refuses(bundle, tmp_path, capsys):
    data = bytearray(bundle.read_bytes())
    data[LOCAL.size + len("manifest.json") + 10] ^= 0x01        # inside the manifest's text
    damaged = tmp_path / "m.zip"
    damaged.write_bytes(bytes(data))
    code, result = studio_json(capsys, "bundle", "verify", damaged)
    assert code == 1 and result["schema"] == "bundle-verify/v1" and not result["ok"]
    assert result["problems"] == ["manifest.json: damaged (Bad CRC-32 for file 'manifest.json')"]
    code, out = studio(capsys, "bundle", "verify", damaged)
    assert code == 1 and "FAIL manifest.json: damaged" in out and "NOT verified" in out
    assert studio(capsys, "bundle", "show", damaged)[0] == 2     # nothing trustworthy to list
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a bundle")
    code, out = studio(capsys, "bundle", "verify", other_zip)
    assert code == 2 and "no manifest.json inside" in out
