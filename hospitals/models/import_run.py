from django.conf import settings
from django.db import models


class RegistryImportRun(models.Model):
    """One upload of the health bureau's 届出受理医療機関名簿: the audit record of a bulk import.

    Bulk writes bypass per-row signals and AuditEntry, so this row says who imported which file
    (name and SHA-256), when, and what it changed. The parsed facilities are kept, compressed,
    between the preview and the confirmation, so confirming applies exactly what was shown.
    The rows left out because of an error stay on the run, with their messages (issue 17)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "プレビュー（未反映）"
        REJECTED = "rejected", "エラーのため取込不可"
        APPLIED = "applied", "反映済み"
        SUPERSEDED = "superseded", "再プレビューにより破棄"

    class AppliedRows(models.TextChoices):
        ALL = "all", "すべての行"
        WITHOUT_ERRORS = "without_errors", "エラーのない行だけ"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取込者",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("アップロード日時", auto_now_add=True)
    applied_at = models.DateTimeField("反映日時", null=True, blank=True)
    file_name = models.CharField("ファイル名", max_length=255)
    file_size = models.PositiveBigIntegerField("ファイルサイズ（バイト）", default=0)
    file_sha256 = models.CharField("ファイルのSHA-256", max_length=64, blank=True)
    listed_as_of = models.DateField("名簿の時点", null=True, blank=True)
    status = models.CharField("状態", max_length=12, choices=Status.choices)
    row_count = models.PositiveIntegerField("データ行数", default=0)
    facility_count = models.PositiveIntegerField("医療機関数（医科）", default=0)
    skipped_row_count = models.PositiveIntegerField("対象外の行数（歯科・薬局）", default=0)
    new_count = models.PositiveIntegerField("新規", default=0)
    changed_count = models.PositiveIntegerField("変更", default=0)
    unchanged_count = models.PositiveIntegerField("変更なし", default=0)
    missing_count = models.PositiveIntegerField("名簿から消えた医療機関", default=0)
    check_digit_failures = models.PositiveIntegerField("検証番号の不一致", default=0)
    check_digit_acknowledged = models.BooleanField("検証番号の不一致を確認して取込", default=False)
    error_count = models.PositiveIntegerField("エラー件数", default=0)
    warning_count = models.PositiveIntegerField("要確認の件数", default=0)
    sheet_name = models.CharField("読み込んだシート", max_length=255, blank=True)
    header_row = models.PositiveIntegerField("見出しの行", null=True, blank=True)
    held_row_count = models.PositiveIntegerField("取り込まない行数", default=0)
    held_facility_count = models.PositiveIntegerField("更新しない医療機関数", default=0)
    unidentified_row_count = models.PositiveIntegerField(
        "医療機関を特定できない取り込まない行数", default=0
    )
    applied_rows = models.CharField(
        "反映した行", max_length=16, choices=AppliedRows.choices, blank=True
    )
    problems = models.JSONField("問題の一覧", default=list, blank=True)
    changes_sample = models.JSONField("変更内容（先頭）", default=list, blank=True)
    parsed = models.BinaryField("解析済みデータ（圧縮）", null=True, blank=True, editable=False)
    held = models.BinaryField("取り込まない行（圧縮）", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "医療機関名簿の取込"
        verbose_name_plural = "医療機関名簿の取込"

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if p.get("severity") == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if p.get("severity") == "warning"]
