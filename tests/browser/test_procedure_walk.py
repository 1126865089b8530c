"""The 要綱's procedure walked in a real Chromium (issue 15), each person clicking from their
home page (no typed address but the login page): the coordinator applies, staff return it,
the coordinator resubmits, staff draft the decision, the 決裁権者 (another user) approves,
the coordinator downloads the notice and files a 変更承認申請, staff draft the change
decision, the approver approves, the coordinator submits the results, staff draft the 額の
確定, the approver approves, the coordinator files the 精算払請求 and staff record the
payment. Then a withdrawal by the coordinator, and an overdue refund listed to staff and
shown to the grantee. One browser and one live server for the file; the world of each test
is built with factories where a step is not the subject (the results report's content).

Amounts (the factories' catalogue, tests/subsidies/factories.py): 多職種が参加する連携会議の
開催, cap 1,060,000円 a recipient, rate 1/1, the year's rounding to 1,000円 below.
- plan: 報償費 300,000 + 旅費 100,000 = 400,000 ≤ cap → 交付決定 400,000円;
- change: 旅費 100,000 → 250,000: 300,000 + 250,000 = 550,000 → 変更交付決定 550,000円;
- results: 総事業費 = 実支出額 520,000 (no other income, nothing excluded) ≤ 550,000 and
  ≤ cap → 確定額 520,000円; nothing advanced (I = 0) → 精算払 520,000円."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from subsidies.models import (
    Application,
    ApplicationStatus,
    PaymentRequest,
    RequestStatus,
    ResultReport,
)
from subsidies.payments import services as payment_services
from tests.conftest import log_in
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, catalogue
from tests.subsidies.payments.test_payments import _confirm, case  # noqa: F401
from tests.subsidies.results.factories import fill_report
from zaitaku_portal.models import Role
from zaitaku_portal.wareki import fiscal_year_of, wareki_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = ApplicationStatus
MEETING = "多職種が参加する連携会議の開催"


def home(page, live_server, username: str):
    """Log out whoever was in, log in as `username`: the role's home page."""
    page.context.clear_cookies()
    log_in(page, live_server, username)


def todo(page, name):
    # the staff home lists the hub too: what follows must find it on the page the to-do opens
    with page.expect_navigation():
        page.get_by_role("region", name="次にすること").get_by_role("link", name=name).click()


def act(page, label: str, **fields):
    """Open the action's page from the object's page, fill it and press its button."""
    page.get_by_role("link", name=label, exact=True).click()
    for field, value in fields.items():
        control = page.get_by_label(field)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.get_by_role("button", name=label, exact=True).click()


def open_from_queue(page, hub_name: str):
    page.locator("main").get_by_role("link", name=hub_name).first.click()


def pdf_text(download) -> str:
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def fill_plan(page, travel: str):
    line = page.locator("fieldset.line", has_text=MEETING)
    if not line.get_by_label("補助を希望する（○）").is_checked():
        line.get_by_label("補助を希望する（○）").check()
    line.get_by_label("取り組み事項").fill("多職種連携会議を年4回開催")
    line.get_by_label("開始年度").select_option(label="R8〜")
    line.get_by_label("報償費").fill("300000")
    line.get_by_label("旅費").fill(travel)


def approve_first(page, live_server, kind: str, total: str):
    """The 決裁権者 from the home's to-do: the queue, the draft with its total, 決裁する."""
    home(page, live_server, "kacho")
    todo(page, re.compile("決裁待ち"))
    page.locator("[data-approval-queue]").get_by_role("link", name=kind, exact=True).click()
    expect(page.locator("[data-draft-total]")).to_have_text(total)
    page.get_by_role("button", name="決裁する").click()
    expect(page.locator("[data-draft-state]")).to_have_text("決裁済み")


def test_apply_to_payment_through_return_change_and_approvals(page, live_server, world):
    fy, _menus = catalogue(year=fiscal_year_of(timezone.localdate()))
    fy.notice_number_pattern = "8医政第{n}号"
    fy.save()
    drive.approver()  # kacho, the 決裁権者
    hub = world.hub_a.name

    # 1. The coordinator applies: home → the plan due → 作成 → the plan → 提出.
    home(page, live_server, "coordinator")
    todo(page, re.compile("交付申請（事業計画）を提出してください"))
    page.get_by_role("link", name=re.compile("交付申請を作成する")).click()
    page.get_by_role("button", name="作成する").click()
    page.get_by_label("区割りの考え方").fill("市町村ごとに1区割り")
    page.get_by_label("会議体の数").fill("2")
    page.get_by_label("会議体の構成員").fill("医師会、訪問看護ステーション、地域包括支援センター")
    fill_plan(page, travel="100000")
    page.get_by_role("button", name="保存して提出へ進む").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("#status")).to_have_text("提出済み")

    # 2. Staff return it with a reason: home → 提出された交付申請 → the application.
    home(page, live_server, "staff")
    todo(page, re.compile("提出された交付申請（審査待ち） 1件"))
    open_from_queue(page, hub)
    act(page, "審査を開始する")
    expect(page.locator("#status")).to_have_text("審査中")
    act(
        page,
        "差し戻す",
        差戻し理由="記載漏れ・添付書類の不足",
        差戻しの内容="会議体の構成員に市町村を加えてください。",
    )
    expect(page.locator("#status")).to_have_text("差戻し中")

    # 3. The coordinator reads the reason from the home, corrects and resubmits.
    home(page, live_server, "coordinator")
    todo(page, "差し戻された交付申請を直して再提出してください")
    expect(page.locator(".return-box")).to_contain_text("市町村を加えてください")
    page.get_by_role("link", name="事業計画を入力・編集する").click()
    page.get_by_label("会議体の構成員").fill(
        "医師会、訪問看護ステーション、地域包括支援センター、市"
    )
    page.get_by_role("button", name="保存して再提出へ進む").click()
    page.get_by_role("button", name="再提出する").click()
    expect(page.locator("#status")).to_have_text("再提出済み")

    # 4. Staff draft the decision (the number is left to the approval).
    home(page, live_server, "staff")
    todo(page, re.compile("再提出された交付申請（審査待ち） 1件"))
    open_from_queue(page, hub)
    act(page, "審査を開始する")
    act(page, "交付決定を起案する")
    expect(page.locator("#status")).to_have_text("決裁待ち")
    application = Application.objects.get(hub=world.hub_a)
    assert not application.decisions.exists()  # nothing takes effect before 決裁

    # 5. The approver (not the drafter) approves: numbered and dated now.
    approve_first(page, live_server, "交付決定", "400,000円")
    expect(page.locator(".facts")).to_contain_text("8医政第1号")

    # 6. The coordinator sees the decision and downloads the notice from the hub's page.
    home(page, live_server, "coordinator")
    page.locator("main").get_by_role("link", name=re.compile("交付申請")).first.click()
    expect(page.locator("#status")).to_have_text("交付決定済み")
    expect(page.locator("#decision")).to_contain_text("400,000円")
    with page.expect_download() as notice:
        page.get_by_role("link", name="交付決定通知書（PDF）をダウンロード").click()
    text = pdf_text(notice.value)
    assert "8医政第1号" in text and "400,000" in text

    # 7. The coordinator files a 変更承認申請: 旅費 100,000 → 250,000.
    act(page, "変更承認申請を作成する", 変更の理由="研修会を1回増やすため旅費を増額します。")
    page.get_by_role("link", name="事業計画を入力・編集する").click()
    fill_plan(page, travel="250000")
    page.get_by_role("button", name="保存して提出へ進む").click()
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("#status")).to_have_text("提出済み")
    expect(page.get_by_role("heading", level=1)).to_contain_text("変更承認申請")

    # 8. Staff draft the change decision; 9. the approver approves it.
    home(page, live_server, "staff")
    todo(page, re.compile("提出された交付申請（審査待ち） 1件"))
    open_from_queue(page, hub)
    act(page, "審査を開始する")
    act(page, "交付決定を起案する")
    expect(page.locator("#status")).to_have_text("決裁待ち")
    approve_first(page, live_server, "変更交付決定", "550,000円")
    expect(page.locator(".facts")).to_contain_text("8医政第2号")

    # 10. The coordinator starts the results report from the home and submits it; its
    # content (not the subject here) is written by the factory between the two clicks.
    home(page, live_server, "coordinator")
    todo(page, "実績報告を作成・提出してください")
    page.get_by_role("link", name=re.compile("実績報告を作成する")).first.click()
    with page.expect_navigation():  # the report exists once its page loads
        page.get_by_role("button", name=re.compile("作成する")).click()
    # the narrative and a meeting written by the factory; the expenses typed on the form
    fill_report(ResultReport.objects.get(application=application), {})
    page.reload()
    line = page.locator("fieldset", has_text=MEETING)
    line.get_by_label("報償費").fill("300000")
    line.get_by_label("旅費").fill("220000")
    line.get_by_label("総事業費（A）").fill("520000")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("実績報告を保存しました")).to_be_visible()
    act(page, "実績報告を提出する")
    expect(page.locator("#status")).to_have_text("提出済み")

    # 11. Staff draft the 額の確定 from the results queue; 12. the approver approves it.
    home(page, live_server, "staff")
    todo(page, re.compile("提出された実績報告（審査待ち） 1件"))
    open_from_queue(page, hub)
    act(page, "審査を開始する")
    page.get_by_role("link", name="額の確定を起案する").click()
    page.get_by_role("button", name="この額で起案する").click()
    expect(page.locator("#status")).to_have_text("決裁待ち")
    approve_first(page, live_server, "額の確定", "520,000円")

    # 13. The coordinator files the 精算払請求 from the home's to-do (520,000円 due).
    home(page, live_server, "coordinator")
    todo(page, "請求できる額")
    page.get_by_label("請求額（円）").fill("520,000")
    page.get_by_role("button", name="請求する").click()
    expect(page.get_by_text("交付請求を提出しました。")).to_be_visible()
    request = PaymentRequest.objects.get(application=application)
    assert (request.kind, request.amount) == ("settlement", 520_000)

    # 14. Staff record the payment date from the home's to-do.
    home(page, live_server, "staff")
    todo(page, re.compile("支払待ちの請求"))
    open_from_queue(page, hub)
    page.get_by_label("支払日").first.fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="支払を登録").click()
    expect(page.get_by_text("支払を登録しました。")).to_be_visible()
    request.refresh_from_db()
    assert request.status == RequestStatus.PAID


def test_coordinator_withdraws_from_the_hub_page(page, live_server, world):
    fy, _menus = catalogue(year=fiscal_year_of(timezone.localdate()))
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = application_in(
        S.SUBMITTED, world.hub_a, fy, coordinator, world.users[Role.PREFECTURE_STAFF]
    )
    home(page, live_server, "coordinator")
    page.locator("main").get_by_role("link", name=re.compile("交付申請")).first.click()
    act(page, "申請を取り下げる", 取下げの理由="体制が整わないため今年度は申請しません")
    expect(page.locator("#status")).to_have_text("取下げ")
    expect(page.locator("main")).to_contain_text("交付決定前の取下げ")
    assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN


def test_overdue_refund_is_listed_to_staff_and_shown_to_the_grantee(
    page,
    live_server,
    case,  # noqa: F811
):
    # confirmed 900,000, advanced 1,000,000: J = 1,000,000 − 900,000 = 100,000 to return,
    # ordered 40 days ago with the year's 20 days: due 20 days ago, nothing received.
    _confirm(case, total=900_000, advance=1_000_000)
    ordered = timezone.localdate() - datetime.timedelta(days=40)
    order = payment_services.issue_refund(
        case.application,
        case.staff,
        amount=100_000,
        notice_number="8医政第600号",
        notice_date=ordered,
    )
    assert order.due_date == ordered + datetime.timedelta(days=20)

    home(page, live_server, "staff")
    todo(page, re.compile("期限を過ぎた返還"))
    overdue = page.locator("main")
    expect(overdue).to_contain_text("8医政第600号")
    expect(overdue).to_contain_text("100,000円")
    expect(overdue).to_contain_text(case.hub_a.name)
    expect(overdue).to_contain_text(wareki_date(order.due_date))

    home(page, live_server, "coordinator")
    todo(page, "返還期限")
    main = page.locator("main")
    expect(main).to_contain_text("8医政第600号")
    expect(main).to_contain_text("100,000円")
    expect(main).to_contain_text(f"{wareki_date(order.due_date)}（期限経過）")
