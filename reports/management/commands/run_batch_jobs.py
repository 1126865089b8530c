import datetime
import time

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from reports.batches import claim_job, iterate_job
from reports.models import BatchJob


def stale_before() -> datetime.datetime:
    """A running job untouched this long lost its worker (killed) and is taken again."""
    return timezone.now() - datetime.timedelta(minutes=10)


class Command(BaseCommand):
    help = "一括作成（交付決定通知書など）を実行し、進捗を表示します。"

    def add_arguments(self, parser):
        parser.add_argument("--job", type=int, help="この番号の依頼だけを実行します。")
        parser.add_argument(
            "--loop", action="store_true", help="待機中の依頼を待ち続けます（常駐ワーカー）。"
        )

    def handle(self, *args, job=None, loop=False, **options):
        while True:
            queued = (
                [job]
                if job
                else list(
                    BatchJob.objects.filter(
                        Q(status=BatchJob.Status.QUEUED)
                        | Q(status=BatchJob.Status.RUNNING, started_at__lt=stale_before())
                    ).values_list("pk", flat=True)
                )
            )
            for job_id in queued:
                self.run_one(job_id)
            if not loop or job:
                return
            time.sleep(2)

    def run_one(self, job_id: int) -> None:
        claimed = claim_job(job_id)
        if claimed is None:
            self.stdout.write(f"依頼 {job_id} は実行済みか存在しません。")
            return
        self.stdout.write(f"依頼 {job_id}: {claimed.label}")
        for progress in iterate_job(claimed):
            if progress.status == BatchJob.Status.DONE:
                self.stdout.write(f"  完了: {progress.total}件 → {progress.result.name}")
            else:
                self.stdout.write(f"  {progress.done}/{progress.total}件")
