"""Benchmark: the plan page (事業計画の入力) of the hub with the most plan lines, at national
scale, with the portal's form renderer and with Django's template renderer, in the same run.

Seed 004 asks a hub about every active hospital of its area, so on the national data set
(see load_dashboards.py for how to create it) one hub has 223 plan lines, about 2,800
inputs. Everything happens in a transaction that is rolled back: the database is unchanged.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zaitaku_national
    .venv/bin/python benchmarks/plan_form.py [--repeat 7]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zaitaku_national")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "k" * 50)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from hubs.models import HubCoordinator  # noqa: E402
from subsidies.applications import services as service  # noqa: E402
from subsidies.models import Application  # noqa: E402
from zaitaku_portal.models import Role, User  # noqa: E402

RENDERERS = {
    "portal renderer (plain widgets in Python)": "zaitaku_portal.form_renderer.PortalFormRenderer",
    "Django template renderer": "django.forms.renderers.DjangoTemplates",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with transaction.atomic():
        # the hub whose areas have the most active hospitals (the most plan lines), newest year
        application = (
            Application.objects.annotate(n=Count("hub__areas__designations"))
            .order_by("-n", "-fiscal_year__year", "pk")
            .first()
        )
        if application is None:
            raise SystemExit(
                "全国規模データがありません（generate_national_data を実行してください）。"
            )
        Application.objects.filter(pk=application.pk).update(status="draft")
        user = User.objects.create(
            username="bench-plan-form", role=Role.HUB_COORDINATOR, full_name="計測用"
        )
        HubCoordinator.objects.create(
            hub=application.hub,
            user=user,
            name="計測用",
            qualification=HubCoordinator.Qualification.A,
        )
        application.refresh_from_db()
        service.ensure_lines(application)
        lines = application.lines.count()
        client = Client()
        client.force_login(user)
        url = f"/subsidies/applications/{application.pk}/edit/"
        print(f"{application}: {lines} plan lines, database {connection.settings_dict['NAME']}")
        print(f"{'renderer':<46}{'median ms':>10}{'min ms':>8}{'KB':>6}{'queries':>9}")
        results = {}
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for label, renderer in RENDERERS.items():
                with override_settings(FORM_RENDERER=renderer):
                    from django.forms import renderers

                    renderers.get_default_renderer.cache_clear()
                    client.get(url)  # warm: templates compiled, caches filled
                    times = []
                    for _ in range(args.repeat):
                        with CaptureQueriesContext(connection) as queries:
                            start = time.perf_counter()
                            response = client.get(url)
                            times.append(time.perf_counter() - start)
                        assert response.status_code == 200, response.status_code
                    body = response.content
                    results[label] = statistics.median(times)
                    print(
                        f"{label:<46}{statistics.median(times) * 1000:>10.0f}"
                        f"{min(times) * 1000:>8.0f}{len(body) // 1024:>6}{len(queries):>9}"
                    )
            renderers.get_default_renderer.cache_clear()
        fast, slow = results.values()
        print(
            f"speed-up: {slow / fast:.1f}x (same HTML: tests/zaitaku_portal/test_form_renderer.py)"
        )
        transaction.set_rollback(True)
    assert settings.FORM_RENDERER  # the setting the portal runs with


if __name__ == "__main__":
    main()
