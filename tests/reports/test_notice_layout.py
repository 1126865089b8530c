"""Notice layout (issue 15): a numbered condition is never split across pages, and the
heading 「交付の条件」 stays with the first condition."""

import datetime
import subprocess

from reports.notices import NoticeTerms, decision_notice, notice_pdf


def _pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


def test_long_conditions_keep_each_one_whole_and_the_heading_with_the_first():
    # twelve conditions of ~340 characters each: more than the first page can hold
    conditions = [
        f"条件{n:02d}開始"
        + "補助事業の実施に当たっては関係法令を遵守すること。" * 13
        + f"条件{n:02d}終了"
        for n in range(1, 13)
    ]
    notice = decision_notice(
        fiscal_year=2026,
        notice_number="8医政第5号",
        notice_date=datetime.date(2026, 6, 1),
        application_date=datetime.date(2026, 5, 10),
        addressee_organisation="石垣市",
        addressee_title="市長",
        addressee_name="石垣 太郎",
        lines=[("多職種が参加する連携会議の開催", 1_060_000)],
        terms=NoticeTerms(conditions_text="\n".join(conditions)),
    )
    pages = _pages(notice_pdf(notice, "layout-test"))
    assert len(pages) >= 2  # the case really crosses a page
    for n in range(1, 13):
        start = [i for i, page in enumerate(pages) if f"条件{n:02d}開始" in page]
        end = [i for i, page in enumerate(pages) if f"条件{n:02d}終了" in page]
        assert start == end, f"条件{n} is split across pages {start} / {end}"
    heading = next(i for i, page in enumerate(pages) if "交付の条件" in page)
    assert "条件01開始" in pages[heading]
