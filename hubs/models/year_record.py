"""What a hub plans for a fiscal year beyond its application, and the prefecture's meetings
its coordinators attend: the indicators seed 002 counts per ward that no other record holds.

Held meetings, trainings, lectures and accompanied visits are the results report's
activities (subsidies.results); the planned number of multi-profession meetings is the
application's (form 4-③). What remains is recorded here by the hub's coordinators or staff:
training and public lectures planned, the meeting with administrators and facility heads
planned (seed 003 §4 1)ア), meetings with active hospitals planned (seed 002 (4)(イ): 3, 4, 8,
10回以上), accompanied-visit training planned, for whom and where (seed 002 (5)), and the
coordinator briefings and exchange meetings (seed 002 Ⅲ(2)) with their date and attendance."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zaitaku_portal import bounds

from .area import YEAR_MAX, YEAR_MIN


class PlanChoice(models.TextChoices):
    PLANNED = "planned", "予定あり"
    NOT_PLANNED = "not_planned", "予定なし"


class AccompaniedTrainees(models.TextChoices):
    """seed 002 (5) ◎対象者."""

    DOCTORS = "doctors", "医師のみ"
    DOCTORS_AND_STUDENTS = "doctors_and_students", "医師と医学生"
    UNDECIDED = "undecided", "未定"


class AccompaniedSites(models.TextChoices):
    """seed 002 (5) ◎研修先."""

    ACTIVE_ONLY = "active_only", "積極的医療機関のみ"
    ACTIVE_AND_OTHER = "active_and_other", "積極的医療機関と他医療機関"
    OTHER_ONLY = "other_only", "他医療機関のみ"
    UNDECIDED = "undecided", "未定"


def _planned_count(label: str, help_text: str = ""):
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.MEETINGS_MAX)],
        help_text=help_text or "予定がなければ0。空欄は未登録として扱います。",
    )


class HubYearPlan(models.Model):
    """拠点の年間の取組予定: one row per hub and fiscal year."""

    hub = models.ForeignKey(
        "hubs.Hub", verbose_name="拠点", on_delete=models.CASCADE, related_name="year_plans"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        "年度（西暦）", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    planned_trainings = _planned_count("医療・介護関係者等向け研修会の開催予定回数")
    planned_lectures = _planned_count("地域住民への講演会・普及啓発の開催予定回数")
    administrators_meeting = models.CharField(
        "行政担当官・関連施設の管理者が参加する会合",
        max_length=12,
        choices=PlanChoice.choices,
        blank=True,
        help_text="手順書 §4 1)ア：年4回以上の会議のうち1回は必須です。",
    )
    planned_hospital_meetings = _planned_count(
        "積極的医療機関との連携会議の開催予定回数",
        "積極的医療機関と定期的に開く会議の年間の予定回数。予定がなければ0。",
    )
    accompanied_visit = models.CharField(
        "同行訪問研修（任意）", max_length=12, choices=PlanChoice.choices, blank=True
    )
    accompanied_trainees = models.CharField(
        "同行訪問研修の対象者", max_length=24, choices=AccompaniedTrainees.choices, blank=True
    )
    accompanied_sites = models.CharField(
        "同行訪問研修の研修先", max_length=20, choices=AccompaniedSites.choices, blank=True
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["hub", "-fiscal_year"]
        verbose_name = "拠点の年間の取組予定"
        verbose_name_plural = "拠点の年間の取組予定"
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "fiscal_year"],
                name="one_year_plan_per_hub_and_year",
                violation_error_message="この拠点のこの年度の予定は既に登録されています。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hub}（{self.fiscal_year}年度の予定）"


class CoordinatorMeetingKind(models.TextChoices):
    """seed 002 Ⅲ(2): what the prefecture holds for the hubs' coordinators."""

    BRIEFING = "briefing", "コーディネーター説明会"
    EXCHANGE = "exchange", "コーディネーター意見交換会"


class CoordinatorMeetingAttendance(models.Model):
    """How many of the hub's people attended one briefing or exchange meeting."""

    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name="拠点",
        on_delete=models.CASCADE,
        related_name="coordinator_meetings",
    )
    kind = models.CharField("種類", max_length=12, choices=CoordinatorMeetingKind.choices)
    held_on = models.DateField("開催日")
    venue = models.CharField(
        "会場・開催方法",
        max_length=100,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: Web開催、会場とWeb併用、〇〇市民会館",
    )
    attendees = models.PositiveSmallIntegerField(
        "参加者数（人）",
        validators=[MinValueValidator(1), MaxValueValidator(bounds.PEOPLE_MAX)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["hub", "held_on", "kind"]
        verbose_name = "説明会・意見交換会への参加"
        verbose_name_plural = "説明会・意見交換会への参加"
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "kind", "held_on"],
                name="one_attendance_per_hub_meeting",
                violation_error_message="この拠点のこの日の参加は既に登録されています。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.held_on:%Y-%m-%d}）{self.hub}"
