"""保健所の助言 on a results report (issue 20): the ReportAdvice model and ADVISABLE_STATES,
the report states in which a health center may advise. Split out of models.py; the model is
still the app "subsidies"'s (Meta.app_label) and listed in subsidies/models/__init__.py."""

from django.conf import settings
from django.db import models

from subsidies.results.models import ResultReport, ResultReportStatus
from zaitaku_portal import bounds

# A report the health center may advise on: handed in, not yet confirmed (issue 20).
ADVISABLE_STATES = frozenset(
    {
        ResultReportStatus.SUBMITTED,
        ResultReportStatus.UNDER_REVIEW,
        ResultReportStatus.RETURNED,
        ResultReportStatus.RESUBMITTED,
        ResultReportStatus.AWAITING_APPROVAL,
    }
)


class ReportAdvice(models.Model):
    """保健所の助言 on a results report (issue 20), as ApplicationComment of kind "advice" is
    on a plan: written by a health center of the hub's area once the report is handed in,
    read by the coordinator and the prefecture on the report's page. Kept as written (an
    advice is not edited; a second thought is a new one)."""

    report = models.ForeignKey(
        ResultReport, verbose_name="実績報告", on_delete=models.CASCADE, related_name="advice"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記入者", on_delete=models.PROTECT
    )
    body = models.TextField("助言の内容", max_length=bounds.TEXT)
    created_at = models.DateTimeField("記入日時", auto_now_add=True)

    class Meta:
        app_label = "subsidies"
        ordering = ["report", "created_at", "pk"]
        verbose_name = "実績報告への保健所の助言"
        verbose_name_plural = "実績報告への保健所の助言"

    def __str__(self) -> str:
        return f"保健所の助言 {self.created_at:%Y-%m-%d}"
