"""The documented backup (pg_dump -Fc) and restore (pg_restore) keep every amount and every
history entry: dump the test database, restore it into a new one, compare table by table."""

import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from tests.reports.workflow import okinawa_fy2026, returned_then_decided
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = {
    "交付決定": "SELECT notice_number, total_amount FROM subsidies_decision ORDER BY id",
    "交付決定の内訳": "SELECT menu_id, computed_amount, decided_amount, reason"
    " FROM subsidies_decisionline ORDER BY id",
    "提出された版": "SELECT application_id, number, label, snapshot::text"
    " FROM subsidies_applicationversion ORDER BY id",
    "監査記録": "SELECT at, actor_id, action, target_type, target_id, changes::text, reason"
    " FROM zaitaku_portal_auditentry ORDER BY id",
    "補助メニュー": "SELECT code, cap_amount, rate_numerator, rate_denominator"
    " FROM subsidies_subsidymenu ORDER BY id",
}


def rows(dsn: str) -> dict[str, list]:
    with psycopg.connect(dsn) as db:
        return {name: db.execute(sql).fetchall() for name, sql in CHECKS.items()}


def test_pg_dump_and_restore_keep_every_amount_and_history_entry(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the backup procedure is for PostgreSQL (production)")
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is not installed (postgresql-client)")
    returned_then_decided(
        world.hub_a,
        world.users[Role.HUB_COORDINATOR],
        world.users[Role.PREFECTURE_STAFF],
        okinawa_fy2026(),
    )
    settings = connection.settings_dict
    host = settings.get("HOST") or "127.0.0.1"
    port = str(settings.get("PORT") or 5432)
    user = settings.get("USER") or "postgres"
    source = settings["NAME"]
    restored = f"{source}_restored"
    dump = tmp_path / "zaitaku.dump"
    base = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["pg_dump", *base, "-Fc", "-f", str(dump), source], check=True)  # noqa: S603,S607
    subprocess.run(["dropdb", *base, "--if-exists", restored], check=True)  # noqa: S603,S607
    subprocess.run(["createdb", *base, restored], check=True)  # noqa: S603,S607
    try:
        subprocess.run(  # noqa: S603
            ["pg_restore", *base, "--no-owner", "-d", restored, str(dump)],  # noqa: S607
            check=True,
        )
        before = rows(f"host={host} port={port} user={user} dbname={source}")
        after = rows(f"host={host} port={port} user={user} dbname={restored}")
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", restored], check=True)  # noqa: S603,S607
    assert len(before["交付決定"]) == 1
    assert len(before["提出された版"]) == 2
    assert len(before["監査記録"]) >= 8
    assert after == before
