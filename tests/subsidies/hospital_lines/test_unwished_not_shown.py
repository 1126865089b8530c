"""A line not wished and with nothing entered is not printed (issue 18): not on the
application page, not in the plan's PDF (事業計画書); a picked hospital that wishes a menu
shows that menu only, with who entered it."""

import subprocess

import pytest

from reports.documents import application_pdf
from subsidies.applications import reading
from subsidies.applications import services as service
from tests.subsidies.factories import complete_plan
from tests.subsidies.hospital_lines.helpers import fresh, pick, started

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return "".join(result.stdout.decode().split())


def test_unwished_menus_are_absent_from_the_page_and_the_plan_pdf(client, apps_world):
    w = apps_world
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    plan = complete_plan(fresh(application))
    plan["lines"][f"hosp-nurse@{w.designation_a.pk}"].update(
        wish=True,
        planned_actions="退院調整看護師を配置",
        start_year=2026,
        expenses={"wages": 3_000_000},
    )
    service.save_plan(fresh(application), plan, w.coordinator, fresh(application).version)
    service.perform(fresh(application), "submit", w.coordinator, fresh(application).version)
    client.force_login(w.staff)
    html = client.get(f"/subsidies/applications/{application.pk}/").content.decode()
    # wished: the hub's meeting menu and 甲病院's nurse placement
    assert 'data-line="hub-meeting"' in html
    assert f'data-line="hosp-nurse@{w.designation_a.pk}"' in html
    assert "入力: 拠点コーディネーター" in html
    # not wished, nothing entered: not printed, not even folded
    for name in ("資源把握・課題整理・対応策検討", "同行訪問等研修", "システム保守"):
        assert name not in html, name
    text = text_of(application_pdf(fresh(application).versions.get()))
    assert "退院調整看護師を配置" in text and "3,000,000円" in text  # 甲病院's wished line
    for name in ("資源把握・課題整理・対応策検討", "同行訪問等研修", "システム保守"):
        assert name not in text, name
    # the plan groups the hub and the one hospital it picked
    view = reading.plan_view(fresh(application))
    assert [g["name"] for g in view.groups()] == ["甲拠点", "甲病院"]
