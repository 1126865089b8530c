"""manage.py import_registry FILE: the registry import of the pages, for a scheduled download
of the bureau's list. Same reading, same checks (another prefecture's list, an older list,
check digits), the same choice between all rows and the rows without errors; a refusal
ends with a non-zero exit code (2) and the reason, in Japanese, on stderr."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hospitals.models import RegistryImportRun
from hospitals.registry import service
from hospitals.registry.books import ENGINES
from zaitaku_portal.models import User

REFUSED = 2


class Command(BaseCommand):
    help = "届出受理医療機関名簿（.xlsx）を取り込みます（プレビューと同じ確認のうえ反映）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名簿のExcelファイル（.xlsx）")
        parser.add_argument("--user", help="取込者として記録する利用者のユーザー名")
        parser.add_argument(
            "--without-error-rows",
            action="store_true",
            help="エラーのある行を除いて反映する（指定しなければ、エラーがあれば反映しない）",
        )
        parser.add_argument(
            "--acknowledge-check-digits",
            action="store_true",
            help="検証番号が一致しない医療機関コードを「要確認」として取り込む",
        )
        parser.add_argument("--dry-run", action="store_true", help="プレビューだけ行い、反映しない")
        parser.add_argument("--engine", choices=ENGINES, default="calamine", help="読み込み方式")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ファイル「{path}」が見つかりません。", returncode=REFUSED)
        user = self._user(options["user"])
        with path.open("rb") as stream:
            run = service.preview(
                stream, path.name, path.stat().st_size, user, engine=options["engine"]
            )
        self._report_preview(run)
        if run.status == RegistryImportRun.Status.REJECTED:
            raise CommandError(
                f"名簿を取り込めません（取込 #{run.pk}）: {run.errors[0]['text']}",
                returncode=REFUSED,
            )
        if options["dry_run"]:
            self.stdout.write("プレビューのみ（--dry-run）のため反映していません。")
            return
        rows = service.WITHOUT_ERRORS if options["without_error_rows"] else service.ALL
        try:
            run = service.confirm(
                run.pk,
                user,
                acknowledge_check_digits=options["acknowledge_check_digits"],
                rows=rows,
            )
        except service.ImportRefused as refused:
            raise CommandError(
                f"反映しませんでした（取込 #{run.pk}）: {refused}", returncode=REFUSED
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"名簿を反映しました（取込 #{run.pk}: 新規 {run.new_count}件、"
                f"変更 {run.changed_count}件、変更なし {run.unchanged_count}件、"
                f"名簿から消えた医療機関 {run.missing_count}件、"
                f"取り込まなかった行 {run.held_row_count}行）。"
            )
        )

    def _user(self, username: str | None):
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"利用者「{username}」が見つかりません。", returncode=REFUSED)
        return user

    def _report_preview(self, run: RegistryImportRun) -> None:
        self.stdout.write(
            f"{run.file_name}: {run.get_status_display()}（データ行 {run.row_count}行、"
            f"エラー {run.error_count}件、要確認 {run.warning_count}件、"
            f"取り込まない行 {run.held_row_count}行・更新しない医療機関 "
            f"{run.held_facility_count}件）"
        )
        for problem in run.problems[:20]:
            kind = "エラー" if problem["severity"] == "error" else "要確認"
            self.stdout.write(f"  {kind} {problem['text']}")
        if len(run.problems) > 20:
            self.stdout.write(
                f"  …ほか{len(run.problems) - 20}件（取込 #{run.pk} の画面で確認できます）"
            )
