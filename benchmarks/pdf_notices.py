"""Benchmark: one 交付決定通知書 and a batch of 300, with HarfBuzz font subsetting
(libharfbuzz-subset0) and with WeasyPrint's fontTools fallback, in the same run.

    .venv/bin/python benchmarks/pdf_notices.py [--batch 300]
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # development settings (off by default)

import django

django.setup()

import logging  # noqa: E402

from weasyprint.pdf import fonts as weasy_fonts  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.ERROR)  # the fallback warns once per document

from reports.notices import decision_notice, notice_pdf  # noqa: E402

MENUS = [
    ("多職種が参加する連携会議の開催", 1_060_000),
    ("資源把握・課題整理・対応策検討", 600_000),
    ("関係機関との連携、調整", 1_400_000),
    ("急変時の対応体制や24時間体制の構築", 1_200_000),
    ("ICTシステム導入経費", 550_000),
    ("研修の開催", 518_000),
    ("在宅医療の普及啓発", 472_000),
]


def notice(index: int):
    return decision_notice(
        fiscal_year=2026,
        notice_number=f"8医政第{1000 + index}号",
        notice_date=datetime.date(2026, 6, 1),
        application_date=datetime.date(2026, 5, 10),
        addressee_organisation=f"一般社団法人 拠点{index}地区医師会",
        addressee_title="会長",
        addressee_name=f"代表 {index}郎",
        lines=MENUS[: 3 + index % 5],
    )


def measure(label: str, batch: int) -> dict:
    notice_pdf(notice(0), "warm-up")
    singles = []
    for index in range(10):
        start = time.perf_counter()
        notice_pdf(notice(index), f"single-{index}")
        singles.append(time.perf_counter() - start)
    start = time.perf_counter()
    size = 0
    for index in range(batch):
        size += len(notice_pdf(notice(index), f"batch-{index}"))
    elapsed = time.perf_counter() - start
    return {
        "label": label,
        "single_median_s": statistics.median(singles),
        "batch_s": elapsed,
        "per_doc_s": elapsed / batch,
        "avg_kb": size / batch / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=300)
    args = parser.parse_args()
    harfbuzz = weasy_fonts.harfbuzz_subset
    results = []
    if harfbuzz is None:
        print("libharfbuzz-subset0 が見つかりません（bash .ci/setup で導入されます）。")
    else:
        results.append(measure("HarfBuzz subset", args.batch))
    weasy_fonts.harfbuzz_subset = None  # WeasyPrint falls back to fontTools
    results.append(measure("fontTools subset", args.batch))
    weasy_fonts.harfbuzz_subset = harfbuzz
    print(f"notices: 1 single (median of 10) and a batch of {args.batch}, A4, BIZ UD Gothic")
    print(f"{'subsetting':<18}{'single':>10}{'batch':>10}{'per doc':>10}{'avg size':>10}")
    for row in results:
        print(
            f"{row['label']:<18}{row['single_median_s']:>9.3f}s{row['batch_s']:>9.1f}s"
            f"{row['per_doc_s']:>9.3f}s{row['avg_kb']:>8.1f}KB"
        )
    if len(results) == 2:
        print(f"speed-up per document: {results[1]['per_doc_s'] / results[0]['per_doc_s']:.1f}x")


if __name__ == "__main__":
    main()
