def test_every_page_sends_a_content_security_policy_without_inline_script(client, world):
    from zaitaku_portal.models import Role

    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.get("/subsidies/review/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    login = client.get("/login/")
    assert "Content-Security-Policy" in login


def test_every_download_is_audited_with_the_file_name(client, world):
    from zaitaku_portal.models import AuditEntry, Role

    client.force_login(world.users[Role.PREFECTURE_STAFF])
    client.get("/hospitals/public.csv")
    client.get("/subsidies/review/")  # a page, not a download
    entries = list(AuditEntry.objects.filter(action="ダウンロード"))
    assert len(entries) == 1
    assert entries[0].target_label.endswith(".csv")
    assert entries[0].actor == world.users[Role.PREFECTURE_STAFF]
    client.logout()
    client.get("/hospitals/public.xlsx")  # anonymous: the public list
    assert AuditEntry.objects.filter(action="ダウンロード", actor__isnull=True).count() == 1


def test_signed_in_pages_and_downloads_are_never_stored_by_a_browser_or_proxy(client, world):
    """A page, an xlsx download and a PDF download for a signed-in user: `no-store, private`
    (a shared computer's back button or disk cache must not show a hub's figures)."""
    from tests.reports.decided import decided_application
    from zaitaku_portal.models import Role

    staff = world.users[Role.PREFECTURE_STAFF]
    decision = decided_application(world.hub_a, staff=staff)
    client.force_login(staff)
    for url in (
        "/subsidies/review/",
        "/subsidies/review/export.xlsx",
        f"/reports/decisions/{decision.pk}/notice.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private", url


def test_anonymous_pages_and_static_files_keep_their_caching(client, world, settings):
    from zaitaku_portal.models import Role

    settings.WHITENOISE_USE_FINDERS = True  # serve static files without collectstatic
    public = client.get("/hospitals/public/")  # the public list, for anyone
    assert public.status_code == 200
    assert "no-store" not in public.get("Cache-Control", "")
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    static = client.get("/static/portal/portal.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
