from tests.url_cases import ANONYMOUS, STAFF, UrlCase, everyone, hospital_gets, only
from zaitaku_portal.models import Role


def _run(world):
    from hospitals.models import RegistryImportRun

    run = RegistryImportRun.objects.create(
        uploaded_by=world.users[Role.PREFECTURE_STAFF],
        file_name="名簿.xlsx",
        status=RegistryImportRun.Status.REJECTED,
    )
    return {"pk": run.pk}


def _group(area) -> int:
    import datetime

    from hospitals.models import FacilityGroup

    group, _ = FacilityGroup.objects.get_or_create(
        area=area, name=f"{area.name}在宅グループ", defaults={"as_of": datetime.date(2023, 2, 1)}
    )
    return group.pk


def _group_other() -> dict:
    outcome = only((*STAFF, Role.HEALTH_CENTER))
    outcome[Role.HEALTH_CENTER] = 404
    return outcome


def _public(status: int) -> dict:
    return {ANONYMOUS: status, **{role: status for role in Role}}


CASES = [
    UrlCase("hospitals:list", everyone(200)),
    UrlCase(
        "hospitals:institution_detail",
        everyone(200),
        kwargs=lambda w: {"pk": w.hospital_a.pk},
        label="own scope",
    ),
    UrlCase(
        "hospitals:institution_detail",
        only(STAFF, 200, others=404),
        kwargs=lambda w: {"pk": w.hospital_b.pk},
        label="other scope",
    ),
    UrlCase("hospitals:registry_imports", only(STAFF)),
    UrlCase("hospitals:registry_import_detail", only(STAFF), kwargs=_run),
    # confirm is POST only: staff get 405 on GET, everyone else is refused first
    UrlCase("hospitals:registry_import_confirm", only(STAFF, 405), kwargs=_run),
    # the rows left out of a run, as xlsx (issue 17)
    UrlCase("hospitals:registry_import_held", only(STAFF), kwargs=_run),
    UrlCase("hospitals:candidates", only(STAFF)),
    UrlCase(
        "hospitals:end_designation",
        only(STAFF),
        kwargs=lambda w: {"pk": w.designation_a.pk},
        label="own scope",
    ),
    UrlCase(
        "hospitals:end_designation",
        only(STAFF),
        kwargs=lambda w: {"pk": w.designation_b.pk},
        label="other scope (staff see the whole prefecture)",
    ),
    UrlCase(
        "hospitals:designation_edit",
        only(STAFF),
        kwargs=lambda w: {"pk": w.designation_a.pk},
        label="own scope",
    ),
    UrlCase(
        "hospitals:designation_edit",
        only(STAFF),
        kwargs=lambda w: {"pk": w.designation_b.pk},
        label="other scope (staff see the whole prefecture)",
    ),
    # the groups and the coverage are of areas: not a hospital contact's pages (issue 18);
    # its own designations, institution and their history it sees
    UrlCase("hospitals:facility_groups", hospital_gets(403, everyone(200))),
    UrlCase(
        "hospitals:facility_groups",
        hospital_gets(403, only(STAFF, 200, others=404)),
        query=lambda w: f"?area={w.area_b.pk}",
        label="other area",
    ),
    UrlCase(
        "hospitals:facility_group_new",
        only((*STAFF, Role.HEALTH_CENTER)),
        kwargs=lambda w: {"area_pk": w.area_a.pk},
        label="own",
    ),
    UrlCase(
        "hospitals:facility_group_new",
        _group_other(),
        kwargs=lambda w: {"area_pk": w.area_b.pk},
        label="other scope",
    ),
    UrlCase(
        "hospitals:facility_group_edit",
        only((*STAFF, Role.HEALTH_CENTER)),
        kwargs=lambda w: {"pk": _group(w.area_a)},
        label="own",
    ),
    UrlCase(
        "hospitals:facility_group_edit",
        _group_other(),
        kwargs=lambda w: {"pk": _group(w.area_b)},
        label="other scope",
    ),
    UrlCase("hospitals:history", everyone(200)),
    UrlCase("hospitals:history", everyone(200), query="?year=2024", label="fiscal year"),
    UrlCase("hospitals:coverage", hospital_gets(403, everyone(200))),
    UrlCase("hospitals:coverage_xlsx", hospital_gets(403, everyone(200))),
    UrlCase("hospitals:public_list", _public(200), public=True),
    UrlCase(
        "hospitals:public_download", _public(200), kwargs=lambda w: {"fmt": "csv"}, public=True
    ),
    UrlCase(
        "hospitals:public_download",
        _public(200),
        kwargs=lambda w: {"fmt": "xlsx"},
        label="xlsx",
        public=True,
    ),
    UrlCase(
        "hospitals:public_download",
        _public(404),
        kwargs=lambda w: {"fmt": "pdf"},
        label="unknown format",
        public=True,
    ),
]
