"""Who may use the viewer: 127.0.0.1 only, this server's Host and Origin only, and the token
(in the URL once, then a cookie; or a bearer header)."""

from __future__ import annotations

import httpx

from tracefabric.viewer.access import cookie_name

from .conftest import Running


def raw(viewer: Running, path: str, *, method: str = "GET", **kwargs: object) -> httpx.Response:
    with httpx.Client(base_url=viewer.base, timeout=60) as client:
        return client.request(method, path, **kwargs)  # type: ignore[arg-type]


def test_no_token_or_a_wrong_one_is_refused(viewer: Running) -> None:
    for path in ("/api/sources", "/api/s/agent/records/1", "/", "/s/agent/records", "/static/js/main.js"):
        response = raw(viewer, path)
        assert response.status_code == 401, path
        assert response.json()["error_type"] == "Unauthorized"
    assert raw(viewer, "/api/sources", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert raw(viewer, "/api/sources?token=wrong").status_code == 401
    cookie = {"cookie": f"{cookie_name(viewer.port)}=wrong"}
    assert raw(viewer, "/api/sources", headers=cookie).status_code == 401
    other_port = {"cookie": f"{cookie_name(viewer.port + 1)}={viewer.token}"}
    assert raw(viewer, "/api/sources", headers=other_port).status_code == 401


def test_the_token_url_sets_a_cookie_and_drops_the_token(viewer: Running) -> None:
    response = raw(viewer, f"/s/agent/records?error=FileNotFound&token={viewer.token}")
    assert response.status_code == 303
    assert response.headers["location"] == "/s/agent/records?error=FileNotFound"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{cookie_name(viewer.port)}={viewer.token};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    jar = {"cookie": f"{cookie_name(viewer.port)}={viewer.token}"}
    assert raw(viewer, "/api/sources", headers=jar).status_code == 200
    assert raw(viewer, "/s/agent/records/1", headers=jar).status_code == 200


def test_a_foreign_host_is_refused_even_with_the_token(viewer: Running) -> None:
    auth = {"authorization": f"Bearer {viewer.token}"}
    for host in (
        "attacker.example",
        f"attacker.example:{viewer.port}",
        "127.0.0.1:1",
        f"127.0.0.2:{viewer.port}",
    ):
        response = raw(viewer, "/api/sources", headers={**auth, "host": host})
        assert response.status_code == 403, host
        assert response.json()["error_type"] == "HostNotAllowed"
    navigation = {
        **auth,
        "host": f"attacker.example:{viewer.port}",
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
    }
    assert raw(viewer, "/s/agent", headers=navigation).status_code == 403  # rebinding, even as a navigation
    for host in (f"127.0.0.1:{viewer.port}", f"localhost:{viewer.port}"):
        assert raw(viewer, "/api/sources", headers={**auth, "host": host}).status_code == 200


def test_a_foreign_origin_is_refused(viewer: Running) -> None:
    auth = {"authorization": f"Bearer {viewer.token}"}
    for origin in ("http://attacker.example", f"http://localhost:{viewer.port + 1}", "null"):
        response = raw(viewer, "/api/sources", headers={**auth, "origin": origin})
        assert response.status_code == 403, origin
        assert response.json()["error_type"] == "OriginNotAllowed"
    cross_site = raw(viewer, "/api/sources", headers={**auth, "sec-fetch-site": "cross-site"})
    assert cross_site.status_code == 403  # an <img> or <script> from another site: no Origin sent
    own = raw(viewer, "/api/sources", headers={**auth, "origin": viewer.base})
    assert own.status_code == 200


def test_a_shared_link_opened_from_another_site_works_with_the_cookie(viewer: Running) -> None:
    navigation = {
        "sec-fetch-site": "cross-site",
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
        "cookie": f"{cookie_name(viewer.port)}={viewer.token}",
    }
    assert raw(viewer, "/s/agent/records/2", headers=navigation).status_code == 200
    without_cookie = {k: v for k, v in navigation.items() if k != "cookie"}
    assert raw(viewer, "/s/agent/records/2", headers=without_cookie).status_code == 401
    api = raw(viewer, "/api/sources", headers=navigation)  # the API is never a navigation
    assert api.status_code == 403


def test_posts_must_be_json_from_this_origin(viewer: Running) -> None:
    auth = {"authorization": f"Bearer {viewer.token}"}
    form = raw(
        viewer,
        "/api/s/agent/records/1/replay",
        method="POST",
        headers={**auth, "content-type": "text/plain"},
        content="{}",
    )
    assert form.status_code == 403 and form.json()["error_type"] == "ContentTypeNotAllowed"
    cross = raw(
        viewer,
        "/api/s/agent/records/1/replay",
        method="POST",
        headers={**auth, "content-type": "application/json", "origin": "http://attacker.example"},
        content="{}",
    )
    assert cross.status_code == 403


def test_pages_forbid_framing_and_remote_code(viewer: Running) -> None:
    response = raw(viewer, "/s/agent", headers={"authorization": f"Bearer {viewer.token}"})
    policy = response.headers["content-security-policy"]
    assert (
        "default-src 'none'" in policy
        and "script-src 'self'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert response.headers["x-frame-options"] == "DENY"


def test_it_listens_on_loopback_only() -> None:
    from click.testing import CliRunner

    from tracefabric.cli.view import view_command
    from tracefabric.viewer.server import bind

    sock = bind(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
    help_text = CliRunner().invoke(view_command, ["--help"]).output
    assert "--host" not in help_text  # no way to serve it beyond this machine
