"""Generic xlsx/csv import (with preview) and export of master data from the admin:
formula escaping, scoping through zaitaku_portal.access, and the import preview."""

import io

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import load_workbook

from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from hubs.models import Hub
from subsidies.models import SubsidyMenu
from tests.factories import FiscalYearFactory, SubsidyMenuFactory
from zaitaku_portal.exports import escape_formula
from zaitaku_portal.models import HomeCareArea, Role

MODELS = [Hub, MedicalInstitution, ActiveHospitalDesignation, HomeCareArea, SubsidyMenu]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+81-98-000", "'+81-98-000"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("北山病院", "北山病院"),
        (-5, -5),
        (None, None),
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


def export(model, user, file_format):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    return model_admin.get_data_for_export(request, model._default_manager.all()), model_admin


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_master_exports_xlsx_and_csv_for_staff(world, model):
    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026))
    staff = world.users[Role.PREFECTURE_STAFF]
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = staff
    queryset = model._default_manager.all()
    xlsx = model_admin.get_export_data(XLSX(), request, queryset)
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert len(rows) == queryset.count() + 1
    text = model_admin.get_export_data(CSV(), request, queryset)
    assert len(text.strip().splitlines()) == queryset.count() + 1


def test_export_escapes_formulas(world):
    world.hub_a.operator_name = '=HYPERLINK("http://example.invalid","開く")'
    world.hub_a.save()
    world.hospital_a.name = "@SUM(1+1)"
    world.hospital_a.save()
    staff = world.users[Role.PREFECTURE_STAFF]
    data, _ = export(Hub, staff, XLSX())
    row = next(r for r in data.dict if r["name"] == "甲拠点")
    assert row["operator_name"] == '\'=HYPERLINK("http://example.invalid","開く")'
    data, _ = export(MedicalInstitution, staff, XLSX())
    assert "'@SUM(1+1)" in [r["name"] for r in data.dict]


def test_export_is_scoped_by_role(world):
    """The admin is for staff only, but the export asks access.py all the same."""
    health_center = world.users[Role.HEALTH_CENTER]
    data, _ = export(HomeCareArea, health_center, CSV())
    assert [r["name"] for r in data.dict] == ["甲圏域"]
    data, _ = export(ActiveHospitalDesignation, health_center, CSV())
    assert [r["institution"] for r in data.dict] == [world.hospital_a.code]
    data, _ = export(Hub, world.users[Role.HUB_COORDINATOR], CSV())
    assert [r["name"] for r in data.dict] == ["甲拠点"]


def test_only_staff_may_import_or_export(world):
    request = RequestFactory().get("/")
    for role, allowed in [(Role.PREFECTURE_STAFF, True), (Role.HEALTH_CENTER, False)]:
        request.user = world.users[role]
        for model in MODELS:
            model_admin = admin.site._registry[model]
            assert model_admin.has_import_permission(request) is allowed
            assert model_admin.has_export_permission(request) is allowed


def _import(client, model, content: bytes, name: str, input_format: int):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_import")
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url, {"import_file": upload, "format": input_format, "resource": 0})


def test_import_hubs_from_xlsx_previews_then_confirms(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    staff = world.users[Role.PREFECTURE_STAFF]
    data, _ = export(Hub, staff, XLSX())
    # an exported sheet, edited: one hub's desk hours changed, formula-looking text kept
    workbook = load_workbook(io.BytesIO(XLSX().export_data(data)))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == "甲拠点":
            row[header.index("desk_hours_per_week")].value = 12
            row[header.index("note")].value = "'=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(client, Hub, buffer.getvalue(), "拠点.xlsx", 0)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["confirm_form"] is not None and "甲拠点" in page
    world.hub_a.refresh_from_db()
    assert world.hub_a.desk_hours_per_week == 20  # preview only
    form = response.context["confirm_form"]
    confirm_url = reverse("admin:hubs_hub_process_import")
    response = client.post(confirm_url, {**form.initial})
    assert response.status_code == 302
    world.hub_a.refresh_from_db()
    assert world.hub_a.desk_hours_per_week == 12
    assert world.hub_a.note == "=1+1"  # the export's apostrophe is removed on import
    assert list(world.hub_a.areas.all()) == [world.area_a]


def test_import_with_a_bad_row_writes_nothing(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    csv_text = "code,name,kind,municipality\n4711000012,新規診療所,clinic,\n12345,桁不足,clinic,\n"
    response = _import(client, MedicalInstitution, csv_text.encode(), "医療機関.csv", 1)
    assert response.status_code == 200
    assert "医療機関コードは半角数字10桁で入力してください。" in response.content.decode()
    assert not MedicalInstitution.objects.filter(name="新規診療所").exists()
