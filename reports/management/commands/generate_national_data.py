import time

from django.core.management.base import BaseCommand
from django.db import connection

from reports.national import Scale, generate


class Command(BaseCommand):
    help = (
        "負荷試験用に全国規模のデータ（拠点2,000・積極的医療機関12,000・圏域330・3年度分の"
        "申請・実績・活動）を作成します。空のデータベースで実行してください。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--hubs", type=int, default=2000)
        parser.add_argument("--hospitals", type=int, default=12000)
        parser.add_argument("--areas", type=int, default=330)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--first-year", type=int, default=2024)
        parser.add_argument("--prefix", default="全国")

    def handle(self, *args, **options):
        scale = Scale(
            hubs=options["hubs"],
            hospitals=options["hospitals"],
            areas=options["areas"],
            years=options["years"],
            first_year=options["first_year"],
            prefix=options["prefix"],
        )
        start = time.perf_counter()
        self.stdout.write(f"全国規模データを作成します: {scale}")
        generate(scale, log=self.stdout.write)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would give a live database some minutes later:
            # without them the planner takes the new tables for empty ones.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"完了（{time.perf_counter() - start:.1f}秒）。ログイン: {scale.prefix}-staff / "
            f"{scale.prefix}-coordinator / {scale.prefix}-hc（パスワード national-pass-2026）"
        )
