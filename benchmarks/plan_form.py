"""Benchmark: the plan page (事業計画の入力) and the application page of the hub with the most
active hospitals, at national scale, in one run:

1. today's layout as at commit 9e9dc7b (every active hospital of the area × every hospital
   menu laid out; `old_layout` below does what ensure_lines did then), with the portal's
   form renderer and with Django's template renderer;
2. the layout of issue 18: the hub has picked the hospitals that wish a menu (the lines
   with nothing entered are not laid out), with the portal's renderer.

Targets (issue 18): the largest plan page ≤ 100 KB and ≤ 150 ms; the application page of
the hub with the most hospitals ≤ 5,000 px tall at 1280 px (measured with Playwright and
Debian's Chromium on the page's HTML with its stylesheet inlined; --no-browser skips it).
Everything happens in a transaction that is rolled back: the database is unchanged.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zaitaku_national
    .venv/bin/python benchmarks/plan_form.py [--repeat 7] [--no-browser]
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

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
from subsidies.applications import hospital_lines  # noqa: E402
from subsidies.applications import services as service  # noqa: E402
from subsidies.applications.reading import hospital_designations  # noqa: E402
from subsidies.models import Application, MenuPlan, RecipientType  # noqa: E402
from zaitaku_portal.models import Role, User  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TARGET_KB, TARGET_MS, TARGET_PX = 100, 150, 5_000

RENDERERS = {
    "portal renderer (plain widgets in Python)": "zaitaku_portal.form_renderer.PortalFormRenderer",
    "Django template renderer": "django.forms.renderers.DjangoTemplates",
}


def old_layout(application) -> None:
    """What ensure_lines did at commit 9e9dc7b: a line per hospital menu for every active
    hospital of the hub's areas, whether the hub plans for it or not."""
    menus = list(application.fiscal_year.menus.filter(recipient_type=RecipientType.HOSPITAL))
    existing = set(application.lines.values_list("menu_id", "designation_id"))
    MenuPlan.objects.bulk_create(
        [
            MenuPlan(application=application, menu=menu, designation=designation)
            for designation in hospital_designations(application.hub)
            for menu in menus
            if (menu.pk, designation.pk) not in existing
        ]
    )


def new_layout(application) -> None:
    """Issue 18: only the picked hospitals (here: those that wish a menu) keep their lines;
    a line with nothing entered is not laid out."""
    empty = [
        line.pk
        for line in application.lines.filter(designation__isnull=False)
        if hospital_lines.is_empty(line)
    ]
    MenuPlan.objects.filter(pk__in=empty).delete()


def measure(client, url: str, repeat: int) -> tuple[float, float, bytes, int]:
    client.get(url)  # warm: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), min(times), response.content, len(queries)


def page_height(html: str) -> int | None:
    """The page's height at 1280 px in Chromium, its stylesheets inlined (no server)."""
    from django.contrib.staticfiles import finders

    def inline(match):
        path = finders.find(match.group(1).removeprefix(settings.STATIC_URL))
        return f"<style>{Path(path).read_text()}</style>" if path else ""

    html = re.sub(r'<link rel="stylesheet" href="([^"]+)">', inline, html)
    html = re.sub(r"<script[^>]*></script>", "", html)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ja-JP")
        page.set_content(html)
        height = page.evaluate("document.documentElement.scrollHeight")
        browser.close()
    return height


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--save-html", help="a folder to write the measured pages into")
    args = parser.parse_args()
    with transaction.atomic():
        # the hub whose areas have the most active hospitals, newest year
        application = (
            Application.objects.filter(institution__isnull=True)
            .annotate(n=Count("hub__areas__designations"))
            .order_by("-n", "-fiscal_year__year", "pk")
            .first()
        )
        if application is None:
            raise SystemExit(
                "全国規模データがありません（generate_national_data を実行してください）。"
            )
        status = application.status  # the application page is measured as it stands
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
        old_layout(application)
        client = Client()
        client.force_login(user)
        edit = f"/subsidies/applications/{application.pk}/edit/"
        detail = f"/subsidies/applications/{application.pk}/"
        hospitals = hospital_designations(application.hub).count()
        print(
            f"{application}: {hospitals} active hospitals in its areas, "
            f"database {connection.settings_dict['NAME']}, load average "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        print(
            f"{'layout / renderer':<58}{'lines':>6}{'median ms':>10}{'min ms':>8}"
            f"{'KB':>6}{'queries':>9}"
        )
        results = {}
        heights = {}
        # the plan page of 9e9dc7b: every line's inputs on the hub's page, no picking
        today_page = mock.patch.multiple(
            hospital_lines,
            form_lines=lambda application, lines: lines,
            picks_hospitals=lambda application: False,
        )
        # plain static storage: no collectstatic manifest is needed to render the pages
        plain_static = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, STORAGES=plain_static):
            from django.forms import renderers

            for layout in ("today (every hospital × menu, 9e9dc7b)", "picked (issue 18)"):
                if layout.startswith("picked"):
                    new_layout(application)
                    today_page.stop()
                else:
                    today_page.start()
                lines = application.lines.count()
                chosen = (
                    RENDERERS if layout.startswith("today") else dict(list(RENDERERS.items())[:1])
                )
                for label, renderer in chosen.items():
                    with override_settings(FORM_RENDERER=renderer):
                        renderers.get_default_renderer.cache_clear()
                        median, fastest, body, queries = measure(client, edit, args.repeat)
                    name = f"{layout}, {label.split(' (')[0]}"
                    results[name] = (median, len(body))
                    print(
                        f"{name:<58}{lines:>6}{median * 1000:>10.0f}{fastest * 1000:>8.0f}"
                        f"{len(body) // 1024:>6}{queries:>9}"
                    )
                renderers.get_default_renderer.cache_clear()
                Application.objects.filter(pk=application.pk).update(status=status)
                response = client.get(detail)
                Application.objects.filter(pk=application.pk).update(status="draft")
                assert response.status_code == 200, response.status_code
                if args.save_html:
                    tag = layout.split(" ")[0]
                    Path(args.save_html, f"edit-{tag}.html").write_bytes(body)
                    Path(args.save_html, f"detail-{tag}.html").write_bytes(response.content)
                if not args.no_browser:
                    heights[layout] = page_height(response.content.decode())
        for layout, height in heights.items():
            print(f"application page at 1280 px, {layout}: {height} px")
        median, size = list(results.values())[-1]
        print(
            f"picked layout: {size / 1024:.0f} KB (target ≤ {TARGET_KB}), "
            f"{median * 1000:.0f} ms (target ≤ {TARGET_MS})"
            + (
                f", application page {list(heights.values())[-1]} px (target ≤ {TARGET_PX})"
                if heights
                else ""
            )
        )
        transaction.set_rollback(True)
    assert settings.FORM_RENDERER  # the setting the portal runs with


if __name__ == "__main__":
    main()
