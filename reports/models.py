from django.conf import settings
from django.db import models


class BatchJob(models.Model):
    """A document batch (all decision notices of a year, a dossier) made outside the web
    request. The worker records progress per item, so the page and the terminal both show
    how far it is, and the result is kept for download."""

    class Kind(models.TextChoices):
        DECISION_NOTICES = "decision_notices", "交付決定通知書（年度一括）"
        DOSSIER = "dossier", "監査用一式（拠点・年度）"

    class Status(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "作成中"
        DONE = "done", "完了"
        FAILED = "failed", "失敗"

    kind = models.CharField("種類", max_length=40, choices=Kind.choices)
    params = models.JSONField("条件", default=dict)
    label = models.CharField("内容", max_length=200)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default="queued")
    total = models.PositiveIntegerField("件数", default=0)
    done = models.PositiveIntegerField("作成済み", default=0)
    message = models.TextField("メッセージ", blank=True)
    result = models.FileField("成果物", upload_to="batches/", blank=True)
    result_name = models.CharField("ファイル名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="依頼者", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "一括作成"
        verbose_name_plural = "一括作成"

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return round(self.done * 100 / self.total)


class BatchPart(models.Model):
    """A few documents of a batch, made by one task (reports/batches.py): the parts of a job
    are shared by every worker, and the last part to finish has the ZIP assembled."""

    class Status(models.TextChoices):
        PENDING = "pending", "作成待ち"
        DONE = "done", "作成済み"
        FAILED = "failed", "失敗"

    job = models.ForeignKey(BatchJob, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField("番号")
    items = models.JSONField("書類", default=list)  # [[index in the job's list, path in the ZIP]]
    status = models.CharField("状態", max_length=10, choices=Status.choices, default="pending")
    made = models.PositiveIntegerField("作成済み", default=0)
    skipped = models.PositiveIntegerField("制限時間で省略", default=0)
    missing = models.JSONField("作成できなかった書類", default=list)
    result = models.FileField("作成した書類", upload_to="batches/parts/", blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="batch_part_number_unique")
        ]
        verbose_name = "一括作成の分担"
        verbose_name_plural = "一括作成の分担"

    def __str__(self) -> str:
        return f"{self.job} {self.number}"


class TaskWorker(models.Model):
    """A running `manage.py task_worker` (reports/workers.py): its heartbeat tells the other
    workers it is alive, so only the tasks of a worker that died are taken again."""

    worker_id = models.CharField("ワーカーID", max_length=64, primary_key=True)
    host = models.CharField("ホスト", max_length=200)
    pid = models.PositiveIntegerField("プロセスID")
    started_at = models.DateTimeField("開始日時")
    seen_at = models.DateTimeField("最終確認日時", db_index=True)

    class Meta:
        verbose_name = "タスクワーカー"
        verbose_name_plural = "タスクワーカー"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
