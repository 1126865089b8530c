"""Driving the real LibreOffice Calc (.ci/setup installs libreoffice-calc-nogui and
python3-uno): re-save workbooks as Calc saves them, edit cells as a user types them (UNO, with
the system python3 in a subprocess) and print them to PDF. One soffice call per batch of
files, with a private profile, so the tests stay quick and never touch a user's settings."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext") or "pdftotext"
SYSTEM_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("uno_edit.py")

needs_calc = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) がありません")


def _profile(directory: Path) -> str:
    return f"-env:UserInstallation=file://{directory / 'profile'}"


def convert(paths: list[Path], target: str, out_dir: Path) -> list[Path]:
    """soffice --convert-to target for every path in one call; the converted files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="calc-") as profile:
        run = subprocess.run(  # noqa: S603 (soffice and our own files)
            [SOFFICE, _profile(Path(profile)), "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(out_dir), *map(str, paths)],
            check=True, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    extension = target.split(":")[0]
    converted = [out_dir / f"{path.stem}.{extension}" for path in paths]
    missing = [p for p in converted if not p.exists()]
    assert not missing, f"soffice wrote nothing for {missing}: {run.stdout} {run.stderr}"
    return converted


def resave(contents: dict[str, bytes], tmp_path: Path) -> dict[str, bytes]:
    """{name: xlsx bytes} re-saved by Calc as xlsx ("Calc Office Open XML")."""
    source = tmp_path / "portal"
    source.mkdir()
    paths = []
    for name, content in contents.items():
        path = source / f"{name}.xlsx"
        path.write_bytes(content)
        paths.append(path)
    saved = convert(paths, "xlsx:Calc Office Open XML", tmp_path / "calc")
    return {name: path.read_bytes() for name, path in zip(contents, saved, strict=True)}


def pdf_pages(contents: dict[str, bytes], tmp_path: Path) -> dict[str, list[str]]:
    """{name: [the text of each printed page]} of each workbook printed by Calc."""
    source = tmp_path / "print"
    source.mkdir()
    paths = []
    for name, content in contents.items():
        path = source / f"{name}.xlsx"
        path.write_bytes(content)
        paths.append(path)
    pdfs = convert(paths, "pdf", tmp_path / "pdf")
    pages = {}
    for name, pdf in zip(contents, pdfs, strict=True):
        text = subprocess.run(  # noqa: S603 (our own file)
            [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        pages[name] = [page for page in text.split("\f") if page.strip()]
    return pages


def edit(content: bytes, edits: list[tuple[str, str, str]], tmp_path: Path) -> bytes:
    """Type each (sheet, cell, text) as a user would (Calc reads the text as it does from the
    keyboard: 〇 may become 0, 2026/4/1 a date), then save as xlsx through Calc."""
    source = tmp_path / "edit.xlsx"
    source.write_bytes(content)
    target = tmp_path / "edited.xlsx"
    with tempfile.TemporaryDirectory(prefix="calc-uno-") as profile:
        subprocess.run(  # noqa: S603 (the system python3 and our own script)
            [SYSTEM_PYTHON, str(UNO_SCRIPT), SOFFICE, _profile(Path(profile)),
             str(source), str(target), json.dumps(edits, ensure_ascii=False)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
    return target.read_bytes()
