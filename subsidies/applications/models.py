"""交付申請 (事業計画書): a hub's plan for one fiscal year, its review and its decision.

The workflow (which action moves which state, who may, and why not) is declared in
subsidies/applications/workflow.py; services in subsidies/applications/services.py are the
only writers.
Every write bumps `version` so two people acting at once cannot overwrite each other
(docs/adr/0004-applications-workflow.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from subsidies.shared.records import FrozenVersion, SupersedingQuerySet, WrittenOnce
from zaitaku_portal import bounds


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "下書き"
    SUBMITTED = "submitted", "提出済み"
    UNDER_REVIEW = "under_review", "審査中"
    RETURNED = "returned", "差戻し中"
    RESUBMITTED = "resubmitted", "再提出済み"
    AWAITING_APPROVAL = "awaiting_approval", "決裁待ち"
    DECIDED = "decided", "交付決定済み"
    REJECTED = "rejected", "不交付"
    WITHDRAWN = "withdrawn", "取下げ"
    DISCONTINUED = "discontinued", "中止・廃止"


class ReturnReason(models.TextChoices):
    MISSING = "missing", "記載漏れ・添付書類の不足"
    OVER_CAP = "over_cap", "上限額・対象経費の誤り"
    INELIGIBLE = "ineligible", "補助対象外の経費（他の補助金・推進事業で実施）"
    INCONSISTENT = "inconsistent", "計画と経費の内容が整合しない"
    OTHER = "other", "その他"


class Application(models.Model):
    hub = models.ForeignKey(
        "hubs.Hub", verbose_name="拠点", on_delete=models.PROTECT, related_name="applications"
    )
    fiscal_year = models.ForeignKey(
        "subsidies.FiscalYear",
        verbose_name="年度",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # Issue 18: in a year whose hospitals apply themselves (FiscalYear.hospitals_apply) an
    # active hospital is the grantee of its own application; `hub` is then the hub of its
    # area, which follows its status but does not act on it. Blank: the hub's application.
    institution = models.ForeignKey(
        "hospitals.MedicalInstitution",
        verbose_name="申請者（積極的医療機関）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    status = models.CharField(
        "状態", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    version = models.PositiveIntegerField("更新番号", default=1)
    is_change_request = models.BooleanField("変更承認申請", default=False)
    # form 4-③: meeting structure
    district_policy = models.TextField("区割りの考え方", blank=True, max_length=bounds.SHORT_TEXT)
    district_count = models.PositiveSmallIntegerField(
        "区割り数",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(bounds.DISTRICTS_MAX)],
    )
    meeting_body_count = models.PositiveSmallIntegerField(
        "会議体の数",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.MEETINGS_MAX)],
    )
    meeting_members = models.TextField("会議体の構成員", blank=True, max_length=bounds.SHORT_TEXT)
    planned_meetings = models.PositiveSmallIntegerField(
        "多職種連携会議の開催予定回数（年）",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.MEETINGS_MAX)],
        help_text="進捗ダッシュボードで開催回数と比べます（国の目安は年4回以上）。",
    )
    # seed 004: the actions outside the menus, with their own start year, for the hub (4-①)
    # and for the area's active hospitals (4-②). No money of their own: a catalogue that
    # funds such an action gives it a menu, and it is then a plan line like the others.
    other_actions = models.TextField("その他取り組み事項", blank=True, max_length=bounds.TEXT)
    other_actions_start_year = models.PositiveSmallIntegerField(
        "その他取り組み事項の開始年度（西暦）",
        null=True,
        blank=True,
        validators=[MinValueValidator(bounds.YEAR_MIN), MaxValueValidator(bounds.YEAR_MAX)],
    )
    hospital_other_actions = models.TextField(
        "積極的医療機関のその他取り組み事項", blank=True, max_length=bounds.TEXT
    )
    hospital_other_actions_start_year = models.PositiveSmallIntegerField(
        "積極的医療機関のその他取り組み事項の開始年度（西暦）",
        null=True,
        blank=True,
        validators=[MinValueValidator(bounds.YEAR_MIN), MaxValueValidator(bounds.YEAR_MAX)],
    )
    return_reason_code = models.CharField(
        "差戻し理由", max_length=20, choices=ReturnReason.choices, blank=True
    )
    return_reason_text = models.TextField("差戻しの内容", blank=True, max_length=bounds.TEXT)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    # 変更承認申請の理由 (issue 15): asked when the change request is made; frozen into
    # the version submitted, which the 変更承認申請書 prints
    change_reason = models.TextField("変更の理由", blank=True, max_length=bounds.TEXT)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "hub"]
        verbose_name = "交付申請"
        verbose_name_plural = "交付申請"
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "fiscal_year"],
                condition=models.Q(institution__isnull=True),
                name="one_application_per_hub_and_year",
                violation_error_message="この拠点のこの年度の申請は既にあります。",
            ),
            models.UniqueConstraint(
                fields=["institution", "fiscal_year"],
                condition=models.Q(institution__isnull=False),
                name="one_application_per_hospital_and_year",
                violation_error_message="この医療機関のこの年度の申請は既にあります。",
            ),
        ]

    def __str__(self) -> str:
        kind = "変更承認申請" if self.is_change_request else "交付申請"
        return f"{self.recipient}｜{self.fiscal_year}{kind}"

    @property
    def is_hospital_application(self) -> bool:
        return self.institution_id is not None

    @property
    def recipient(self):
        """The grantee (交付申請者): the hospital of a hospital's own application, else the
        hub. Its `addressee` and `name` are what the documents print."""
        return self.institution if self.institution_id else self.hub

    @property
    def current_decision(self):
        return self.decisions.order_by("-number").first()


class MenuPlan(models.Model):
    """One line of the plan: a menu for the hub itself, or for one active hospital."""

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="lines"
    )
    menu = models.ForeignKey(
        "subsidies.SubsidyMenu", verbose_name="補助メニュー", on_delete=models.PROTECT
    )
    designation = models.ForeignKey(
        "hospitals.ActiveHospitalDesignation",
        verbose_name="積極的医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    wish = models.BooleanField("補助の希望", default=False)
    planned_actions = models.TextField("取り組み事項", blank=True, max_length=bounds.TEXT)
    start_year = models.PositiveSmallIntegerField(
        "開始年度（西暦）",
        null=True,
        blank=True,
        validators=[MinValueValidator(bounds.YEAR_MIN), MaxValueValidator(bounds.YEAR_MAX)],
    )
    trainees = models.PositiveIntegerField(
        "受講者数", null=True, blank=True, validators=[MaxValueValidator(bounds.PEOPLE_MAX)]
    )
    half_days = models.PositiveIntegerField(
        "半日数", null=True, blank=True, validators=[MaxValueValidator(bounds.HALF_DAYS_MAX)]
    )
    months = models.PositiveIntegerField(
        "月数", null=True, blank=True, validators=[MaxValueValidator(bounds.MONTHS_MAX)]
    )
    other_income = models.PositiveBigIntegerField(
        "寄付金その他の収入（円）", default=0, validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    expenses = models.JSONField(
        "費目別の予定経費（円）", default=dict, blank=True, help_text="{費目コード: 円}"
    )
    # Issue 18: who last wrote the line (a hospital's own contact, or the hub's coordinator
    # on its behalf); shown beside a hospital's lines.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="入力者",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["application", "designation", "menu__display_order"]
        verbose_name = "事業計画の行"
        verbose_name_plural = "事業計画の行"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "menu"],
                condition=models.Q(designation__isnull=True),
                name="one_hub_line_per_menu",
            ),
            models.UniqueConstraint(
                fields=["application", "menu", "designation"],
                condition=models.Q(designation__isnull=False),
                name="one_hospital_line_per_menu",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.menu}（{self.designation.institution if self.designation else '拠点'}）"

    @property
    def expense_total(self) -> int:
        return sum(int(v) for v in self.expenses.values())


class ApplicationVersion(FrozenVersion):
    """The plan exactly as it was submitted (frozen: never updated)."""

    frozen_message = "提出された版は変更できません。"
    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        ordering = ["application", "number"]
        verbose_name = "申請の版"
        verbose_name_plural = "申請の版"
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="one_version_number")
        ]


class DecisionQuerySet(SupersedingQuerySet):
    def current(self):
        """The decisions in force: nothing supersedes them and their application was not
        withdrawn (取下げ) or discontinued (中止・廃止): such a decision lapsed, and every total
        of decided money (dashboards, budget, claims) reads this (issue 15)."""
        lapsed = [ApplicationStatus.WITHDRAWN, ApplicationStatus.DISCONTINUED]
        return super().current().exclude(application__status__in=lapsed)


class Decision(WrittenOnce):
    """交付決定. Never changed: an approved change request adds a new one that supersedes it."""

    frozen_message = "交付決定は変更できません。変更承認申請で新しい決定を行ってください。"
    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveIntegerField("回次")
    version = models.ForeignKey(
        ApplicationVersion, verbose_name="決定した版", on_delete=models.PROTECT
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="変更前の交付決定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    notice_number = models.CharField("通知番号", max_length=40)
    notice_date = models.DateField("通知日")
    total_amount = models.PositiveBigIntegerField("交付決定額（円）")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="決定者", on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField("決定日時", auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["application", "number"]
        verbose_name = "交付決定"
        verbose_name_plural = "交付決定"
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="one_decision_number"),
            # One number, one notice: a change decision has its own (subsidies/notice_numbers.py).
            models.UniqueConstraint(
                fields=["notice_number"], name="one_decision_per_notice_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_number}（{self.application}）"


class DecisionLine(models.Model):
    decision = models.ForeignKey(
        Decision, verbose_name="交付決定", on_delete=models.PROTECT, related_name="lines"
    )
    menu = models.ForeignKey(
        "subsidies.SubsidyMenu", verbose_name="補助メニュー", on_delete=models.PROTECT
    )
    designation = models.ForeignKey(
        "hospitals.ActiveHospitalDesignation",
        verbose_name="積極的医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    recipient_name = models.CharField("補助事業者", max_length=200)
    computed_amount = models.PositiveBigIntegerField("計算額（円）")
    decided_amount = models.PositiveBigIntegerField("交付決定額（円）")
    reason = models.TextField("減額の理由", blank=True, max_length=bounds.SHORT_TEXT)

    class Meta:
        ordering = ["decision", "pk"]
        verbose_name = "交付決定の内訳"
        verbose_name_plural = "交付決定の内訳"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_amount__lte=models.F("computed_amount")),
                name="decided_at_most_computed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.menu}"


class ApplicationComment(models.Model):
    class Kind(models.TextChoices):
        ADVICE = "advice", "保健所の助言"
        STAFF = "staff", "県からの連絡"
        COORDINATOR = "coordinator", "拠点からの連絡"

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="comments"
    )
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記入者", on_delete=models.PROTECT
    )
    body = models.TextField("内容", max_length=bounds.TEXT)
    created_at = models.DateTimeField("記入日時", auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        verbose_name = "申請へのコメント"
        verbose_name_plural = "申請へのコメント"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


def attachment_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class ApplicationAttachment(models.Model):
    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("ファイル", upload_to=attachment_path)
    original_name = models.CharField("ファイル名", max_length=200)
    size = models.PositiveIntegerField("サイズ（バイト）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["application", "uploaded_at", "pk"]
        verbose_name = "添付書類"
        verbose_name_plural = "添付書類"

    def __str__(self) -> str:
        return self.original_name


class DeadlineReminder(models.Model):
    """One reminder e-mail per hub, fiscal year, deadline and stage, so the daily cron
    never sends the same reminder twice."""

    hub = models.ForeignKey("hubs.Hub", verbose_name="拠点", on_delete=models.CASCADE)
    fiscal_year = models.ForeignKey(
        "subsidies.FiscalYear", verbose_name="年度", on_delete=models.CASCADE
    )
    deadline = models.CharField("締切", max_length=20)
    stage = models.CharField("段階", max_length=20)
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        verbose_name = "締切の通知"
        verbose_name_plural = "締切の通知"
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "fiscal_year", "deadline", "stage"], name="one_reminder_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hub} {self.deadline} {self.stage}"


class Withdrawal(models.Model):
    """取下げ (issue 15): before the decision (the application ends 取下げ, a pending draft of a
    decision lapses) or after it (取下げ届 within the year's withdrawal_days: the decision
    named here lapses). Written once by the workflow row (subsidies/applications/
    withdrawals.py); a change request withdrawn is kept too (the application stays decided)."""

    class Kind(models.TextChoices):
        BEFORE_DECISION = "before", "交付決定前の取下げ"
        AFTER_DECISION = "after", "交付決定後の取下げ（取下げ届）"
        CHANGE_REQUEST = "change", "変更承認申請の取下げ"

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.PROTECT, related_name="withdrawals"
    )
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    reason = models.TextField("取下げの理由", max_length=bounds.TEXT)
    withdrawn_on = models.DateField("取下げ日")
    lapsed_decision = models.ForeignKey(
        Decision,
        verbose_name="効力を失った交付決定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawals",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="届出者", on_delete=models.PROTECT
    )
    filed_at = models.DateTimeField("届出日時", auto_now_add=True)

    class Meta:
        ordering = ["application", "filed_at"]
        verbose_name = "取下げ"
        verbose_name_plural = "取下げ"

    def __str__(self) -> str:
        return f"{self.application}の{self.get_kind_display()}"


class DiscontinuationRequest(models.Model):
    """中止・廃止承認申請 (issue 15): filed by the hub for a decided application, approved by
    staff (the application becomes 中止・廃止) or refused with a reason (it stays decided)."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", "中止"
        ABOLISH = "abolish", "廃止"

    class State(models.TextChoices):
        PENDING = "pending", "審査中"
        APPROVED = "approved", "承認"
        REFUSED = "refused", "不承認"

    application = models.ForeignKey(
        Application,
        verbose_name="申請",
        on_delete=models.PROTECT,
        related_name="discontinuations",
    )
    kind = models.CharField("中止・廃止の別", max_length=10, choices=Kind.choices)
    reason = models.TextField("中止・廃止の理由", max_length=bounds.TEXT)
    effective_from = models.DateField("中止・廃止の日")
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    decision = models.ForeignKey(
        Decision,
        verbose_name="対象の交付決定",
        on_delete=models.PROTECT,
        related_name="discontinuations",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申請者",
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField("申請日時", auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承認・不承認をした職員",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_on = models.DateField("承認・不承認の日", null=True, blank=True)
    refusal_reason = models.TextField("不承認の理由", blank=True, max_length=bounds.TEXT)
    notice_number = models.CharField("通知番号", max_length=40, blank=True)

    class Meta:
        ordering = ["application", "filed_at"]
        verbose_name = "中止・廃止承認申請"
        verbose_name_plural = "中止・廃止承認申請"
        constraints = [
            models.UniqueConstraint(
                fields=["notice_number"],
                condition=~models.Q(notice_number=""),
                name="one_discontinuation_per_notice_number",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(state="pending"),
                name="one_pending_discontinuation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}の{self.get_kind_display()}承認申請"
