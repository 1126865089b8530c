"""実績報告 (what a decided application actually did and spent), 概算払 and 額の確定.

The report's workflow is declared in subsidies/results/workflow.py (each row with its
effect) and changed only through subsidies/results/services.py. Every write bumps `version`
(optimistic concurrency, as for applications). Submitted versions and confirmations are
frozen: save() refuses an update, and a correction is a new Confirmation that supersedes the
previous one."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from subsidies.shared.records import FrozenVersion, SupersedingQuerySet, WrittenOnce
from zaitaku_portal import bounds


class ResultReportStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    SUBMITTED = "submitted", "提出済み"
    UNDER_REVIEW = "under_review", "審査中"
    RETURNED = "returned", "差戻し中"
    RESUBMITTED = "resubmitted", "再提出済み"
    AWAITING_APPROVAL = "awaiting_approval", "決裁待ち"
    CONFIRMED = "confirmed", "額の確定済み"


NARRATIVE_FIELDS = {
    # seed 003 §5 (事業報告書に記載すべき事項), in its order
    "area_overview": "（1）地域の概要（人口・高齢化率・医療福祉資源の種類・規模・数）",
    "operator_overview": "（2）拠点を担った事業者の活動内容と体制",
    "operator_history": "（2）拠点を担った事業者の歴史（沿革）",
    "issues_and_solutions": "（3）ア③ 抽出された連携上の課題と解決策",
    "meeting_outcomes": "（3）ア④ 会合による成果と評価（アンケート結果・参加者の声等）",
    "twenty_four_hour_system": "（3）イ① 24時間対応の体制構築（課題・支援体制・成果と評価）",
    "information_sharing": "（3）イ② チーム医療のための情報共有（課題・方策・ツール・成果と評価）",
    "outreach_summary": "（3）ウ① アウトリーチ（課題・訪問先・活動・成果と評価）",
    "resource_optimisation": (
        "（3）ウ② 資源の最適化（不足する資源の代替資源の開拓・標準化ツールの導入・成果）"
    ),
    "awareness_summary": "（3）エ 地域住民への普及啓発（対象・内容・効果・今後の課題）",
    "workforce_development": "（3）オ 人材育成（具体的な内容と効果）",
    "disaster_response": "（3）カ 災害対応（災害発生時に備えた対応策の検討）",
    "coordinator_role": "（4）コーディネーター（看護師等・医療ソーシャルワーカー）の役割",
    "usefulness": "（5）連携拠点の有用性",
    "problems": "（6）課題や改善点",
    "other_notes": "（7）その他特筆すべき事項",
}
REQUIRED_NARRATIVE = ("issues_and_solutions", "coordinator_role", "usefulness", "problems")


def _narrative(name: str) -> models.TextField:
    """One item of seed 003 §5: up to 4,000 characters (minutes and summaries)."""
    return models.TextField(NARRATIVE_FIELDS[name], blank=True, max_length=bounds.LONG_TEXT)


def _yen(label: str, **kwargs) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(
        label, validators=[MaxValueValidator(bounds.YEN_MAX)], **kwargs
    )


class ResultReport(models.Model):
    application = models.OneToOneField(
        "subsidies.Application",
        verbose_name="交付申請",
        on_delete=models.PROTECT,
        related_name="result_report",
    )
    status = models.CharField(
        "状態", max_length=20, choices=ResultReportStatus.choices, default=ResultReportStatus.DRAFT
    )
    version = models.PositiveIntegerField("更新番号", default=1)
    consultation_hours_per_week = models.PositiveSmallIntegerField(
        "相談窓口の開設時間（週あたり時間）",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.HOURS_PER_WEEK_MAX)],
    )
    consultation_count = models.PositiveIntegerField(
        "相談件数", null=True, blank=True, validators=[MaxValueValidator(bounds.CASES_MAX)]
    )
    operator_staff_count = models.PositiveIntegerField(
        "拠点の職員数（人）",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.PEOPLE_MAX)],
    )
    area_overview = _narrative("area_overview")
    operator_overview = _narrative("operator_overview")
    operator_history = _narrative("operator_history")
    issues_and_solutions = _narrative("issues_and_solutions")
    meeting_outcomes = _narrative("meeting_outcomes")
    twenty_four_hour_system = _narrative("twenty_four_hour_system")
    information_sharing = _narrative("information_sharing")
    outreach_summary = _narrative("outreach_summary")
    resource_optimisation = _narrative("resource_optimisation")
    awareness_summary = _narrative("awareness_summary")
    workforce_development = _narrative("workforce_development")
    disaster_response = _narrative("disaster_response")
    coordinator_role = _narrative("coordinator_role")
    usefulness = _narrative("usefulness")
    problems = _narrative("problems")
    other_notes = _narrative("other_notes")
    return_reason = models.TextField("差戻しの理由", blank=True, max_length=bounds.TEXT)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["application"]
        verbose_name = "実績報告"
        verbose_name_plural = "実績報告"

    def __str__(self) -> str:
        return f"{self.application.recipient}｜{self.application.fiscal_year}実績報告"


class ExcludedSource(models.TextChoices):
    NONE = "", "なし"
    MUNICIPAL = "municipal", "市町村の在宅医療・介護連携推進事業"
    OTHER_SUBSIDY = "other_subsidy", "他の補助金"


class ResultExpense(models.Model):
    """Actual expenses of one decided menu of one recipient (the hub or a hospital)."""

    report = models.ForeignKey(
        ResultReport, verbose_name="実績報告", on_delete=models.CASCADE, related_name="expenses"
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
    expenses = models.JSONField(
        "費目別の実支出額（円）", default=dict, blank=True, help_text="{費目コード: 円}"
    )
    actual_expense_total = models.PositiveBigIntegerField(
        "実支出額の合計（円）",
        default=0,
        editable=False,
        help_text="費目別の合計。額の確定の一括計算でJSONを読まずに済むよう保存時に記録します。",
    )
    total_cost = _yen("総事業費（円）", default=0)
    other_income = _yen("寄附金その他の収入額（円）", default=0)
    excluded_amount = _yen("対象外とする額（円）", default=0)
    excluded_source = models.CharField(
        "対象外の財源", max_length=20, choices=ExcludedSource.choices, blank=True
    )
    excluded_reason = models.TextField("対象外とする理由", blank=True, max_length=bounds.SHORT_TEXT)
    not_carried_out = models.BooleanField(
        "未実施",
        default=False,
        help_text="交付決定されたが実施しなかったメニュー（理由を記入し、経費は0円）",
    )
    not_carried_out_reason = models.TextField(
        "未実施の理由", blank=True, max_length=bounds.SHORT_TEXT
    )

    class Meta:
        ordering = ["report", "designation", "menu__display_order"]
        verbose_name = "実支出額"
        verbose_name_plural = "実支出額"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "menu"],
                condition=models.Q(designation__isnull=True),
                name="one_hub_expense_per_menu",
            ),
            models.UniqueConstraint(
                fields=["report", "menu", "designation"],
                condition=models.Q(designation__isnull=False),
                name="one_hospital_expense_per_menu",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.menu}（{self.designation.institution if self.designation else '拠点'}）"

    def save(self, *args, **kwargs):
        self.actual_expense_total = self.actual_expense
        super().save(*args, **kwargs)

    @property
    def actual_expense(self) -> int:
        return sum(int(v) for v in self.expenses.values())


class ActivityKind(models.TextChoices):
    MEETING = "meeting", "多職種連携会議"
    TWENTY_FOUR_HOUR = "twenty_four_hour", "24時間体制の構築"
    INFORMATION_SHARING = "information_sharing", "情報共有（ICT等）"
    OUTREACH = "outreach", "関係機関への訪問・調整"
    TRAINING = "training", "研修"
    AWARENESS = "awareness", "普及啓発"
    ACCOMPANIED_VISIT = "accompanied_visit", "同行訪問研修"
    BCP = "bcp", "BCPの策定・策定支援"
    EQUIPMENT = "equipment", "備品・非常用電源の整備"
    NURSE_PLACEMENT = "nurse_placement", "退院調整看護師等の新規配置"
    # seed 003 §6: additions a hub is recommended to make
    EMERGENCY_BEDS = "emergency_beds", "緊急一時入院ベッドの確保・レスパイトサービス"
    NURSE_CALL_CENTRE = "nurse_call_centre", "訪問看護のコールセンター"
    ONE_STOP = "one_stop", "医療・介護のワンストップサービス"
    SUPPORT_OTHER_INSTITUTIONS = (
        "support_other_institutions",
        "他の医療機関の支援（医師不在時・夜間の診療支援）",
    )


class OutreachTarget(models.TextChoices):
    """seed 003 §4 3)ア ①〜⑥: where the outreach went."""

    NONE = "", "（選択しない）"
    COMMUNITY_CENTRE = "community_centre", "地域包括支援センター"
    CARE_OFFICE = "care_office", "居宅介護支援事業所等"
    HOSPITAL_DISCHARGE = "hospital_discharge", "医療機関（退院調整の支援）"
    WELFARE = "welfare", "福祉機関等"
    DENTAL = "dental", "在宅歯科医療連携室等"
    PHARMACY = "pharmacy", "拠点薬局"
    OTHER = "other", "その他"


class LeaderTraining(models.TextChoices):
    """seed 003 §4 5): the two leader trainings a hub's staff take part in."""

    NONE = "", "（リーダー研修ではない）"
    PREFECTURAL = "prefectural", "都道府県リーダー研修"
    AREA = "area", "地域リーダー研修"


class TrainingRole(models.TextChoices):
    NONE = "", "（選択しない）"
    ATTENDED = "attended", "受講した"
    LED = "led", "講師・主催として実施した"


class TraineeType(models.TextChoices):
    """seed 002 (5) 同行訪問研修の対象者."""

    NONE = "", "（選択しない）"
    DOCTORS = "doctors", "医師"
    DOCTORS_AND_STUDENTS = "doctors_and_students", "医師及び医学生"
    OTHER = "other", "その他"


class TrainingSite(models.TextChoices):
    """seed 002 (5) 同行訪問研修の研修先."""

    NONE = "", "（選択しない）"
    ACTIVE = "active", "積極的医療機関"
    OTHER = "other", "その他の医療機関"
    BOTH = "both", "積極的医療機関とその他の医療機関の両方"


def minutes_path(instance, filename: str) -> str:
    return f"results/{instance.report_id}/minutes/{filename}"


class Activity(models.Model):
    """One thing done during the year, under a requirement item (求められる事項).

    Participants are counted twice, by profession and by affiliation (seed 003 §5);
    both are {label: count}."""

    report = models.ForeignKey(
        ResultReport, verbose_name="実績報告", on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField("種別", max_length=30, choices=ActivityKind.choices)
    requirement_item = models.ForeignKey(
        "subsidies.RequirementItem",
        verbose_name="求められる事項",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    designation = models.ForeignKey(
        "hospitals.ActiveHospitalDesignation",
        verbose_name="実施した積極的医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    held_on = models.DateField("実施日", null=True, blank=True)
    title = models.CharField("名称・テーマ", max_length=200)
    meeting_kind = models.CharField("会議の種類", max_length=30, blank=True)
    topics = models.JSONField("議題", default=list, blank=True)
    audience = models.CharField("対象・訪問先", max_length=200, blank=True)
    participants_by_profession = models.JSONField("職種別の参加者数", default=dict, blank=True)
    participants_by_affiliation = models.JSONField("所属別の参加者数", default=dict, blank=True)
    attendance = models.PositiveIntegerField(
        "参加者数", null=True, blank=True, validators=[MaxValueValidator(bounds.PEOPLE_MAX)]
    )
    trainees = models.PositiveIntegerField(
        "受講者数", null=True, blank=True, validators=[MaxValueValidator(bounds.PEOPLE_MAX)]
    )
    half_days = models.PositiveIntegerField(
        "半日数", null=True, blank=True, validators=[MaxValueValidator(bounds.HALF_DAYS_MAX)]
    )
    count = models.PositiveIntegerField(
        "件数・人数", null=True, blank=True, validators=[MaxValueValidator(bounds.PEOPLE_MAX)]
    )
    months = models.PositiveIntegerField(
        "配置した月数",
        null=True,
        blank=True,
        validators=[MaxValueValidator(12)],
        help_text="看護師等の配置など月額の上限のメニューで、実際に配置した月数",
    )
    amount = _yen("金額（円）", null=True, blank=True)
    description = models.TextField("内容", blank=True, max_length=bounds.LONG_TEXT)
    with_administrators = models.BooleanField("行政担当官・関連施設の管理者が参加", default=False)
    outreach_target = models.CharField(
        "アウトリーチの訪問先", max_length=30, choices=OutreachTarget.choices, blank=True
    )
    leader_training = models.CharField(
        "リーダー研修", max_length=20, choices=LeaderTraining.choices, blank=True
    )
    training_role = models.CharField(
        "研修への関わり", max_length=20, choices=TrainingRole.choices, blank=True
    )
    trainee_type = models.CharField(
        "同行訪問研修の対象者", max_length=30, choices=TraineeType.choices, blank=True
    )
    training_site = models.CharField(
        "同行訪問研修の研修先", max_length=20, choices=TrainingSite.choices, blank=True
    )
    result = models.TextField(
        "結果・成果・評価（アンケート結果・参加者の声・効果）",
        blank=True,
        max_length=bounds.LONG_TEXT,
    )
    minutes = models.FileField("議事録", upload_to=minutes_path, blank=True)
    minutes_name = models.CharField("議事録のファイル名", max_length=200, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["report", "kind", "held_on", "pk"]
        verbose_name = "活動実績"
        verbose_name_plural = "活動実績"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def participant_total(self) -> int:
        return sum(int(v) for v in self.participants_by_profession.values())


class EquipmentItem(models.TextChoices):
    """seed 003 §4 6)(3) 災害時の在宅医療に必要な備品."""

    AED = "aed", "自動体外式除細動器（AED）"
    SUCTION = "suction", "携帯用吸引器（足踏み式含む）"
    STRETCHER = "stretcher", "担架"
    RESUSCITATION_BAG = "resuscitation_bag", "蘇生バッグ"
    SATELLITE_PHONE = "satellite_phone", "衛星電話"
    TRANSCEIVER = "transceiver", "トランシーバー"
    RADIO_CLOCK = "radio_clock", "電波時計"
    PORTABLE_RADIO = "portable_radio", "携帯ラジオ"
    OTHER = "other", "その他"


class DisasterEquipment(models.Model):
    """One kind of disaster equipment bought in the year: quantity and cost."""

    report = models.ForeignKey(
        ResultReport, verbose_name="実績報告", on_delete=models.CASCADE, related_name="equipment"
    )
    item = models.CharField("備品", max_length=30, choices=EquipmentItem.choices)
    other_name = models.CharField("備品名（その他の場合）", max_length=100, blank=True)
    quantity = models.PositiveIntegerField(
        "数量", validators=[MaxValueValidator(bounds.PEOPLE_MAX)]
    )
    cost = _yen("購入費（円）")
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = "災害時の備品"
        verbose_name_plural = "災害時の備品"

    def __str__(self) -> str:
        return f"{self.name} {self.quantity}点"

    @property
    def name(self) -> str:
        if self.item == EquipmentItem.OTHER and self.other_name:
            return f"その他（{self.other_name}）"
        return self.get_item_display()


def receipt_path(instance, filename: str) -> str:
    return f"results/{instance.expense.report_id}/receipts/{filename}"


class ExpenseReceipt(models.Model):
    """領収書等: a file kept with one expense line, stored through the default storage."""

    expense = models.ForeignKey(
        ResultExpense, verbose_name="実支出額", on_delete=models.CASCADE, related_name="receipts"
    )
    file = models.FileField("ファイル", upload_to=receipt_path)
    original_name = models.CharField("ファイル名", max_length=200)
    size = models.PositiveBigIntegerField("サイズ（バイト）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["expense", "pk"]
        verbose_name = "領収書等"
        verbose_name_plural = "領収書等"

    def __str__(self) -> str:
        return self.original_name


class ResultReportVersion(FrozenVersion):
    """The report exactly as it was submitted (frozen: never updated)."""

    frozen_message = "提出された実績報告の版は変更できません。"
    report = models.ForeignKey(
        ResultReport, verbose_name="実績報告", on_delete=models.CASCADE, related_name="versions"
    )

    class Meta:
        ordering = ["report", "number"]
        verbose_name = "実績報告の版"
        verbose_name_plural = "実績報告の版"
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="one_result_version_number")
        ]


class AdvancePayment(models.Model):
    """概算払: money paid to one recipient before 額の確定 (I 受入額 of the 精算額調)."""

    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name="交付申請",
        on_delete=models.PROTECT,
        related_name="advance_payments",
    )
    designation = models.ForeignKey(
        "hospitals.ActiveHospitalDesignation",
        verbose_name="積極的医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="空欄は拠点への支払い",
    )
    amount = models.PositiveBigIntegerField("支払額（円）")
    paid_on = models.DateField("支払日")
    note = models.CharField("備考", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["application", "paid_on", "pk"]
        verbose_name = "概算払"
        verbose_name_plural = "概算払"

    def __str__(self) -> str:
        return f"概算払 {self.amount:,}円（{self.paid_on}）"


class Confirmation(WrittenOnce):
    """額の確定. Never changed: a correction adds a new one that supersedes it.

    `snapshot` keeps the whole 精算額調 (every step with its formula) as it was confirmed,
    so the page, the xlsx and the notice print the same figures years later."""

    frozen_message = "確定した額は変更できません。訂正は新しい額の確定で行ってください。"

    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name="交付申請",
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    report_version = models.ForeignKey(
        ResultReportVersion, verbose_name="確定した実績報告の版", on_delete=models.PROTECT
    )
    decision = models.ForeignKey(
        "subsidies.Decision", verbose_name="交付決定", on_delete=models.PROTECT
    )
    number = models.PositiveIntegerField("回次")
    supersedes = models.OneToOneField(
        "self",
        verbose_name="訂正前の額の確定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    notice_number = models.CharField("通知番号", max_length=40, unique=True)
    notice_date = models.DateField("通知日")
    total_amount = models.PositiveBigIntegerField("確定額（円）")
    decided_total = models.PositiveBigIntegerField("交付決定額（円）")
    advance_total = models.PositiveBigIntegerField("受入額（円）")
    difference = models.BigIntegerField("差引過不足額（円）")
    reason = models.TextField("訂正の理由", blank=True, max_length=bounds.TEXT)
    snapshot = models.JSONField("精算額調")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="確定者", on_delete=models.PROTECT
    )
    confirmed_at = models.DateTimeField("確定日時", auto_now_add=True)

    objects = SupersedingQuerySet.as_manager()

    class Meta:
        ordering = ["application", "number"]
        verbose_name = "額の確定"
        verbose_name_plural = "額の確定"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="one_confirmation_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_number}（{self.application}）"


class ConfirmationRecipient(WrittenOnce):
    """One recipient's row of the 精算額調 (A–J), for lists, exports and accounting."""

    frozen_message = "確定した額は変更できません。"

    confirmation = models.ForeignKey(
        Confirmation, verbose_name="額の確定", on_delete=models.PROTECT, related_name="recipients"
    )
    designation = models.ForeignKey(
        "hospitals.ActiveHospitalDesignation",
        verbose_name="積極的医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    recipient_name = models.CharField("補助事業者", max_length=200)
    total_cost = models.PositiveBigIntegerField("A 総事業費")
    other_income = models.PositiveBigIntegerField("B 寄附金その他の収入額")
    net_cost = models.PositiveBigIntegerField("C 差引額")
    eligible_expense = models.PositiveBigIntegerField("D 対象経費の実支出額")
    base_amount = models.PositiveBigIntegerField("E 基準額")
    capped_expense = models.PositiveBigIntegerField("F 選定額")
    required_amount = models.PositiveBigIntegerField("G 補助所要額")
    decided_amount = models.PositiveBigIntegerField("H 交付決定額")
    advance_received = models.PositiveBigIntegerField("I 受入額")
    difference = models.BigIntegerField("J 差引過不足額")

    class Meta:
        ordering = ["confirmation", "designation", "pk"]
        verbose_name = "額の確定（補助事業者別）"
        verbose_name_plural = "額の確定（補助事業者別）"

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.required_amount:,}円"
