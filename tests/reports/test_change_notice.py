"""変更交付決定通知書: before and after per menu and the difference (issue 15)."""

import pytest

from reports.documents import decision_notice_filename, decision_notice_for, decision_notice_pdf
from reports.notices import change_lines
from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus
from subsidies.results.reading import current_decision
from tests.reports.test_documents import text_of
from tests.subsidies.approvals import drive
from tests.subsidies.conftest import apps_world  # noqa: F401 (the fixture)
from tests.subsidies.factories import application_in, complete_plan, decision_input
from zaitaku_portal.wareki import wareki_date

pytestmark = pytest.mark.django_db


def _fresh(application):
    return Application.objects.get(pk=application.pk)


def _changed(w):
    application = application_in(
        ApplicationStatus.DECIDED, w.hub_a, w.fiscal_year, w.coordinator, w.staff
    )
    service.perform(application, "request_change", w.coordinator, _fresh(application).version)
    plan = complete_plan(_fresh(application))
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 200_000, "travel": 50_000}
    service.save_plan(_fresh(application), plan, w.coordinator, _fresh(application).version)
    for action, user in (("submit", w.coordinator), ("start_review", w.staff)):
        service.perform(_fresh(application), action, user, _fresh(application).version)
    drive.through_approval(
        _fresh(application),
        "decide",
        w.staff,
        _fresh(application).version,
        decision=decision_input(_fresh(application)),
    )
    return current_decision(_fresh(application))


def test_change_notice_shows_each_menu_before_after_and_the_difference(apps_world):  # noqa: F811
    second = _changed(apps_world)
    first = second.supersedes
    assert first is not None
    notice = decision_notice_for(second)
    # By hand (cap 1,060,000円, 10/10): before 報償費 300,000 + 旅費 100,000 = 400,000;
    # after 200,000 + 50,000 = 250,000; difference 250,000 − 400,000 = △150,000
    assert notice.title == "変更交付決定通知書"
    assert [(c.label, c.before, c.after, c.difference) for c in notice.changes] == [
        ("多職種が参加する連携会議の開催", 400_000, 250_000, -150_000)
    ]
    assert (notice.total_before, notice.total, notice.total_difference) == (
        400_000,
        250_000,
        -150_000,
    )
    text = text_of(decision_notice_pdf(second))
    assert "変更交付決定通知書" in text
    assert f"{wareki_date(first.notice_date)}付け{first.notice_number}で交付決定した" in text
    assert second.notice_number in text
    assert "変更前の交付決定額変更後の交付決定額増減額" in text
    assert "400,000円250,000円△150,000円" in text
    assert decision_notice_filename(second).startswith("変更交付決定通知書_")
    # the first decision's notice keeps its own wording
    assert decision_notice_for(first).title == "交付決定通知書"
    assert decision_notice_pdf(second) == decision_notice_pdf(second)  # byte-identical


def test_change_lines_leave_out_menus_never_decided_and_add_new_ones():
    # a menu at 0 both times gets no line; a menu only in the change shows 0 → its amount
    lines = change_lines(
        [("会議", 400_000), ("研修", 0), ("啓発", 100_000)],
        [("会議", 250_000), ("研修", 0), ("啓発", 0), ("ICT", 120_000)],
    )
    assert [(c.label, c.before, c.after, c.difference) for c in lines] == [
        ("会議", 400_000, 250_000, -150_000),
        ("啓発", 100_000, 0, -100_000),
        ("ICT", 0, 120_000, 120_000),
    ]
