"""Bounds on text and numbers (issue 12, points 5, 6 and 10; zaitaku_portal/bounds.py).

Each free-text field has a limit fit for its use, in the web form and in the Excel form;
each number has bounds that fit the domain; digits of other scripts, overflow and exponents
get a Japanese message naming the field or the cell, and nothing is saved; a malformed query
parameter is a Japanese 400 naming it; a name holds no control character."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.applications import excel
from subsidies.applications import services as service
from subsidies.models import (
    Activity,
    Application,
    ApplicationComment,
    ApplicationStatus,
    ResultExpense,
    ResultReport,
)
from subsidies.results.models import NARRATIVE_FIELDS
from tests.security.html_forms import Form, forms_of
from tests.subsidies.factories import application_in, catalogue, pick
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db
BIG = "x" * 800_000  # 0.8 MB: three of these made a version's PDF render for ten minutes


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    return client


def form_with(client, url: str, field: str) -> Form:
    """The form of the page that holds `field`, as a browser would submit it."""
    response = client.get(url)
    assert response.status_code == 200, url
    for form in forms_of(response.content.decode()):
        if field in form.names:
            return form
    raise AssertionError(f"no form with {field} on {url}")


def submit(client, url: str, field: str, value: str, action: str | None = None, **others):
    form = form_with(client, url, field)
    data = form.data(field, value)
    data.update({name: [v] for name, v in others.items()})
    return client.post(action or form.action or url, data)


def plan_state(application) -> tuple:
    application = Application.objects.get(pk=application.pk)
    return application.version, service.current_plan(application)


def edit_url(application) -> str:
    return reverse("subsidies:application_edit", args=[application.pk])


def line_field(application, menu_code: str, name: str) -> str:
    """The form name of a plan line's field (l<index>-<name>)."""
    for index, line in enumerate(service.lines_of(application)):
        if service.key_of(line) == menu_code or (
            line.menu.code == menu_code and line.designation_id
        ):
            return f"l{index}-{name}"
    raise AssertionError(menu_code)


# --- 5. free text: a limit per field, on the page and in the workbook ----------------------

PLAN_TEXTS = [
    ("district_policy", "区割りの考え方", 1_000),
    ("meeting_members", "会議体の構成員", 1_000),
    ("other_actions", "その他取り組み事項", 2_000),
]


@pytest.mark.parametrize(("name", "label", "limit"), PLAN_TEXTS)
def test_a_long_plan_text_is_refused_on_the_page_and_nothing_is_saved(
    coordinator, plan, name, label, limit
):
    before = plan_state(plan)
    response = submit(coordinator, edit_url(plan), name, BIG)
    assert f"「{label}」は{limit:,}文字以内で入力してください（入力は800000文字）。" in (
        response.content.decode()
    )
    assert plan_state(plan) == before
    submit(coordinator, edit_url(plan), name, "あ" * limit)  # the limit itself is fine
    assert plan_state(plan)[1][name] == "あ" * limit


def test_a_long_planned_action_is_refused_with_its_line(coordinator, plan):
    before = plan_state(plan)
    name = line_field(plan, "hub-meeting", "planned_actions")
    response = submit(coordinator, edit_url(plan), name, BIG)
    text = response.content.decode()
    assert (
        "「多職種が参加する連携会議の開催：取り組み事項」は2,000文字以内で入力してください" in text
    )
    assert plan_state(plan) == before


def _workbook(client, application):
    response = client.get(reverse("subsidies:excel_download", args=[application.pk]))
    return load_workbook(io.BytesIO(response.content))


def _upload_plan(client, application, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        reverse("subsidies:excel_upload", args=[application.pk]),
        {
            "version": application.version,
            "file": SimpleUploadedFile("申請.xlsx", buffer.getvalue()),
        },
    )


def _hub_row(workbook, menu_name="多職種が参加する連携会議の開催") -> int:
    sheet = workbook[excel.HUB_SHEET]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        if sheet[f"B{row}"].value == menu_name:
            return row
    raise AssertionError(menu_name)


@pytest.mark.parametrize(
    ("sheet", "cell", "label", "limit"),
    [
        (excel.MEETING_SHEET, "B3", "区割りの考え方", 1_000),
        (excel.MEETING_SHEET, "B6", "会議体の構成員", 1_000),
        (excel.MEETING_SHEET, "B8", "その他取り組み事項", 2_000),
        (excel.HUB_SHEET, "F", "取り組み事項", 2_000),
    ],
)
def test_a_long_text_in_the_plan_workbook_is_refused_with_its_cell(
    coordinator, plan, sheet, cell, label, limit
):
    workbook = _workbook(coordinator, plan)
    ref = cell if cell[1:] else f"{cell}{_hub_row(workbook)}"
    workbook[sheet][ref] = BIG
    before = plan_state(plan)
    text = _upload_plan(coordinator, plan, workbook).content.decode()
    # openpyxl keeps what Excel can hold (32,767 characters a cell): still far over
    assert f"シート「{sheet}」セル{ref}（{label}）は{limit:,}文字以内で入力してください" in text
    assert coordinator.session.get(f"excel_upload:{plan.pk}") is None
    assert plan_state(plan) == before


@pytest.fixture
def case(world):
    return worked_case(world)


def report_state():
    return (
        list(ResultReport.objects.values_list("version", "usefulness", "consultation_count")),
        list(ResultExpense.objects.order_by("pk").values_list("excluded_reason", "total_cost")),
        list(Activity.objects.order_by("pk").values_list("description", "attendance", "amount")),
    )


@pytest.mark.parametrize(("name", "label"), NARRATIVE_FIELDS.items())
def test_a_long_report_narrative_is_refused_and_nothing_is_saved(coordinator, case, name, label):
    url = reverse("results:report_edit", args=[case.report.pk])
    before = report_state()
    text = submit(coordinator, url, name, BIG).content.decode()
    assert f"「{label}」は4,000文字以内で入力してください（入力は800000文字）。" in text
    assert report_state() == before


def test_a_long_reason_for_an_excluded_amount_is_refused_on_the_page_and_in_the_workbook(
    coordinator, case
):
    url = reverse("results:report_edit", args=[case.report.pk])
    before = report_state()
    text = submit(coordinator, url, "e0-excluded_reason", BIG).content.decode()
    assert "対象外とする理由」は1,000文字以内で入力してください" in text
    workbook = load_workbook(
        io.BytesIO(coordinator.get(reverse("results:expenses_xlsx", args=[case.report.pk])).content)
    )
    sheet = workbook["実支出額"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("対象外とする理由") + 1, BIG)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = coordinator.post(
        reverse("results:expenses_upload", args=[case.report.pk]),
        {"file": SimpleUploadedFile("expenses.xlsx", buffer.getvalue())},
    )
    assert "の対象外とする理由は1,000文字以内で入力してください" in response.content.decode()
    assert report_state() == before


def test_a_long_activity_description_is_refused(coordinator, case):
    before = report_state()
    response = coordinator.post(
        reverse("results:activity_add", args=[case.report.pk]),
        {
            "version": case.report.version,
            "kind": "twenty_four_hour",
            "title": "24時間体制",
            "description": BIG,
        },
    )
    assert "「内容」は4,000文字以内で入力してください" in response.content.decode()
    assert report_state() == before


def test_long_comments_and_reasons_are_refused(client, world):
    """The comment, the return and rejection reasons, a reduced amount's reason."""
    fiscal_year, _ = catalogue(2026)
    staff = world.users[Role.PREFECTURE_STAFF]
    application = application_in(
        ApplicationStatus.UNDER_REVIEW,
        world.hub_a,
        fiscal_year,
        world.users[Role.HUB_COORDINATOR],
        staff,
    )
    client.force_login(staff)
    base = f"/subsidies/applications/{application.pk}/"
    response = client.post(base + "comment/", {"body": BIG}, follow=True)
    assert "「コメント」は2,000文字以内で入力してください" in response.content.decode()
    assert not ApplicationComment.objects.exists()
    for action, field, label in (
        ("return", "reason", "差戻しの内容（拠点に表示されます）"),
        ("reject", "reason", "理由"),
        ("decide", "reason0", "多職種が参加する連携会議の開催：減額の理由"),
    ):
        text = submit(client, base + f"action/{action}/", field, BIG).content.decode()
        assert f"「{label}」は" in text and "文字以内で入力してください" in text, action
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW


def test_a_long_end_reason_of_a_designation_is_refused(staff, world):
    response = staff.post(
        reverse("hospitals:end_designation", args=[world.designation_a.pk]),
        {"end_date": "2026-03-31", "reason": BIG},
        follow=True,
    )
    assert "「終了理由」は1,000文字以内で入力してください" in response.content.decode()
    world.designation_a.refresh_from_db()
    assert world.designation_a.status == "active"


# --- 6. numbers: bounds of the domain, no other script's digits ----------------------------

PLAN_NUMBERS = [
    (
        "planned_meetings",
        str(10**12),
        "「多職種連携会議の開催予定回数（年）」が大きすぎます。99以下",
    ),
    ("district_count", "40000", "「区割り数」が大きすぎます。99以下"),
    ("meeting_body_count", "100", "「会議体の数」が大きすぎます。99以下"),
    ("planned_meetings", "١٢", "「多職種連携会議の開催予定回数（年）」は整数で入力してください"),
    ("district_count", "፩", "「区割り数」は整数で入力してください"),
]


@pytest.mark.parametrize(("name", "value", "message"), PLAN_NUMBERS)
def test_plan_numbers_out_of_the_domain_are_refused_and_nothing_is_saved(
    coordinator, plan, name, value, message
):
    """On PostgreSQL 10**12 and 40000 overflowed a smallint (500); SQLite stored them."""
    before = plan_state(plan)
    response = submit(coordinator, edit_url(plan), name, value)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert plan_state(plan) == before


@pytest.mark.parametrize(
    ("menu", "name", "value", "message"),
    [
        ("hub-meeting", "expense_travel", "፩", "：旅費」は円単位の0以上の整数で入力してください"),
        (
            "hub-meeting",
            "expense_travel",
            "١٢٠٠٠",
            "：旅費」は円単位の0以上の整数で入力してください",
        ),
        (
            "hub-meeting",
            "expense_travel",
            str(2**70),
            "：旅費」が大きすぎます。10,000,000,000円以下",
        ),
        ("hub-meeting", "expense_travel", "9" * 5000, "：旅費」が大きすぎます。"),
        ("hub-meeting", "other_income", "1E+5000", "寄付金その他の収入」は円単位の0以上の整数"),
        ("hosp-training", "trainees", str(10**12), "：受講者数」が大きすぎます。9,999以下"),
        ("hosp-training", "half_days", "1000", "：半日数」が大きすぎます。999以下"),
        ("hosp-system", "months", "13", "：月数」が大きすぎます。12以下"),
    ],
)
def test_plan_line_numbers_are_bounded(coordinator, world, plan, menu, name, value, message):
    url, field = edit_url(plan), None
    if menu.startswith("hosp-"):
        # a hospital's lines have their own page once the hub adds it (issue 18)
        plan = pick(plan, world.designation_a, world.users[Role.HUB_COORDINATOR])
        url = reverse("subsidies:hospital_lines_edit", args=[plan.pk, world.designation_a.pk])
        names = [n for form in forms_of(coordinator.get(url).content.decode()) for n in form.names]
        field = next(n for n in names if n.endswith(f"-{name}"))
    before = plan_state(plan)
    response = submit(coordinator, url, field or line_field(plan, menu, name), value)
    assert message in response.content.decode()
    assert plan_state(plan) == before


def test_full_width_digits_are_still_read(coordinator, plan):
    submit(coordinator, edit_url(plan), "planned_meetings", "１２")
    submit(
        coordinator,
        edit_url(plan),
        line_field(plan, "hub-meeting", "expense_travel"),
        "１２，０００円",
    )
    data = plan_state(plan)[1]
    assert data["planned_meetings"] == 12
    assert data["lines"]["hub-meeting"]["expenses"]["travel"] == 12_000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1E+5000", "が大きすぎます。10,000,000,000円以下で入力してください"),
        ("9" * 5000, "が大きすぎます。10,000,000,000円以下で入力してください"),
        (2**70, "が大きすぎます。10,000,000,000円以下で入力してください"),
        ("١٢٠٠٠", "を金額として読めません"),
        ("NaN", "を金額として読めません"),
        ("Infinity", "を金額として読めません"),
    ],
)
def test_amount_cells_out_of_bounds_are_refused_with_the_cell(coordinator, plan, value, message):
    workbook = _workbook(coordinator, plan)
    row = _hub_row(workbook)
    workbook[excel.HUB_SHEET][f"M{row}"] = value  # 旅費
    before = plan_state(plan)
    text = _upload_plan(coordinator, plan, workbook).content.decode()
    assert f"シート「{excel.HUB_SHEET}」セルM{row}（旅費）" in text and message in text
    assert plan_state(plan) == before


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("B7", 10**12, "（多職種連携会議の開催予定回数（年））が大きすぎます。99以下"),
        ("B4", 40000, "（区割り数）が大きすぎます。99以下"),
        ("B5", "9" * 5000, "（会議体の数）が大きすぎます。99以下"),
        ("B7", "١٢", "を数として読めません"),
        ("B5", "NaN", "を数として読めません"),
    ],
)
def test_count_cells_out_of_bounds_are_refused_with_the_cell(
    coordinator, plan, cell, value, message
):
    workbook = _workbook(coordinator, plan)
    workbook[excel.MEETING_SHEET][cell] = value
    before = plan_state(plan)
    text = _upload_plan(coordinator, plan, workbook).content.decode()
    assert f"シート「{excel.MEETING_SHEET}」セル{cell}" in text and message in text
    assert plan_state(plan) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("፩", "の旅費は円単位の0以上の整数で入力してください（入力: ፩）"),
        (2**70, "の旅費が大きすぎます。10,000,000,000円以下で入力してください"),
        (1e300, "の旅費が大きすぎます。10,000,000,000円以下で入力してください"),
        ("9" * 5000, "の旅費が大きすぎます。10,000,000,000円以下で入力してください"),
    ],
)
def test_expense_cells_out_of_bounds_are_refused(coordinator, case, value, message):
    workbook = load_workbook(
        io.BytesIO(coordinator.get(reverse("results:expenses_xlsx", args=[case.report.pk])).content)
    )
    sheet = workbook["実支出額"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "w-training":
            row[headers.index("旅費")].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = report_state()
    response = coordinator.post(
        reverse("results:expenses_upload", args=[case.report.pk]),
        {"file": SimpleUploadedFile("expenses.xlsx", buffer.getvalue())},
    )
    assert message in response.content.decode()
    assert report_state() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("consultation_count", str(10**12), "「相談件数」が大きすぎます。99,999以下"),
        ("consultation_count", "١٢", "「相談件数」は整数で入力してください"),
        ("e0-total_cost", str(2**70), "総事業費（A）」が大きすぎます。10,000,000,000円以下"),
        ("e0-total_cost", "፩", "総事業費（A）」は円単位の0以上の整数で入力してください"),
    ],
)
def test_report_numbers_are_bounded(coordinator, case, field, value, message):
    before = report_state()
    url = reverse("results:report_edit", args=[case.report.pk])
    assert message in submit(coordinator, url, field, value).content.decode()
    assert report_state() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attendance", str(10**12), "「参加者数」が大きすぎます。9,999以下"),
        ("attendance", "١٢", "「参加者数」は整数で入力してください"),
        ("prof0", "40000", "「職種別の参加者数（医師）」が大きすぎます。9,999以下"),
        ("amount", str(2**70), "「金額」が大きすぎます。10,000,000,000円以下"),
    ],
)
def test_activity_numbers_are_bounded(coordinator, case, field, value, message):
    before = report_state()
    data = {
        "version": case.report.version,
        "kind": "training",
        "title": "研修",
        "held_on": "2026-09-01",
        "attendance": "20",
        field: value,
    }
    response = coordinator.post(reverse("results:activity_add", args=[case.report.pk]), data)
    assert message in response.content.decode()
    assert report_state() == before


def test_advance_and_what_if_amounts_are_bounded(staff, case):
    response = staff.post(
        reverse("results:advances", args=[case.application.pk]),
        {"recipient": "hub", "amount": "፩", "paid_on": "2026-06-01", "note": ""},
    )
    assert "「支払額」は円単位の0以上の整数で入力してください（入力: ፩）。" in (
        response.content.decode()
    )
    menu = case.menus["meeting"]
    response = staff.get(
        reverse("subsidies:what_if", args=[2026]),
        {f"cap{menu.pk}": str(2**70), f"rate{menu.pk}": "፩/2"},
    )
    text = response.content.decode()
    assert f"「{menu.name} 上限額」が大きすぎます。10,000,000,000円以下" in text
    assert f"「{menu.name} 補助率」は 1/2・2/3・10/10 のような分数で入力してください" in text


def test_deleting_an_activity_with_a_malformed_version_deletes_nothing(coordinator, case):
    activity = case.report.activities.first()
    url = reverse("results:activity_delete", args=[case.report.pk, activity.pk])
    for version in ("፩", "9" * 5000, ""):
        response = coordinator.post(url, {"version": version}, follow=True)
        assert "画面を再読み込みして" in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()


# --- 6. query parameters: a Japanese 400 naming the parameter ------------------------------


@pytest.mark.parametrize("value", ["፩", "abc", "-1", "9" * 5000, "1E+5"])
def test_a_malformed_area_on_the_dashboard_is_a_japanese_400(client, world, value):
    client.force_login(world.users[Role.HEALTH_CENTER])
    response = client.get(reverse("reports:dashboard"), {"area": value})
    assert response.status_code == 400
    assert "「在宅医療圏」（area）の指定" in response.content.decode()


def test_the_dashboard_still_reads_its_own_links(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    full_width = str(world.area_a.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert client.get(reverse("reports:dashboard"), {"area": full_width}).status_code == 200
    assert client.get(reverse("reports:dashboard"), {"area": world.area_b.pk}).status_code == 404
    assert client.get(reverse("reports:dashboard"), {"area": "", "year": ""}).status_code == 200
    response = client.get(reverse("reports:dashboard"), {"year": "1999"})
    assert response.status_code == 400 and "「年度」（year）" in response.content.decode()


@pytest.mark.parametrize("value", ["0", "99999", "፩", "２０２４年"])
def test_a_malformed_year_of_the_designation_history_is_a_japanese_400(client, world, value):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    response = client.get(reverse("hospitals:history"), {"year": value})
    assert response.status_code == 400
    assert "「年度」（year）の指定" in response.content.decode()


def test_the_designation_history_reads_full_width_years(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    response = client.get(reverse("hospitals:history"), {"year": "２０２４"})
    assert response.status_code == 200 and "令和6年度に指定されていた医療機関" in (
        response.content.decode()
    )


@pytest.mark.parametrize("value", ["甲\x00", "甲\n拠点", "拠" * 101])
def test_a_hub_search_with_a_control_character_or_too_long_is_a_japanese_400(client, world, value):
    """NUL in a PostgreSQL query is refused by the database itself (a 500 there)."""
    client.force_login(world.users[Role.HEALTH_CENTER])
    response = client.get(reverse("hubs:list"), {"q": value})
    assert response.status_code == 400
    assert "「拠点名・運営主体名」（q）" in response.content.decode()


def test_a_malformed_version_number_of_the_diff_is_a_japanese_400(client, world):
    from tests.subsidies.url_expectations import _pk

    client.force_login(world.users[Role.HUB_COORDINATOR])
    from tests.factories import FiscalYearFactory

    FiscalYearFactory(year=2026)
    url = reverse("subsidies:version_diff", kwargs=_pk(world, submitted=True))
    assert client.get(url, {"b": "፩"}).status_code == 400
    assert client.get(url, {"b": "7"}).status_code == 404  # well-formed, no such version
    assert client.get(url, {"b": "１"}).status_code == 200


@pytest.mark.parametrize("name", ["review_home", "bulk_review", "review_export"])
def test_a_malformed_filter_of_the_review_queue_is_a_400_not_the_whole_queue(staff, world, name):
    """A filter it could not read used to be dropped: the bulk start of review then covered
    every submitted application of the prefecture."""
    response = staff.get(reverse(f"subsidies:{name}"), {"area": "፩", "status": "submitted"})
    assert response.status_code == 400
    assert "絞り込みの「在宅医療圏」（area）の指定が正しくありません" in response.content.decode()
    assert staff.get(reverse(f"subsidies:{name}"), {"area": world.area_a.pk}).status_code == 200


def test_candidates_refuse_a_malformed_municipality_or_area(staff, world):
    url = reverse("hospitals:candidates")
    response = staff.get(url, {"municipality": "፩"})
    assert (
        response.status_code == 400 and "「市区町村」（municipality）" in response.content.decode()
    )
    municipality = world.area_a.municipalities.first()
    response = staff.post(
        url,
        {
            "municipality": municipality.pk,
            "area": "፩",
            "start_date": "2026-04-01",
            "institution": [str(world.hospital_a.pk)],
        },
        follow=True,
    )
    assert "「在宅医療圏」の指定「፩」が正しくありません。" in response.content.decode()


# --- 10. names hold one line of visible text -----------------------------------------------


def admin_change(client, model, obj, field: str, value: str):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    form = form_with(client, url, field)
    data = form.data(field, value)
    data.setdefault("_save", ["保存"])
    return client.post(url, data)


@pytest.mark.parametrize(
    "name", ["甲拠点\r\nBcc: x@example.jp", "甲\t拠点", "甲\u2028拠点", "甲\u202e拠点"]
)
def test_a_hub_name_with_a_control_character_is_refused_in_the_admin(client, world, name):
    from hubs.models import Hub

    client.force_login(world.users[Role.ADMINISTRATOR])
    response = admin_change(client, Hub, world.hub_a, "name", name)
    assert response.status_code == 200
    assert "改行・タブなどの制御文字" in response.content.decode()
    world.hub_a.refresh_from_db()
    assert world.hub_a.name == "甲拠点"


def test_every_name_refuses_control_characters(client, world):
    """Institutions, areas and users (shared models: refused by every one-line field of the
    admin), coordinators (by the model)."""
    from hospitals.models import MedicalInstitution
    from hubs.models import HubCoordinator
    from zaitaku_portal.models import HomeCareArea, User

    client.force_login(world.users[Role.ADMINISTRATOR])
    coordinator = HubCoordinator.objects.get(hub=world.hub_a)
    for model, obj, field in (
        (MedicalInstitution, world.hospital_a, "name"),
        (HomeCareArea, world.area_a, "name"),
        (HubCoordinator, coordinator, "name"),
        (User, world.users[Role.HEALTH_CENTER], "full_name"),
    ):
        before = getattr(obj, field)
        response = admin_change(client, model, obj, field, "甲\n乙")
        assert "改行・タブなどの制御文字（U+000A）は使えません" in response.content.decode(), model
        obj.refresh_from_db()
        assert getattr(obj, field) == before


def test_the_hub_model_refuses_a_name_with_a_line_break_on_import():
    """The admin import (django-import-export) cleans model instances: the model's own
    validator is what refuses there."""
    from django.core.exceptions import ValidationError

    from hubs.models import Hub

    hub = Hub(
        name="拠点\r\n",
        operator_type="other",
        operator_name="x",
        designated_from=datetime.date.today(),
    )
    with pytest.raises(ValidationError) as refused:
        hub.full_clean(exclude=["areas"])
    assert "name" in refused.value.message_dict


def test_one_definition_of_the_bounds_is_read_by_form_and_model():
    from subsidies.applications.forms import PlanForm
    from subsidies.models import MenuPlan
    from zaitaku_portal import bounds

    assert bounds.max_value_of(Application, "district_count") == 99
    assert bounds.max_length_of(MenuPlan, "planned_actions") == bounds.TEXT
    assert PlanForm.base_fields["district_count"].max_value == 99
    assert PlanForm.base_fields["district_policy"].max_length == bounds.SHORT_TEXT
    assert bounds.whole_number("１２，０００円") == 12_000
    assert bounds.whole_number("١٢") is None and bounds.whole_number("፩") is None
    assert bounds.whole_number("9" * 5000) == bounds.OVER > bounds.YEN_MAX
    assert bounds.whole_number("1E+5") is None and bounds.whole_number("-1") is None
