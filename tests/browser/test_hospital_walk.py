"""Issue 18, setting (b), walked in a real Chromium: the contact of 甲病院 logs in, creates
its own application from its home page, enters its plan and submits; staff review and
decide it (through the services: the staff pages are walked in test_procedure_walk.py);
the hospital downloads its 交付決定通知書, addressed to its 開設者 and 代表者, enters its
results report and submits it.

Amounts (tests/subsidies/factories.py's catalogue, DOMAIN.md's rule: 基準額と比較してから
補助率, 1,000円未満切捨て): 同行訪問等研修 42,000円 × 3人 × 2半日 = 基準額 252,000円;
予定経費 報償費 200,000 + 旅費 60,000 = 260,000 → min(252,000, 260,000) × 10/10 = 交付決定
252,000円. Results: 報償費 180,000 + 旅費 60,000 = 実支出額 240,000 = 総事業費."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from subsidies.applications import services as application_services
from subsidies.applications.plan_data import start_year_label
from subsidies.models import Application, ApplicationStatus, ResultReport, ResultReportStatus
from subsidies.results import services as results_services
from tests.conftest import log_in
from tests.subsidies.approvals import drive
from tests.subsidies.factories import catalogue, decision_input
from zaitaku_portal.models import Role
from zaitaku_portal.wareki import fiscal_year_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TRAINING = "同行訪問等研修"


def pdf_text(download) -> str:
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return "".join(text.split())


def test_a_hospital_applies_downloads_its_notice_and_reports(page, live_server, world):
    year = fiscal_year_of(timezone.localdate())
    fy, _menus = catalogue(year=year)
    fy.hospital_plan_form = "counts"  # each active hospital its own grantee
    fy.save()
    world.hospital_a.operator_legal_name = "医療法人甲会"
    world.hospital_a.representative_title = "理事長"
    world.hospital_a.representative_name = "甲野 一郎"
    world.hospital_a.save()
    hospital = world.users[Role.HOSPITAL]
    staff = world.users[Role.PREFECTURE_STAFF]

    # 1. The hospital's home page offers its application; it creates it and enters its plan.
    log_in(page, live_server, "hospital")
    page.get_by_role("button", name=re.compile("甲病院の.*交付申請を作成する")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("事業計画の入力｜甲病院")
    expect(page.locator("main")).not_to_contain_text("会議体（様式4-③）")
    line = page.locator("fieldset.line", has_text=TRAINING)
    line.get_by_label("補助を希望する（○）").check()
    line.get_by_label("取り組み事項").fill("訪問看護師の同行訪問研修を年2回")
    line.get_by_label("開始年度").select_option(label=start_year_label(year))
    line.get_by_label("受講者数（人）").fill("3")
    line.get_by_label("半日数").fill("2")
    line.get_by_label("報償費").fill("200000")
    line.get_by_label("旅費").fill("60000")
    page.get_by_role("button", name="保存して提出へ進む").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("#status")).to_have_text("提出済み")
    application = Application.objects.get(institution=world.hospital_a)
    assert application.status == ApplicationStatus.SUBMITTED

    # 2. Staff review and decide it (起案 and 決裁 through the services).
    application = application_services.perform(
        application, "start_review", staff, application.version
    )
    decided = drive.decide(application, staff, decision=decision_input(application))
    assert decided.current_decision.total_amount == 252_000

    # 3. The hospital opens it from its home page and downloads its notice.
    page.context.clear_cookies()
    log_in(page, live_server, "hospital")
    page.locator("main").get_by_role("link", name="甲病院").first.click()
    expect(page.locator("#status")).to_have_text("交付決定済み")
    expect(page.locator("#decision")).to_contain_text("252,000円")
    with page.expect_download() as notice:
        page.get_by_role("link", name="交付決定通知書（PDF）をダウンロード").click()
    text = pdf_text(notice.value)
    assert "医療法人甲会理事長甲野一郎様" in text and "252,000円" in text

    # 4. Its results report: created from 実績報告・額の確定, its narrative and the training
    # done written by the services between the clicks, the expenses typed on the form.
    page.get_by_role("link", name="実績報告・額の確定へ").click()
    page.get_by_role("link", name=re.compile("実績報告を作成する")).first.click()
    with page.expect_navigation():  # the report exists once its page loads
        page.get_by_role("button", name=re.compile("作成する")).click()
    report = ResultReport.objects.get(application=application)
    report, _ = results_services.save_report(
        report,
        {
            "consultation_hours_per_week": 10,
            "consultation_count": 12,
            "issues_and_solutions": "夜間の受入れ調整が課題。連絡票を作成した。",
            "coordinator_role": "退院調整看護師が診療所との調整を担った",
            "usefulness": "急変時の受入れが円滑になった",
            "problems": "特になし",
        },
        hospital,
        report.version,
    )
    results_services.add_activity(
        report,
        {
            "kind": "accompanied_visit",
            "title": "同行訪問研修",
            "designation": world.designation_a,
            "held_on": datetime.date(year, 9, 10),
            "trainees": 3,
            "half_days": 2,
            "trainee_type": "doctors",
            "training_site": "active",
        },
        hospital,
        report.version,
    )
    page.reload()
    expense = page.locator("fieldset", has_text=TRAINING)
    expense.get_by_label("報償費").fill("180000")
    expense.get_by_label("旅費").fill("60000")
    expense.get_by_label("総事業費（A）").fill("240000")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("実績報告を保存しました")).to_be_visible()
    page.get_by_role("link", name="実績報告を提出する", exact=True).click()
    page.get_by_role("button", name="実績報告を提出する", exact=True).click()
    expect(page.locator("#status")).to_have_text("提出済み")
    assert ResultReport.objects.get(pk=report.pk).status == ResultReportStatus.SUBMITTED
