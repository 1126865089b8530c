"""The official notices (交付決定通知書, 額の確定通知書) as plain data, then as PDF.

A notice is built from plain values so it can be rendered, tested and re-rendered byte for
byte without the ORM; the workflow passes it the decided or confirmed figures."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from reports.pdf import render_pdf
from subsidies.results.columns import ADVANCE_RECEIVED, CONFIRMED_AMOUNT_LABEL, DECIDED_AMOUNT
from zaitaku_portal.money import Settlement
from zaitaku_portal.wareki import fiscal_year_label, wareki_date

SUBSIDY_NAME = "在宅医療提供体制強化事業費補助金"  # when the fiscal year names none
RETURN_PERIOD_DAYS = 20  # FiscalYear.refund_due_days' default


@dataclass(frozen=True)
class NoticeTerms:
    """The fiscal year's 要綱 settings a notice prints (subsidies FiscalYear, edited by staff
    on the catalogue's 要綱の設定 page). Blank values fall back: the standard subsidy name,
    the default issuer (PORTAL_GOVERNOR_TITLE/NAME), the standard conditions."""

    subsidy_name: str = ""
    guideline_name: str = ""
    decision_form_number: str = ""
    confirmation_form_number: str = ""
    issuer_title: str = ""
    issuer_name: str = ""
    seal_line: str = ""
    seal_image: str = ""  # the 公印 as a data: URI (seal_image_uri), printed instead of the line
    conditions_text: str = ""
    results_deadline: datetime.date | None = None
    refund_due_days: int = RETURN_PERIOD_DAYS

    @property
    def name(self) -> str:
        return self.subsidy_name or SUBSIDY_NAME

    @property
    def issuer(self) -> tuple[str, str]:
        return (
            self.issuer_title or settings.GOVERNOR_TITLE,
            self.issuer_name or settings.GOVERNOR_NAME,
        )


def terms_of(fiscal_year) -> NoticeTerms:
    """The NoticeTerms of a FiscalYear record (attributes only: no query)."""
    return NoticeTerms(
        subsidy_name=fiscal_year.subsidy_name,
        guideline_name=fiscal_year.guideline_name,
        decision_form_number=fiscal_year.decision_form_number,
        confirmation_form_number=fiscal_year.confirmation_form_number,
        issuer_title=fiscal_year.issuer_title,
        issuer_name=fiscal_year.issuer_name,
        seal_line=fiscal_year.seal_line,
        seal_image=seal_image_uri(fiscal_year),
        conditions_text=fiscal_year.decision_conditions_text,
        results_deadline=fiscal_year.results_deadline,
        refund_due_days=fiscal_year.refund_due_days or RETURN_PERIOD_DAYS,
    )


def seal_image_uri(fiscal_year) -> str:
    """The year's 公印 image (PNG or JPEG, checked when staff uploaded it) as a data: URI the
    PDF sandbox may read; '' when the year has none. The stored bytes as they are, so the
    notice is the same bytes on every render."""
    data = bytes(getattr(fiscal_year, "seal_image", b"") or b"")
    kind = getattr(fiscal_year, "seal_image_type", "")
    if not data or kind not in ("image/png", "image/jpeg"):
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def addressee_line(organisation: str, title: str, name: str) -> str:
    """「一般社団法人〇〇医師会　会長　〇〇 〇〇　様」; a municipality's head is written with
    its name: 石垣市 + 市長 → 「石垣市長　〇〇 〇〇　様」 (a title already naming it stays)."""
    organisation, title, name = organisation.strip(), title.strip(), name.strip()
    if title and organisation and title.startswith(organisation):
        head = title
    elif title[:1] in "市町村区" and title.endswith("長") and organisation.endswith(title[:1]):
        head = organisation + title[1:]  # 石垣市 + 市長, 読谷村 + 村長
    else:
        head = "　".join(part for part in (organisation, title) if part)
    return "　".join(part for part in (head, name, "様") if part)


def letterhead(fiscal_year, grantee) -> dict[str, str]:
    """What every notice to a grantee (a hub, or a hospital for its own application, issue
    18: `application.recipient`) prints around its title: the addressee as the prefecture
    writes it, and the issuer (title, name, 公印 line) from the year's 要綱 settings."""
    terms = terms_of(fiscal_year)
    issuer_title, issuer_name = terms.issuer
    addressee = grantee.addressee
    return {
        "addressee": addressee_line(
            addressee["addressee_organisation"],
            addressee["addressee_title"],
            addressee["addressee_name"],
        ),
        "issuer_title": issuer_title,
        "issuer_name": issuer_name,
        "seal_line": terms.seal_line,
        "seal_image": terms.seal_image,
    }


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
class ConfirmedRecipient:
    """One recipient's confirmed amount per menu (the menus' G of its 精算額調) and the
    facility-level step between their sum and the recipient's G: C′ bounding the menus and
    the rounding down per facility, when the year's rule works per facility."""

    recipient_name: str
    menus: tuple[tuple[str, int], ...]
    total: int

    @property
    def adjustment(self) -> int:
        return self.total - sum(amount for _, amount in self.menus)


def confirmed_per_menu(snapshot: dict) -> tuple[ConfirmedRecipient, ...]:
    """From a confirmation's frozen 精算額調: per recipient, each decided menu's G (a menu
    decided at 0 yen, never wished, gets no line; one done at 0 yen keeps its line)."""
    confirmed = []
    for r in snapshot.get("recipients", []):
        menus = tuple(
            (m["name"], int(m.get("G") or 0))
            for m in r.get("menus", [])
            if m.get("H") or m.get("G")
        )
        confirmed.append(ConfirmedRecipient(r["recipient_name"], menus, int(r["columns"]["G"])))
    return tuple(confirmed)


@dataclass(frozen=True)
class ChangeLine:
    """One menu of a 変更交付決定通知書: the amount before and after the change."""

    label: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


def change_lines(
    before: list[tuple[str, int]], after: list[tuple[str, int]]
) -> tuple[ChangeLine, ...]:
    """Per menu before → after, in the earlier decision's order then the new menus; a menu at
    0 yen both times (never decided) gets no line."""
    was, now = dict(before), dict(after)
    labels = list(was) + [label for label in now if label not in was]
    return tuple(
        ChangeLine(label, was.get(label, 0), now.get(label, 0))
        for label in labels
        if was.get(label, 0) or now.get(label, 0)
    )


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
    seal_line: str = ""  # （公印省略） under the issuer, when the year sets it
    seal_image: str = ""  # the 公印 beside the issuer (data: URI) instead of the seal line
    form_number: str = ""  # 様式第2号, top left, when the year sets it
    # 変更交付決定通知書 only: per menu before/after (the lines are the amounts after)
    changes: tuple[ChangeLine, ...] = ()
    # 額の確定通知書 only: the confirmed amount per recipient × menu (the lines: per recipient)
    confirmed: tuple[ConfirmedRecipient, ...] = ()

    @property
    def total_before(self) -> int:
        return sum(line.before for line in self.changes)

    @property
    def total_difference(self) -> int:
        return self.total - self.total_before

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def addressee(self) -> str:
        return addressee_line(
            self.addressee_organisation, self.addressee_title, self.addressee_name
        )


def results_deadline_clause(results_deadline: datetime.date | None) -> str:
    """The 実績報告 deadline as the fiscal year sets it; never a made-up date."""
    if results_deadline is None:
        return "知事が別に定める日"
    return wareki_date(results_deadline)


def decision_conditions(terms: NoticeTerms | None = None) -> tuple[str, ...]:
    """The 交付の条件: the year's own text (one per line) or the standard ones."""
    terms = terms or NoticeTerms()
    own = tuple(line.strip() for line in terms.conditions_text.splitlines() if line.strip())
    if own:
        return own
    return (
        "補助事業の内容を変更（軽微な変更を除く。）しようとするときは、あらかじめ変更承認申請書を"
        "提出し、知事の承認を受けること。",
        "補助事業を中止し、又は廃止しようとするときは、あらかじめ知事の承認を受けること。",
        "補助事業が完了したときは、完了の日から起算して30日を経過した日又は"
        f"{results_deadline_clause(terms.results_deadline)}のいずれか早い日までに"
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
    terms: NoticeTerms | None = None,
) -> Notice:
    terms = terms or NoticeTerms()
    year_label = fiscal_year_label(fiscal_year)
    issuer_title, issuer_name = terms.issuer
    return Notice(
        title="交付決定通知書",
        notice_number=notice_number,
        notice_date=notice_date,
        addressee_organisation=addressee_organisation,
        addressee_title=addressee_title,
        addressee_name=addressee_name,
        lead=(
            f"{wareki_date(application_date)}付けで申請のあった{year_label}{terms.name}に"
            f"ついては、{_under(terms)}下記のとおり交付することに決定したので通知します。"
        ),
        amount_heading=DECIDED_AMOUNT.label,
        lines=tuple(NoticeLine(label, amount) for label, amount in lines),
        conditions=decision_conditions(terms),
        issuer_title=issuer_title,
        issuer_name=issuer_name,
        seal_line=terms.seal_line,
        seal_image=terms.seal_image,
        form_number=terms.decision_form_number,
    )


def change_decision_notice(
    *,
    previous: Notice,
    notice_number: str,
    notice_date: datetime.date,
    request_date: datetime.date,
    fiscal_year: int,
    lines: list[tuple[str, int]],
    terms: NoticeTerms | None = None,
) -> Notice:
    """変更交付決定通知書: the decision it changes (`previous`, its own notice) named in the
    lead, each menu before and after, the difference; the conditions stay those of the year."""
    terms = terms or NoticeTerms()
    year_label = fiscal_year_label(fiscal_year)
    issuer_title, issuer_name = terms.issuer
    changes = change_lines([(line.label, line.amount) for line in previous.lines], lines)
    return Notice(
        title="変更交付決定通知書",
        notice_number=notice_number,
        notice_date=notice_date,
        addressee_organisation=previous.addressee_organisation,
        addressee_title=previous.addressee_title,
        addressee_name=previous.addressee_name,
        lead=(
            f"{wareki_date(previous.notice_date)}付け{previous.notice_number}で交付決定した"
            f"{year_label}{terms.name}については、{wareki_date(request_date)}付けで"
            f"変更承認申請のあった内容を承認し、{_under(terms)}下記のとおり交付決定の内容を"
            "変更することに決定したので通知します。"
        ),
        amount_heading="変更後の交付決定額",
        lines=tuple(NoticeLine(line.label, line.after) for line in changes),
        changes=changes,
        conditions=decision_conditions(terms),
        issuer_title=issuer_title,
        issuer_name=issuer_name,
        seal_line=terms.seal_line,
        seal_image=terms.seal_image,
        form_number=terms.decision_form_number,
    )


def _under(terms: NoticeTerms) -> str:
    """「沖縄県〇〇補助金交付要綱に基づき、」 when the year names its 要綱."""
    return f"{terms.guideline_name}に基づき、" if terms.guideline_name else ""


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
    terms: NoticeTerms | None = None,
) -> Notice:
    terms = terms or NoticeTerms()
    issuer_title, issuer_name = terms.issuer
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
        due = notice_date + datetime.timedelta(days=terms.refund_due_days)
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
            f"{wareki_date(report_date)}付けで実績報告のあった{year_label}{terms.name}に"
            f"ついては、{_under(terms)}下記のとおり額を確定したので通知します。"
        ),
        amount_heading=CONFIRMED_AMOUNT_LABEL,
        lines=tuple(NoticeLine(label, amount) for label, amount in lines),
        settlement=tuple(settlement),
        footnote=footnote,
        explanation=explanation_of(snapshot or {}),
        confirmed=confirmed_per_menu(snapshot or {}),
        issuer_title=issuer_title,
        issuer_name=issuer_name,
        seal_line=terms.seal_line,
        seal_image=terms.seal_image,
        form_number=terms.confirmation_form_number,
    )


def notice_pdf(notice: Notice, document_key: str) -> bytes:
    created = timezone.make_aware(
        datetime.datetime.combine(notice.notice_date, datetime.time(9, 0)),
        timezone.get_default_timezone(),
    )
    return render_pdf(
        "reports/pdf/notice.html", {"notice": notice}, document_key=document_key, created=created
    )
