"""The official notices (交付決定通知書, 額の確定通知書) as plain data, then as PDF.

A notice is built from plain values so it can be rendered, tested and re-rendered byte for
byte without the ORM; the workflow passes it the decided or confirmed figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from reports.pdf import render_pdf
from subsidies.results.columns import ADVANCE_RECEIVED, CONFIRMED_AMOUNT_LABEL, DECIDED_AMOUNT
from zaitaku_portal.money import Settlement
from zaitaku_portal.wareki import fiscal_year_label, wareki_date

SUBSIDY_NAME = "在宅医療提供体制強化事業費補助金"
RETURN_PERIOD_DAYS = 20


@dataclass(frozen=True)
class NoticeLine:
    label: str
    amount: int

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("金額は整数（円）で指定してください。")


@dataclass(frozen=True)
class ExplainedRecipient:
    """One recipient's 精算額調 on the notice: its columns and the steps an auditor checks
    (C with its floor, C′ where C bounds the menus, G with the menu amounts it sums, the
    exclusions with their source, the units done, the menus refused and why)."""

    recipient_name: str
    columns: tuple[tuple[str, int | None], ...]
    steps: tuple[tuple[str, str, str], ...]  # (symbol, what, formula)


def explanation_of(snapshot: dict) -> tuple[ExplainedRecipient, ...]:
    """The notice's 別紙 from a confirmation's frozen 精算額調 (subsidies.results.claim)."""
    explained = []
    for r in snapshot.get("recipients", []):
        steps = [(s[0], s[1], s[3]) for s in r.get("steps", []) if s[0] in ("C", "C′", "G", "J")]
        for m in r.get("menus", []):
            for s in m.get("steps", []):
                if (
                    (s[0] == "D" and m.get("excluded"))
                    or (s[0] == "E" and "実績" in s[3])
                    or (s[0] == "C" and (m.get("A") or 0) < (m.get("B") or 0))
                ):
                    steps.append((s[0], f"{m['name']}（{s[1]}）", s[3]))
            if m.get("reason"):
                steps.append(("G", m["name"], f"{m['reason']}: 0円"))
        columns = tuple((letter, r["columns"].get(letter)) for letter in "ABCDEFGHIJ")
        explained.append(ExplainedRecipient(r["recipient_name"], columns, tuple(steps)))
    return tuple(explained)


@dataclass(frozen=True)
class Notice:
    title: str
    notice_number: str
    notice_date: datetime.date
    addressee_organisation: str
    addressee_title: str
    addressee_name: str
    lead: str
    amount_heading: str
    lines: tuple[NoticeLine, ...]
    settlement: tuple[tuple[str, int], ...] = ()
    conditions: tuple[str, ...] = ()
    footnote: str = ""
    # 額の確定通知書 only: the 精算額調 the amounts come from, per recipient (別紙)
    explanation: tuple[ExplainedRecipient, ...] = ()
    issuer_title: str = field(default_factory=lambda: settings.GOVERNOR_TITLE)
    issuer_name: str = field(default_factory=lambda: settings.GOVERNOR_NAME)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def decision_conditions(fiscal_year: int) -> tuple[str, ...]:
    return (
        "補助事業の内容を変更（軽微な変更を除く。）しようとするときは、あらかじめ変更承認申請書を"
        "提出し、知事の承認を受けること。",
        "補助事業を中止し、又は廃止しようとするときは、あらかじめ知事の承認を受けること。",
        "補助事業が完了したときは、完了の日から起算して30日を経過した日又は"
        f"{fiscal_year_label(fiscal_year + 1).removesuffix('年度')}年4月10日のいずれか早い日までに"
        "実績報告書を提出すること。",
        "在宅医療・介護連携推進事業（地域支援事業）その他の補助金等の対象となる経費は、"
        "この補助金の対象としないこと。",
        "補助事業に係る収入及び支出を明らかにした帳簿を備え、証拠書類とともに補助事業の完了の日の"
        "属する年度の終了後5年間保存すること。",
    )


def decision_notice(
    *,
    fiscal_year: int,
    notice_number: str,
    notice_date: datetime.date,
    application_date: datetime.date,
    addressee_organisation: str,
    addressee_title: str,
    addressee_name: str,
    lines: list[tuple[str, int]],
) -> Notice:
    year_label = fiscal_year_label(fiscal_year)
    return Notice(
        title="交付決定通知書",
        notice_number=notice_number,
        notice_date=notice_date,
        addressee_organisation=addressee_organisation,
        addressee_title=addressee_title,
        addressee_name=addressee_name,
        lead=(
            f"{wareki_date(application_date)}付けで申請のあった{year_label}{SUBSIDY_NAME}に"
            "ついては、下記のとおり交付することに決定したので通知します。"
        ),
        amount_heading=DECIDED_AMOUNT.label,
        lines=tuple(NoticeLine(label, amount) for label, amount in lines),
        conditions=decision_conditions(fiscal_year),
    )


def confirmation_notice(
    *,
    fiscal_year: int,
    notice_number: str,
    notice_date: datetime.date,
    report_date: datetime.date,
    addressee_organisation: str,
    addressee_title: str,
    addressee_name: str,
    lines: list[tuple[str, int]],
    decided_total: int,
    advance_received: int,
    snapshot: dict | None = None,
) -> Notice:
    year_label = fiscal_year_label(fiscal_year)
    confirmed = sum(amount for _, amount in lines)
    difference = advance_received - confirmed
    settlement = [  # H, ΣG and I of the 精算額調, in its words (subsidies/results/columns.py)
        (DECIDED_AMOUNT.label, decided_total),
        (CONFIRMED_AMOUNT_LABEL, confirmed),
        (ADVANCE_RECEIVED.label_with_note, advance_received),
    ]
    word = Settlement.of_difference(difference)
    if word is Settlement.REFUND:
        settlement.append((word.amount_label, difference))
        due = notice_date + datetime.timedelta(days=RETURN_PERIOD_DAYS)
        footnote = (
            f"返還額は{wareki_date(due)}までに、別途送付する納入通知書により納付してください。"
        )
    elif word is Settlement.REMAINING_PAYMENT:
        settlement.append((word.amount_label, -difference))
        footnote = (
            f"{CONFIRMED_AMOUNT_LABEL}から{ADVANCE_RECEIVED.label}を差し引いた"
            f"支払額{-difference:,}円は、精算払請求書の提出を受けて支払います（精算払）。"
        )
    else:
        footnote = (
            f"{ADVANCE_RECEIVED.label}と{CONFIRMED_AMOUNT_LABEL}が同額のため、"
            "返還及び精算払はありません。"
        )
    return Notice(
        title="補助金の額の確定通知書",
        notice_number=notice_number,
        notice_date=notice_date,
        addressee_organisation=addressee_organisation,
        addressee_title=addressee_title,
        addressee_name=addressee_name,
        lead=(
            f"{wareki_date(report_date)}付けで実績報告のあった{year_label}{SUBSIDY_NAME}に"
            "ついては、下記のとおり額を確定したので通知します。"
        ),
        amount_heading=CONFIRMED_AMOUNT_LABEL,
        lines=tuple(NoticeLine(label, amount) for label, amount in lines),
        settlement=tuple(settlement),
        footnote=footnote,
        explanation=explanation_of(snapshot or {}),
    )


def notice_pdf(notice: Notice, document_key: str) -> bytes:
    created = timezone.make_aware(
        datetime.datetime.combine(notice.notice_date, datetime.time(9, 0)),
        timezone.get_default_timezone(),
    )
    return render_pdf(
        "reports/pdf/notice.html", {"notice": notice}, document_key=document_key, created=created
    )
