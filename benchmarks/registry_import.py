"""Benchmark: importing a 100,000-row 届出受理医療機関名簿 end to end (upload → preview → confirm).

    .venv/bin/python benchmarks/registry_import.py [--rows 100000] [--baseline-rows 10000]

Generates a realistic list (3-8 standards per facility, about 15% of rows 支援診/支援病),
then, each in a fresh process so peak memory is its own:
  1. the portal's import (hospitals.registry.service: python-calamine, bulk writes), first import
  2. the same file again (re-import: nothing changes)
  3. the portal's import with the stream reader (hospitals/registry/xlsx_stream.py, issue 3)
  4. the portal's import with openpyxl's read-only reader
  5. django-import-export's default row-by-row ModelResource on the first --baseline-rows rows
Uses DATABASE_URL when set (e.g. PostgreSQL), else a scratch SQLite file in /tmp.
Targets (issue 17): at least 20,000 rows/s end to end, peak memory under 300 MB."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # development settings (off by default)
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/zaitaku_registry_benchmark.sqlite3")


def peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django():
    import django

    django.setup()


def child(mode: str, path: str, baseline_rows: int) -> dict:
    setup_django()
    from hospitals.models import MedicalInstitution, RegistryImportRun
    from hospitals.registry import service
    from zaitaku_portal.models import User

    user, _ = User.objects.get_or_create(username="benchmark", defaults={"role": "administrator"})
    size = os.path.getsize(path)
    engines = {"ours": "calamine", "again": "calamine", "stream": "stream", "openpyxl": "openpyxl"}
    if mode in ("ours", "stream", "openpyxl"):
        MedicalInstitution.objects.all().delete()
        RegistryImportRun.objects.all().delete()
    if mode in engines:
        started = time.perf_counter()
        with open(path, "rb") as stream:
            run = service.preview(stream, os.path.basename(path), size, user, engine=engines[mode])
        previewed = time.perf_counter()
        if run.status != run.Status.PREVIEW:
            raise SystemExit(f"preview failed: {run.problems[:3]}")
        service.confirm(run.pk, user, acknowledge_check_digits=True)
        finished = time.perf_counter()
        return {
            "rows": run.row_count,
            "facilities": run.facility_count,
            "new": run.new_count,
            "changed": run.changed_count,
            "unchanged": run.unchanged_count,
            "preview_s": previewed - started,
            "confirm_s": finished - previewed,
            "seconds": finished - started,
            "peak_mb": peak_megabytes(),
        }
    if mode == "import_export":
        return baseline(path, baseline_rows)
    raise SystemExit(f"unknown mode {mode}")


def baseline(path: str, limit: int) -> dict:
    """django-import-export's default: a ModelResource importing row by row (get or create,
    full_clean-free save per row), fed the same rows mapped to the model's columns."""
    import tablib
    from import_export import resources
    from openpyxl import load_workbook

    from hospitals.codes import compose_code
    from hospitals.models import MedicalInstitution
    from hospitals.registry.reader import normalise

    class InstitutionResource(resources.ModelResource):
        class Meta:
            model = MedicalInstitution
            import_id_fields = ("code",)
            fields = ("code", "name", "kind", "postal_code", "address", "phone", "support_tier")

    tiers = {"1": "enhanced_single", "2": "enhanced_linked", "3": "conventional"}
    MedicalInstitution.objects.all().delete()
    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    dataset = tablib.Dataset(headers=list(InstitutionResource.Meta.fields))
    for index, row in enumerate(workbook.worksheets[0].iter_rows(min_row=5, values_only=True)):
        if index >= limit:
            break
        symbol = normalise(row[10])
        tier = tiers.get(symbol[3:4], "none") if symbol.startswith("支援") else "none"
        dataset.append(
            (
                compose_code(normalise(row[1]), "1", normalise(row[3])),
                normalise(row[4]),
                "hospital" if "病院" in normalise(row[4]) else "clinic",
                normalise(row[5])[:8],
                normalise(row[6]),
                normalise(row[7]),
                tier,
            )
        )
    workbook.close()
    result = InstitutionResource().import_data(dataset, dry_run=False, use_transactions=True)
    finished = time.perf_counter()
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit("django-import-export baseline reported errors")
    return {
        "rows": len(dataset),
        "facilities": MedicalInstitution.objects.count(),
        "seconds": finished - started,
        "peak_mb": peak_megabytes(),
    }


def generate(path: str, rows: int) -> None:
    setup_django()
    from hospitals.registry.sample import TOWNS, generated_rows, write_registry
    from zaitaku_portal.models import Municipality, SecondaryMedicalArea

    area, _ = SecondaryMedicalArea.objects.get_or_create(code="4799", defaults={"name": "試験"})
    for index, town in enumerate(TOWNS):
        Municipality.objects.get_or_create(
            code=f"4799{index:02d}",
            defaults={"name": town.removeprefix("国頭郡"), "kind": "city", "secondary_area": area},
        )
    write_registry(path, generated_rows(rows), as_of="令和 6年 6月 1日")


OURS = "portal import (calamine, bulk writes)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.file, args.baseline_rows)))
        return

    database = os.environ["DATABASE_URL"]
    if database.startswith("sqlite:////tmp/zaitaku_registry_benchmark"):
        Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0"], check=True
    )
    workdir = tempfile.mkdtemp(prefix="registry-benchmark-")
    path = os.path.join(workdir, "届出受理医療機関名簿_医科.xlsx")
    started = time.perf_counter()
    generate(path, args.rows)
    print(
        f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s: "
        f"{os.path.getsize(path) / 1024 / 1024:.1f} MB  (database: {database.split('@')[-1]})"
    )

    def run(mode: str) -> dict:
        command = [sys.executable, __file__, "--child", mode, "--file", path]
        command += ["--baseline-rows", str(args.baseline_rows)]
        output = subprocess.run(  # noqa: S603 - this script, re-run as a child
            command, check=True, capture_output=True, text=True
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    results = {
        OURS: run("ours"),
        "re-import of the same file": run("again"),
        "portal import with the stream reader (before)": run("stream"),
        "portal import with openpyxl read-only reader": run("openpyxl"),
        "django-import-export row-by-row ModelResource": run("import_export"),
    }
    print(f"{'method':<48} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}")
    for label, result in results.items():
        rate = result["rows"] / result["seconds"]
        print(
            f"{label:<48} {result['rows']:>8,} {result['seconds']:>8.1f} "
            f"{rate:>8,.0f} {result['peak_mb']:>8.0f}"
        )
    ours = results[OURS]
    again = results["re-import of the same file"]
    print(
        f"first import: {ours['facilities']:,} facilities, preview {ours['preview_s']:.1f} s + "
        f"confirm {ours['confirm_s']:.1f} s; re-import: {again['new']} new, "
        f"{again['changed']} changed, {again['unchanged']:,} unchanged"
    )
    rate = ours["rows"] / ours["seconds"]
    baseline_rate = (
        results["django-import-export row-by-row ModelResource"]["rows"]
        / results["django-import-export row-by-row ModelResource"]["seconds"]
    )
    stream = results["portal import with the stream reader (before)"]
    stream_rate = stream["rows"] / stream["seconds"]
    print(
        f"target ≥20,000 rows/s: {'met' if rate >= 20_000 else 'NOT met'} ({rate:,.0f}); "
        f"peak <300 MB: {'met' if ours['peak_mb'] < 300 else 'NOT met'} "
        f"({ours['peak_mb']:.0f} MB); {rate / stream_rate:.1f}× the stream reader "
        f"(peak {stream['peak_mb']:.0f} MB), {rate / baseline_rate:.1f}× django-import-export"
    )


if __name__ == "__main__":
    main()
