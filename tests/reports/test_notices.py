"""Official notices as PDF: text, amounts, embedded font, byte-stability."""

import datetime
import subprocess

import pytest

from reports.notices import NoticeLine, confirmation_notice, decision_notice, notice_pdf

ADDRESSEE = {
    "addressee_organisation": "一般社団法人 北部地区医師会",
    "addressee_title": "会長",
    "addressee_name": "代表 一郎",
}


def decision():
    return decision_notice(
        fiscal_year=2026,
        notice_number="8医政第1234号",
        notice_date=datetime.date(2026, 6, 1),
        application_date=datetime.date(2026, 5, 10),
        lines=[("多職種が参加する連携会議の開催", 1_060_000), ("研修の開催", 518_000)],
        **ADDRESSEE,
    )


def squeeze(text: str) -> str:
    """pdftotext turns ideographic spaces into spaces and wraps lines; compare without any."""
    return "".join(text.split())


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("交 付 決 定 通 知 書", "交付決定通知書")


def pdf_fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603
        ["pdffonts", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_decision_notice_text_and_amounts(tmp_path):
    text = pdf_text(notice_pdf(decision(), "decision-1"), tmp_path)
    for expected in (
        "8医政第1234号",
        "令和8年6月1日",
        "一般社団法人 北部地区医師会",
        "会長　代表 一郎　様",
        "沖縄県知事",
        "交付決定通知書",
        "令和8年5月10日付けで申請のあった令和8年度",
        "多職種が参加する連携会議の開催",
        "1,060,000円",
        "518,000円",
        "1,578,000円",
        # no results deadline set for the year: the prefecture sets it, no date is made up
        "完了の日から起算して30日を経過した日又は知事が別に定める日のいずれか早い日まで",
    ):
        assert squeeze(expected) in squeeze(text), expected


def test_japanese_font_is_embedded_as_a_subset(tmp_path):
    fonts = pdf_fonts(notice_pdf(decision(), "decision-1"), tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows, fonts
    for row in rows:
        assert "PortalGothic" in row[0]
        assert row[-5:-2] == ["yes", "yes", "yes"], fonts  # embedded, subset, unicode map


def test_two_renders_are_identical_bytes_and_keys_differ():
    first = notice_pdf(decision(), "decision-1")
    second = notice_pdf(decision(), "decision-1")
    other = notice_pdf(decision(), "decision-2")
    assert first == second
    assert first != other
    assert first.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("advance", "expected"),
    [
        (1_578_000, ["返還額", "110,000円", "令和9年6月21日までに"]),
        # 確定額 1,468,000 − 受入額 1,000,000 = 468,000 still to pay: its 精算払, never 追加交付
        (1_000_000, ["支払額（精算払）", "468,000円", "精算払請求書"]),
        (1_468_000, ["返還及び精算払はありません"]),
    ],
)
def test_confirmation_notice_settles_the_advance(tmp_path, advance, expected):
    notice = confirmation_notice(
        fiscal_year=2026,
        notice_number="9医政第88号",
        notice_date=datetime.date(2027, 6, 1),
        report_date=datetime.date(2027, 4, 10),
        lines=[("多職種が参加する連携会議の開催", 950_000), ("研修の開催", 518_000)],
        decided_total=1_578_000,
        advance_received=advance,
        **ADDRESSEE,
    )
    text = pdf_text(notice_pdf(notice, "confirmation-1"), tmp_path)
    assert "1,468,000円" in text
    for fragment in expected:
        assert squeeze(fragment) in squeeze(text)


def test_amounts_must_be_integer_yen():
    with pytest.raises(TypeError, match="整数"):
        NoticeLine("研修", 1000.0)
