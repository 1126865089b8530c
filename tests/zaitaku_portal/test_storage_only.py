"""No production code writes files outside Django's storage API (issue 16).

On two web hosts a file written to one host's disk is missing on the other: attachments,
minutes, batch results and the admin import held between preview and confirmation all go
through `STORAGES["default"]` (the file system or S3-compatible object storage,
zaitaku_portal/settings.py). This test reads every production module's syntax tree and fails
on what would reach the local disk instead: the built-in `open()`, writing a file by path
(`write_text`, `write_bytes`, `mkdir`, ...), a file opened for writing by path, `tempfile`
and `shutil`, MEDIA_ROOT, a FileSystemStorage made by hand, and a stored file's local `.path`
or public `.url`. What remains is listed in ALLOWED with the reason it is fine."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("zaitaku_portal", "hubs", "hospitals", "subsidies", "reports")

WRITING_CALLS = {
    "write_text",
    "write_bytes",
    "mkdir",
    "makedirs",
    "touch",
    "unlink",
    "rmdir",
    "rmtree",
    "rename",
    "chmod",
    "temporary_file_path",
}
FORBIDDEN_MODULES = {"tempfile", "shutil"}
FORBIDDEN_NAMES = {"MEDIA_ROOT", "FILE_UPLOAD_TEMP_DIR", "FileSystemStorage"}
# A model's FileField (attachment.file, activity.minutes, job.result): its `.path` only exists
# on the file system and its `.url` would be a public bucket address.
FILE_FIELDS = {"file", "minutes", "result", "receipt", "receipts"}

# (module, what) -> why it is fine
ALLOWED = {
    ("zaitaku_portal/settings.py", "MEDIA_ROOT"): (
        "defines where FileSystemStorage keeps files when no bucket is configured"
    ),
    ("subsidies/catalogue/services.py", "open()"): (
        "reads the catalogue fixture shipped with the code (fixtures/), never a user's file"
    ),
    ("reports/batches.py", "import tempfile"): (
        "a SpooledTemporaryFile assembles a batch's ZIP inside one task (in memory, on the "
        "worker's disk only beyond 64 MB), which then saves it to the storage; no other "
        "process ever reads it"
    ),
    # The render child's scratch folder (issue 21): WeasyPrint copies the two fonts it loads
    # into a temporary folder; each warm child makes its own and removes it when it ends.
    # Nothing in it is a user's file or is read by another process or host.
    ("reports/pdf_sandbox.py", "import tempfile"): (
        "the render child's private scratch folder for WeasyPrint's font copies"
    ),
    ("reports/pdf_sandbox.py", "import shutil"): ("removes that scratch folder"),
    ("reports/pdf_sandbox.py", ".rmtree()"): ("removes that scratch folder when the child ends"),
}


def _writing_mode(call: ast.Call) -> bool:
    modes = [arg for arg in call.args[:1] if isinstance(arg, ast.Constant)]
    modes += [kw.value for kw in call.keywords if kw.arg == "mode"]
    return any(
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and set(mode.value) & set("wax+")
        for mode in modes
    )


def _called(node: ast.Call) -> str | None:
    function = node.func
    if isinstance(function, ast.Name) and function.id == "open":
        return "open()"
    if isinstance(function, ast.Attribute):
        if function.attr in WRITING_CALLS:
            return f".{function.attr}()"
        named = isinstance(function.value, ast.Name) and function.value.id
        if function.attr == "open" and named in {"os", "io", "codecs"}:
            return f"{named}.open()"
        if function.attr == "open" and _writing_mode(node):
            return ".open() for writing"
    return None


def _field_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _finding(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        return _called(node)
    if isinstance(node, ast.Import):
        hits = [alias.name for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        return f"import {hits[0]}" if hits else None
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
        return f"import {node.module}"
    if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
        return node.id
    if isinstance(node, ast.Attribute):
        if node.attr in FORBIDDEN_NAMES:
            return node.attr
        if node.attr in {"path", "url"} and _field_of(node.value) in FILE_FIELDS:
            return f"FileField.{node.attr}"
    if isinstance(node, ast.Constant) and node.value in FORBIDDEN_NAMES:
        return node.value  # a setting read by name: getattr(settings, "MEDIA_ROOT")
    return None


def findings_in(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        what = _finding(node)
        if what:
            found.append((getattr(node, "lineno", 0), what))
    return sorted(set(found))


def production_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.endswith("settings_test.py"):
                continue
            yield relative, path


def all_findings() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for relative, path in production_modules():
        for line, what in findings_in(path.read_text(encoding="utf-8")):
            found.setdefault((relative, what), []).append(line)
    return found


def test_no_production_module_writes_files_outside_the_storage_api():
    outside = {
        f"{module}:{lines[0]} {what}": lines
        for (module, what), lines in all_findings().items()
        if (module, what) not in ALLOWED
    }
    assert not outside, (
        "Files go through django.core.files.storage (default_storage, a FileField); "
        f"a local file would be missing on the other host: {sorted(outside)}"
    )


def test_every_allowed_use_is_still_there():
    """An exception nobody needs any more is removed from ALLOWED, so the list stays true."""
    found = all_findings()
    stale = [key for key in ALLOWED if key not in found]
    assert not stale, f"remove from ALLOWED: {stale}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("open('/tmp/x', 'wb').write(data)", "open()"),
        ("Path('/tmp/x').write_bytes(data)", ".write_bytes()"),
        ("(settings.MEDIA_ROOT / 'x').mkdir(parents=True)", ".mkdir()"),
        ("target.open('w')", ".open() for writing"),
        ("target.open(mode='ab')", ".open() for writing"),
        ("import tempfile", "import tempfile"),
        ("from shutil import copyfileobj", "import shutil"),
        ("root = settings.MEDIA_ROOT", "MEDIA_ROOT"),
        ("root = getattr(settings, 'MEDIA_ROOT')", "MEDIA_ROOT"),
        ("storage = FileSystemStorage(location='/srv')", "FileSystemStorage"),
        ("weasyprint.HTML(attachment.file.path)", "FileField.path"),
        ("return redirect(job.result.url)", "FileField.url"),
        ("name = upload.temporary_file_path()", ".temporary_file_path()"),
        ("fd = os.open(name, os.O_WRONLY)", "os.open()"),
    ],
)
def test_the_scan_finds_each_way_to_the_local_disk(source, expected):
    assert expected in [what for _line, what in findings_in(source)]


@pytest.mark.parametrize(
    "source",
    [
        "attachment.file.open('rb').read()",  # a stored file read through its storage
        "default_storage.save(name, ContentFile(data))",
        "job.result.save(name, ContentFile(data), save=False)",
        "with zipfile.ZipFile(buffer, 'w') as archive: pass",  # into memory
        "if request.path == '/healthz': pass",
        "with archive.open(part) as stream: pass",  # a member of an xlsx in memory
    ],
)
def test_the_storage_api_and_memory_pass(source):
    assert findings_in(source) == []


# --- the admin import's file between preview and confirmation ---------------------------


@pytest.mark.django_db
def test_the_admin_import_holds_its_file_in_the_storage_not_in_tmp(
    client, world, settings, tmp_path
):
    """Preview on one host, confirm on another: the file import-export keeps between the two
    is in the default storage (shared by the hosts), not in the previewing host's /tmp."""
    import tempfile

    from django.core.files.storage import default_storage
    from import_export.formats.base_formats import XLSX
    from openpyxl import load_workbook

    from hubs.models import Hub
    from tests.hospitals.test_admin_import_export import _import, export
    from zaitaku_portal.models import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    staff = world.users[Role.PREFECTURE_STAFF]
    client.force_login(staff)
    data, _ = export(Hub, staff, XLSX())
    workbook = load_workbook(io.BytesIO(XLSX().export_data(data)))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == "甲拠点":
            row[header.index("desk_hours_per_week")].value = 12
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = _import(client, Hub, buffer.getvalue(), "拠点.xlsx", 0)
    held = preview.context["confirm_form"].initial["import_file_name"]
    assert default_storage.exists(f"django-import-export/{held}")
    assert (tmp_path / "media" / "django-import-export" / held).is_file()
    assert not (Path(tempfile.gettempdir()) / held).exists()

    confirm = client.post(
        "/admin/hubs/hub/process_import/", preview.context["confirm_form"].initial
    )
    assert confirm.status_code == 302
    world.hub_a.refresh_from_db()
    assert world.hub_a.desk_hours_per_week == 12
    assert not default_storage.exists(f"django-import-export/{held}")  # removed once used


# --- the storage and cache settings from the environment --------------------------------


def settings_in_a_fresh_interpreter(**environment) -> dict:
    """zaitaku_portal.settings as a new process with `environment` reads it."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import json; from zaitaku_portal import settings as s; "
        "print(json.dumps({'storage': s.STORAGES['default'], 'cache': s.CACHES['default'], "
        "'proxy_ssl': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'import_tmp': s.IMPORT_EXPORT_TMP_STORAGE_CLASS}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "REDIS_"))}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_DEBUG": "1", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_files_on_the_file_system_and_a_file_cache_by_default():
    found = settings_in_a_fresh_interpreter()
    assert found["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["cache"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert found["import_tmp"] == "import_export.tmp_storages.MediaStorage"


def test_a_bucket_and_redis_from_the_environment():
    found = settings_in_a_fresh_interpreter(
        PORTAL_S3_BUCKET="zaitaku-files",
        PORTAL_S3_ENDPOINT_URL="https://s3.example.jp",
        PORTAL_S3_REGION="ap-northeast-1",
        PORTAL_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        PORTAL_S3_SECRET_ACCESS_KEY="example-secret",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert found["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = found["storage"]["OPTIONS"]
    assert options["bucket_name"] == "zaitaku-files"
    assert options["endpoint_url"] == "https://s3.example.jp"
    assert options["region_name"] == "ap-northeast-1"
    assert (options["access_key"], options["secret_key"]) == ("AKIAEXAMPLE", "example-secret")
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert found["cache"]["BACKEND"] == "zaitaku_portal.cache.RedisCache"
    assert found["cache"]["LOCATION"] == "redis://cache.internal:6379/2"


def test_without_keys_the_bucket_uses_the_usual_aws_chain():
    options = settings_in_a_fresh_interpreter(PORTAL_S3_BUCKET="zaitaku-files")["storage"][
        "OPTIONS"
    ]
    assert "access_key" not in options and "secret_key" not in options


@pytest.mark.parametrize(
    ("proxies", "expected"), [("", None), ("10.0.0.5", ["HTTP_X_FORWARDED_PROTO", "https"])]
)
def test_the_https_header_is_trusted_only_with_trusted_proxies(proxies, expected):
    found = settings_in_a_fresh_interpreter(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="portal.example.jp",
        PORTAL_TRUSTED_PROXIES=proxies,
    )
    assert found["proxy_ssl"] == expected
