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
