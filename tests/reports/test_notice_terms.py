"""The notices read the fiscal year's 要綱 settings (issue 15): 事業名, 要綱, 様式 number,
issuer and 公印省略, the 交付の条件, the results deadline and the refund days; addressees
are written as the prefecture writes them."""

import datetime

import pytest

from reports.documents import decision_notice_for
from reports.notices import (
    NoticeTerms,
    addressee_line,
    confirmation_notice,
    decision_notice,
    notice_pdf,
    terms_of,
)
from tests.reports.decided import decided_application
from tests.reports.test_notices import ADDRESSEE, pdf_text, squeeze
from zaitaku_portal.models import Role

TERMS = NoticeTerms(
    subsidy_name="在宅医療体制整備補助金",
    guideline_name="沖縄県在宅医療体制整備補助金交付要綱",
    decision_form_number="様式第2号",
    confirmation_form_number="様式第8号",
    issuer_title="沖縄県知事",
    issuer_name="沖縄 花子",
    seal_line="（公印省略）",
    results_deadline=datetime.date(2027, 4, 15),
    refund_due_days=30,
)


def _decision(terms=TERMS, **addressee):
    return decision_notice(
        fiscal_year=2026,
        notice_number="8医政第1号",
        notice_date=datetime.date(2026, 6, 1),
        application_date=datetime.date(2026, 5, 10),
        lines=[("研修の開催", 518_000)],
        terms=terms,
        **(addressee or ADDRESSEE),
    )


@pytest.mark.parametrize(
    ("organisation", "title", "name", "expected"),
    [
        ("石垣市", "市長", "石垣 太郎", "石垣市長　石垣 太郎　様"),
        ("竹富町", "町長", "竹富 一郎", "竹富町長　竹富 一郎　様"),
        ("石垣市", "石垣市長", "石垣 太郎", "石垣市長　石垣 太郎　様"),
        (
            "一般社団法人〇〇医師会",
            "会長",
            "医師 次郎",
            "一般社団法人〇〇医師会　会長　医師 次郎　様",
        ),
        ("一般社団法人〇〇医師会", "", "", "一般社団法人〇〇医師会　様"),
        # 市 of an association's name is not a municipality's head
        ("那覇市医師会", "会長", "那覇 三郎", "那覇市医師会　会長　那覇 三郎　様"),
    ],
)
def test_the_addressee_is_written_as_the_prefecture_writes_it(organisation, title, name, expected):
    assert addressee_line(organisation, title, name) == expected


def test_the_decision_notice_prints_the_years_settings(tmp_path):
    text = squeeze(pdf_text(notice_pdf(_decision(), "decision-1"), tmp_path))
    for expected in (
        "様式第2号",
        "令和8年度在宅医療体制整備補助金については、沖縄県在宅医療体制整備補助金交付要綱に基づき",
        "沖縄県知事沖縄花子",
        "（公印省略）",
        # the year's results deadline (2027-04-15 = 令和9年4月15日), not a fixed 4月10日
        "30日を経過した日又は令和9年4月15日のいずれか早い日までに実績報告書を提出すること",
        "一般社団法人北部地区医師会会長代表一郎様",
    ):
        assert squeeze(expected) in text, expected
    assert "在宅医療提供体制強化事業費補助金" not in text
    assert "令和9年4月10日" not in text


def test_the_years_own_conditions_replace_the_standard_ones(tmp_path):
    terms = NoticeTerms(conditions_text="第一の条件を守ること。\n\n  第二の条件を守ること。 \n")
    notice = _decision(terms)
    assert notice.conditions == ("第一の条件を守ること。", "第二の条件を守ること。")
    text = squeeze(pdf_text(notice_pdf(notice, "decision-1"), tmp_path))
    assert "1.第一の条件を守ること。2.第二の条件を守ること。" in text
    assert "変更承認申請書" not in text


def test_blank_settings_fall_back_to_the_default_issuer_and_no_made_up_date(settings):
    settings.GOVERNOR_TITLE = "沖縄県知事"
    settings.GOVERNOR_NAME = "既定 氏名"
    notice = _decision(NoticeTerms())
    assert (notice.issuer_title, notice.issuer_name) == ("沖縄県知事", "既定 氏名")
    assert notice.seal_line == "" and notice.form_number == ""
    assert "在宅医療提供体制強化事業費補助金" in notice.lead
    assert any("知事が別に定める日のいずれか早い日" in c for c in notice.conditions)
    assert not any("4月10日" in c for c in notice.conditions)


def test_the_refund_due_date_counts_the_years_days():
    """Notice 2027-05-10, refund days 30 → due 2027-06-09 (May has 31 days: 10 + 30 = 40,
    40 − 31 = June 9) = 令和9年6月9日. Advance 500,000 − confirmed 400,000 = 100,000 returned."""
    notice = confirmation_notice(
        fiscal_year=2026,
        notice_number="9医政第2号",
        notice_date=datetime.date(2027, 5, 10),
        report_date=datetime.date(2027, 4, 5),
        lines=[("甲拠点", 400_000)],
        decided_total=500_000,
        advance_received=500_000,
        terms=TERMS,
        **ADDRESSEE,
    )
    assert "令和9年6月9日までに" in notice.footnote
    assert notice.form_number == "様式第8号" and notice.seal_line == "（公印省略）"
    assert "沖縄県在宅医療体制整備補助金交付要綱に基づき" in notice.lead


@pytest.mark.django_db
def test_the_stored_notice_reads_the_fiscal_year_and_the_hubs_legal_name(world):
    hub = world.hub_a
    hub.operator_type = hub.OperatorType.MUNICIPALITY
    hub.operator_name = "石垣市"
    hub.operator_legal_name = ""
    hub.representative_title = "市長"
    hub.representative_name = "石垣 太郎"
    hub.save()
    decision = decided_application(hub, staff=world.users[Role.PREFECTURE_STAFF])
    fiscal_year = decision.application.fiscal_year
    fiscal_year.subsidy_name = "在宅医療体制整備補助金"
    fiscal_year.issuer_name = "沖縄 花子"
    fiscal_year.seal_line = "（公印省略）"
    fiscal_year.results_deadline = datetime.date(2027, 4, 15)
    fiscal_year.refund_due_days = 25
    fiscal_year.save()
    notice = decision_notice_for(decision)
    assert notice.addressee == "石垣市長　石垣 太郎　様"
    assert notice.issuer_name == "沖縄 花子" and notice.seal_line == "（公印省略）"
    assert "在宅医療体制整備補助金" in notice.lead
    assert terms_of(fiscal_year).refund_due_days == 25
    assert any("令和9年4月15日" in c for c in notice.conditions)

    hub.operator_legal_name = "一般社団法人甲地区医師会"
    hub.representative_title = "会長"
    hub.save()
    decision.application.hub.refresh_from_db()
    assert (
        decision_notice_for(decision).addressee == "一般社団法人甲地区医師会　会長　石垣 太郎　様"
    )


@pytest.mark.django_db
def test_an_institution_is_addressed_by_its_founder(world):
    hospital = world.hospital_a
    assert hospital.addressee["addressee_organisation"] == hospital.name  # none set yet
    hospital.operator_legal_name = "医療法人甲会"
    hospital.representative_title = "理事長"
    hospital.representative_name = "甲 一郎"
    hospital.full_clean()
    hospital.save()
    parts = hospital.addressee
    line = addressee_line(
        parts["addressee_organisation"], parts["addressee_title"], parts["addressee_name"]
    )
    assert line == "医療法人甲会　理事長　甲 一郎　様"
