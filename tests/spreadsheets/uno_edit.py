"""Run with the system python3 (python3-uno), not the project's: starts a headless soffice,
opens a workbook, types texts into cells the way the keyboard does (setFormula: Calc's own
input parsing, so 〇 may become 0 and 2026/4/1 a date) and stores it as xlsx.

usage: uno_edit.py SOFFICE -env:UserInstallation=... SOURCE TARGET EDITS_JSON"""

import contextlib
import json
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def _property(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe):
    resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
    )
    for _ in range(200):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.1)
    raise SystemExit("soffice did not answer")


def main(soffice, profile, source, target, edits_json):
    pipe = f"zaitaku{int(time.time() * 1000)}"
    office = subprocess.Popen(  # noqa: S603 (soffice from the caller)
        [soffice, profile, "--headless", "--norestore", "--invisible",
         f"--accept=pipe,name={pipe};urp;"]
    )  # fmt: skip
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        document = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(source), "_blank", 0, (_property("Hidden", True),)
        )
        sheets = document.Sheets
        for sheet_name, ref, text in json.loads(edits_json):
            cell = sheets.getByName(sheet_name).getCellRangeByName(ref)
            cell.setFormula(text)  # what typing the text and Enter does
        document.storeToURL(
            uno.systemPathToFileUrl(target), (_property("FilterName", "Calc Office Open XML"),)
        )
        document.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as soffice exits
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:6])
