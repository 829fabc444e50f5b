"""The web app's frame: served at /, styled by the vendored WeUI, its static files served by
the app itself with DEBUG off, its own error pages, and both languages."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_is_the_web_app_not_a_404(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/web/vendor/weui-2.6.26/weui.min.css" in html
    assert "/static/web/vendor/htmx.org-2.0.11/htmx.min.js" in html


@pytest.mark.parametrize(
    "path",
    [
        "/static/web/vendor/weui-2.6.26/weui.min.css",
        "/static/web/vendor/htmx.org-2.0.11/htmx.min.js",
        "/static/web/app.css",
        "/static/admin/css/base.css",
    ],
)
def test_static_files_are_served_by_the_app_itself_with_debug_off(client, settings, path):
    assert settings.DEBUG is False
    response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert len(body) > 1000


def test_the_vendored_assets_carry_their_licences():
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[2] / "web/static/web/vendor"
    assert "MIT" in (vendor / "weui-2.6.26/LICENSE.txt").read_text()
    assert "Zero-Clause BSD" in (vendor / "htmx.org-2.0.11/LICENSE").read_text()


def test_an_unknown_page_gets_the_web_apps_own_not_found_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "weui-msg" in response.content.decode()
    # ...while the API keeps answering JSON with a code.
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_pages_that_need_a_member_send_visitors_to_sign_in(client):
    for name in ("web:my-bookings", "web:inbox", "web:me"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in") + "?next=")


def test_a_staff_user_without_a_member_is_no_member_of_the_web_app(client, django_user_model):
    user = django_user_model.objects.create_user("admin-only", password="x-very-long-pass")
    client.force_login(user)
    assert client.get(reverse("web:me")).status_code == 302


def test_an_inactive_member_is_signed_out_of_the_web_app(client):
    member = MemberFactory(is_active=False)
    client.force_login(member.user)
    assert client.get(reverse("web:me")).status_code == 302


def test_the_signed_in_member_sees_their_name_and_unit_in_the_frame(client):
    member = MemberFactory(name="张三")
    client.force_login(member.user)
    html = client.get(reverse("web:me")).content.decode()
    assert "张三" in html
    assert member.unit.name in html


def test_sign_out_is_a_post_and_ends_the_session(client):
    member = MemberFactory()
    client.force_login(member.user)
    assert client.get(reverse("web:sign-out")).status_code == 405
    client.post(reverse("web:sign-out"))
    assert client.get(reverse("web:me")).status_code == 302


def test_sign_out_needs_the_csrf_token():
    member = MemberFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post(reverse("web:sign-out")).status_code == 403
    assert client.get(reverse("web:me")).status_code == 200


def test_chinese_first_and_english_on_request(client):
    chinese = client.get("/").content.decode()
    assert "找资源" in chinese
    assert 'lang="zh-hans"' in chinese
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Find" in english.content.decode()
    assert 'lang="en"' in english.content.decode()


def test_the_back_offices_view_site_link_leads_to_the_web_app(client):
    from django.contrib import admin

    assert client.get(admin.site.site_url).status_code == 200
