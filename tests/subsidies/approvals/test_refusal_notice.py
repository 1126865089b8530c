"""不交付決定通知書 (issue 15): drafted, approved, then printed with the addressee as the
prefecture writes it, the issuer of the year, 和暦 dates, the number given on approval, the
reason and the 教示; two renders are the same bytes."""

import datetime
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.refusal_notice import refusal_notice_pdf
from subsidies.applications import services as service
from subsidies.models import ApplicationStatus, Approval
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in

S = ApplicationStatus
pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S607
    return "".join(result.stdout.decode().split())


@pytest.fixture
def refused(apps_world):
    w = apps_world
    year = w.fiscal_year
    year.notice_number_pattern = "8医政第{n}号"
    year.issuer_title = "沖縄県知事"
    year.issuer_name = "玉城 太郎"
    year.seal_line = "（公印省略）"
    year.subsidy_name = "在宅医療提供体制強化事業費補助金"
    year.save()
    hub = w.hub_a
    hub.operator_legal_name = "一般社団法人甲地区医師会"
    hub.representative_title = "会長"
    hub.representative_name = "比嘉 一郎"
    hub.save()
    application = application_in(S.UNDER_REVIEW, hub, year, w.coordinator, w.staff)
    application = service.perform(
        application, "reject", w.staff, application.version, reason="補助対象外の経費のみのため"
    )
    drive.approve(application, on=datetime.date(2026, 7, 10))
    return Approval.objects.get(application=application, kind="refusal")


def test_the_refusal_notice_prints_names_dates_number_and_reason(refused):
    pdf = refusal_notice_pdf(refused)
    text = text_of(pdf)
    assert "様式第○号" in text  # the year's settings name no 様式 for a refusal
    assert "8医政第1号" in text and "令和8年7月10日" in text
    assert "一般社団法人甲地区医師会会長比嘉一郎様" in text
    assert "沖縄県知事玉城太郎" in text and "（公印省略）" in text
    assert "不交付決定通知書" in text and "補助対象外の経費のみのため" in text
    assert "令和8年度在宅医療提供体制強化事業費補助金" in text
    assert "審査請求" in text and "3か月以内" in text
    assert refusal_notice_pdf(refused) == pdf  # byte-identical re-render


def test_the_coordinator_downloads_their_refusal_notice(client, apps_world, refused):
    client.force_login(apps_world.coordinator)
    response = client.get(reverse("reports:refusal_notice", args=[refused.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_the_dossier_carries_the_refusal_notice_beside_the_decisions(refused):
    """The audit dossier holds the 不交付決定通知書 in the notices' folder, dated with its
    approval (reports.documents.dossier_items)."""
    from reports.documents import dossier_items
    from reports.refusal_notice import refusal_notice_filename

    application = refused.application
    items = dict(dossier_items(application.hub, application.fiscal_year))
    name = f"02_交付決定通知書/{refusal_notice_filename(refused)}"
    assert items[name]() == refusal_notice_pdf(refused)
    approved = timezone.localtime(refused.decided_at)
    assert items[name].zip_date[:3] == (approved.year, approved.month, approved.day)
