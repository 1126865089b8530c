"""The intention survey (意向調査, seed 004 資料4-①②③) of a fiscal year, before caps and
budget are fixed: staff open it for a period; each hub answers, per menu of the year's
catalogue, its wish (○), planned actions and start year (R8〜/R9〜/R10〜) for its own menus
(4-①), the number of hospitals of its area wishing to apply for the hospital menus (4-②),
and its meeting structure (4-③)."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from zaitaku_portal import bounds


class Survey(models.Model):
    fiscal_year = models.OneToOneField(
        "subsidies.FiscalYear", verbose_name="年度", on_delete=models.PROTECT, related_name="survey"
    )
    opens_on = models.DateField("回答の受付開始日")
    closes_on = models.DateField("回答の締切日")
    closed_at = models.DateTimeField("締め切った日時", null=True, blank=True)
    applications_opened_at = models.DateTimeField("申請の受付を始めた日時", null=True, blank=True)
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新した職員",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "意向調査"
        verbose_name_plural = "意向調査"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} 意向調査"

    def is_open(self, today: datetime.date) -> bool:
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    def state_label(self, today: datetime.date) -> str:
        if self.is_open(today):
            return "受付中"
        if self.closed_at is None and today < self.opens_on:
            return "受付前"
        return "締切済み"


class SurveyAnswer(models.Model):
    """One hub's answer; its menus are SurveyLine rows (one per menu answered)."""

    survey = models.ForeignKey(
        Survey, verbose_name="意向調査", on_delete=models.CASCADE, related_name="answers"
    )
    hub = models.ForeignKey(
        "hubs.Hub", verbose_name="拠点", on_delete=models.PROTECT, related_name="survey_answers"
    )
    district_policy = models.TextField("区割りの考え方", blank=True, max_length=bounds.SHORT_TEXT)
    meeting_body_count = models.PositiveSmallIntegerField(
        "会議体の設置数", null=True, blank=True, validators=[MaxValueValidator(99)]
    )
    meeting_members = models.TextField("会議体の参加者", blank=True, max_length=bounds.SHORT_TEXT)
    meeting_image = models.TextField("会議体のイメージ", blank=True, max_length=bounds.TEXT)
    other_actions = models.TextField("その他取り組み事項", blank=True, max_length=bounds.TEXT)
    other_actions_start_year = models.PositiveSmallIntegerField(
        "その他取り組み事項の開始年度", null=True, blank=True
    )
    hospital_other_actions = models.TextField(
        "積極的医療機関のその他取り組み事項", blank=True, max_length=bounds.TEXT
    )
    version = models.PositiveIntegerField("版", default=1)
    answered_at = models.DateTimeField("回答日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新者",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "意向調査の回答"
        verbose_name_plural = "意向調査の回答"
        constraints = [
            models.UniqueConstraint(fields=["survey", "hub"], name="one_survey_answer_per_hub")
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.hub}"


class SurveyLine(models.Model):
    answer = models.ForeignKey(
        SurveyAnswer, verbose_name="回答", on_delete=models.CASCADE, related_name="lines"
    )
    menu = models.ForeignKey(
        "subsidies.SubsidyMenu",
        verbose_name="補助メニュー",
        on_delete=models.PROTECT,
        related_name="+",
    )
    wish = models.BooleanField("補助の希望", default=False)
    planned_actions = models.TextField("取り組み事項", blank=True, max_length=bounds.TEXT)
    start_year = models.PositiveSmallIntegerField("開始年度", null=True, blank=True)
    hospital_count = models.PositiveSmallIntegerField(
        "補助希望の医療機関数", null=True, blank=True, validators=[MaxValueValidator(999)]
    )

    class Meta:
        verbose_name = "意向調査の回答（メニュー）"
        verbose_name_plural = "意向調査の回答（メニュー）"
        constraints = [
            models.UniqueConstraint(fields=["answer", "menu"], name="one_survey_line_per_menu")
        ]

    def __str__(self) -> str:
        return f"{self.answer} {self.menu.name}"
