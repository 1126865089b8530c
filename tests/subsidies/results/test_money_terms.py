"""Money words said once: the settlement word (``Settlement.of_difference`` over J = I − G)
and the 精算額調's columns A〜J (subsidies/results/columns.py), as the page, the xlsx, the
実績報告書 PDF, the 額の確定通知書 and the expense form show them."""

import datetime
import io
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from reports.notices import confirmation_notice
from subsidies.results import columns as seisan
from subsidies.results.calculation import Settlement
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role
from zaitaku_portal.templatetags.ja_format import settlement


@pytest.mark.parametrize(
    ("difference", "expected"),
    [
        (1, Settlement.REFUND),
        (82_000, Settlement.REFUND),
        (0, Settlement.SETTLED),
        (-1, Settlement.REMAINING_PAYMENT),
        (-1_483_000, Settlement.REMAINING_PAYMENT),
    ],
)
def test_settlement_of_difference_positive_is_refund(difference, expected):
    assert Settlement.of_difference(difference) is expected


@pytest.mark.parametrize("difference", [82_000, 1, 0, -1, -1_483_000])
def test_settlement_filter_uses_the_one_word(difference):
    word = Settlement.of_difference(difference).label
    assert settlement(difference).startswith(word)


# ---------------------------------------------------------------- the 精算額調 columns A〜J

# The words, pinned here on their own: every place below is compared with this list, not with
# the declaration, so a place edited by itself (or the declaration alone) fails a test.
PINNED_HEADINGS = [
    "A 総事業費",
    "B 寄附金その他の収入額",
    "C 差引額",
    "D 対象経費の実支出額",
    "E 基準額",
    "F 選定額",
    "G 補助所要額",
    "H 交付決定額",
    "I 受入額",
    "J 差引過不足額",
]
PINNED_FORMULAS = {"C": "A−B", "F": "DとEの少ない方", "J": "I−G"}
PINNED_LABELS = {heading[0]: heading[2:] for heading in PINNED_HEADINGS}


def _headers_of(table_id: str, page: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert table, table_id
    thead = re.search(r"<thead>(.*?)</thead>", table.group(1), re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", thead)
    ]


def test_the_declaration_holds_each_column_once():
    assert [c.heading for c in seisan.COLUMNS] == PINNED_HEADINGS
    assert {c.letter: c.formula for c in seisan.COLUMNS if c.formula} == PINNED_FORMULAS
    assert seisan.LETTERS == "ABCDEFGHIJ"


@pytest.mark.django_db
def test_the_page_and_its_steps_show_the_declared_columns(client, world):
    case = worked_case(world)
    client.force_login(world.users[Role.HUB_COORDINATOR])
    page = client.get(
        reverse("results:calculation", args=[case.report.pk]), {"live": "1"}
    ).content.decode()
    assert _headers_of("seisan-summary", page) == ["補助事業者", *PINNED_HEADINGS, "精算"]
    steps = re.findall(r"<tr><td>([A-J])</td><td>([^<]*)</td>", page)
    assert {letter for letter, _ in steps} == set(PINNED_LABELS)
    for letter, label in steps:  # G may say which G it is: 補助所要額（交付決定額以内）
        assert label.split("（")[0] == PINNED_LABELS[letter], (letter, label)


@pytest.mark.django_db
def test_the_xlsx_headers_show_the_declared_columns(client, world):
    case = worked_case(world)
    client.force_login(world.users[Role.HUB_COORDINATOR])
    xlsx = client.get(reverse("results:sheet_xlsx", args=[case.report.pk]))
    summary, menus, _steps = load_workbook(io.BytesIO(xlsx.content)).worksheets
    with_formulas = [
        f"{h}（{PINNED_FORMULAS[h[0]]}）" if h[0] in PINNED_FORMULAS else h for h in PINNED_HEADINGS
    ]
    assert [c.value for c in summary[1]][1:11] == with_formulas
    menu_header = [c.value for c in menus[1]]
    for heading in [*PINNED_HEADINGS[:6], "H 交付決定額"]:
        assert heading in menu_header, heading
    assert "G 補助所要額" in menu_header  # a number cell (the menu's G), not text


@pytest.mark.django_db
def test_the_form_and_the_expense_workbook_label_a_and_b_as_declared(client, world):
    case = worked_case(world)
    client.force_login(world.users[Role.HUB_COORDINATOR])
    form = client.get(reverse("results:report_edit", args=[case.report.pk])).context["form"]
    wanted = {"total_cost": "総事業費（A）", "other_income": "寄附金その他の収入額（B）"}
    for name, label in wanted.items():
        fields = [f for key, f in form.fields.items() if key.endswith(f"-{name}")]
        assert fields, name
        assert all(f.label.endswith(f" {label}") for f in fields), name
    xlsx = client.get(reverse("results:expenses_xlsx", args=[case.report.pk]))
    header = [c.value for c in load_workbook(io.BytesIO(xlsx.content)).worksheets[0][1]]
    assert set(wanted.values()) <= set(header)


def test_the_results_pdf_shows_the_declared_columns():
    claim = {"rule": {}, "recipients": [], "advance_total": 0}
    html = render_to_string("reports/pdf/results.html", {"claim": claim})
    headings = [h for h in PINNED_HEADINGS if h[0] in "ABDEGHJ"]
    assert re.findall(r'<th class="yen">([^<]*)</th>', html) == headings
    assert "Jは受入額（概算払 0円）から補助所要額を引いた額です。" in html


def test_the_confirmation_notice_states_h_g_and_i_in_the_declared_words():
    notice = confirmation_notice(
        fiscal_year=2026,
        notice_number="9医政第88号",
        notice_date=datetime.date(2027, 6, 1),
        report_date=datetime.date(2027, 4, 10),
        addressee_organisation="一般社団法人 北部地区医師会",
        addressee_title="会長",
        addressee_name="代表 一郎",
        lines=[("研修の開催", 518_000)],
        decided_total=518_000,
        advance_received=518_000,
    )
    # H, ΣG (the 確定額 the notice confirms) and I: H and I in the 精算額調's words.
    assert [label for label, _ in notice.settlement] == [
        PINNED_LABELS["H"],
        "確定額",
        f"{PINNED_LABELS['I']}（概算払）",
    ]
    assert notice.amount_heading == "確定額"
    assert notice.footnote == "受入額と確定額が同額のため、返還及び精算払はありません。"
