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
