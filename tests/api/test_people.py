"""The staff's people in the API: a unit's members, deactivate, reactivate, role, and the
import (multipart preview and commit, template), plus the invite QR payload."""

from __future__ import annotations

import io

import openpyxl
import pytest

from alliance.member_import import XLSX_CONTENT_TYPE
from alliance.models import InviteCode, Member, MemberRole
from tests import wechat_fake
from tests.api.helpers import api_client, bearer
from tests.factories import MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db

wechat_server = wechat_fake.wechat_server


def xlsx(rows, header=("姓名", "手机号", "角色")) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "members.xlsx"
    return buffer


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室")


@pytest.fixture
def manager(unit):
    return MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER)


class TestImport:
    def test_preview_then_commit_with_invite_codes(self, manager, unit):
        client = api_client(manager)
        file = xlsx([["张三", 13800138000.0, "科研人员"]])
        preview = client.post(
            "/api/v1/members/import/preview/", {"file": file, "unit": unit.pk}, format="multipart"
        )
        assert preview.status_code == 200, preview.json()
        body = preview.json()
        assert body["committed"] is False
        assert body["counts"] == {"new": 1, "created": 0, "existing": 0, "refused": 0}
        assert body["rows"][0]["phone"] == "13800138000"
        assert Member.objects.filter(name="张三").count() == 0

        file.seek(0)
        commit = client.post(
            "/api/v1/members/import/", {"file": file, "unit": unit.pk}, format="multipart"
        )
        assert commit.status_code == 201
        row = commit.json()["rows"][0]
        assert row["outcome"] == "created"
        assert len(row["invite_code"]) == 11
        assert Member.objects.get(pk=row["member"]).name == "张三"

    def test_refused_rows_are_a_400_listing_them_and_nothing_is_created(self, manager, unit):
        before = Member.objects.count()
        response = api_client(manager).post(
            "/api/v1/members/import/",
            {"file": xlsx([["张三", "13800138000"], ["", "123"]]), "unit": unit.pk},
            format="multipart",
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "import_rows_refused"
        assert body["rows"][0]["row"] == 3
        assert body["rows"][0]["codes"] == ["import_row_missing_name", "import_row_bad_phone"]
        assert Member.objects.count() == before

    def test_a_file_that_is_not_a_spreadsheet(self, manager, unit):
        file = io.BytesIO(b"%PDF-1.4 not a workbook")
        file.name = "members.xlsx"
        response = api_client(manager).post(
            "/api/v1/members/import/preview/", {"file": file, "unit": unit.pk}, format="multipart"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "import_not_a_spreadsheet"

    def test_json_is_not_accepted_for_an_upload(self, manager, unit):
        response = api_client(manager).post(
            "/api/v1/members/import/preview/", {"unit": unit.pk}, format="json"
        )
        assert response.status_code == 415

    def test_a_researcher_may_not_import(self, unit):
        researcher = MemberFactory(unit=unit)
        response = api_client(researcher).post(
            "/api/v1/members/import/",
            {"file": xlsx([["张三", "13800138000"]]), "unit": unit.pk},
            format="multipart",
        )
        assert response.status_code == 403
        assert not Member.objects.filter(name="张三").exists()

    def test_the_template_downloads_as_xlsx(self, manager):
        response = api_client(manager).get("/api/v1/members/import/template/?with_unit=true")
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX_CONTENT_TYPE
        assert "attachment" in response["Content-Disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert [cell.value for cell in sheet[1]] == ["姓名", "手机号", "角色", "单位"]


class TestPeople:
    def test_the_unit_members_list(self, manager, unit):
        MemberFactory(unit=unit, name="李四", wechat_openid="o-li")
        response = api_client(manager).get(f"/api/v1/units/{unit.pk}/members/")
        assert response.status_code == 200
        rows = {row["name"]: row for row in response.json()}
        assert rows["李四"]["bound"] is True
        assert rows[manager.name]["bound"] is False
        assert (
            api_client(MemberFactory(unit=unit))
            .get(f"/api/v1/units/{unit.pk}/members/")
            .status_code
            == 403
        )

    def test_deactivate_reactivate_and_role(self, manager, unit):
        target = MemberFactory(unit=unit)
        client = api_client(manager)
        response = client.post(f"/api/v1/members/{target.pk}/deactivate/")
        assert (response.status_code, response.json()["is_active"]) == (200, False)
        response = client.post(f"/api/v1/members/{target.pk}/reactivate/")
        assert (response.status_code, response.json()["is_active"]) == (200, True)
        # Roles are the secretariat's.
        response = client.post(
            f"/api/v1/members/{target.pk}/role/", {"role": "unit_manager"}, format="json"
        )
        assert response.status_code == 403
        secretariat = MemberFactory(role=MemberRole.SECRETARIAT)
        response = api_client(secretariat).post(
            f"/api/v1/members/{target.pk}/role/", {"role": "unit_manager"}, format="json"
        )
        assert (response.status_code, response.json()["role"]) == (200, "unit_manager")

    def test_the_last_secretariat_member_cannot_be_demoted_by_another(self, unit):
        first = MemberFactory(role=MemberRole.SECRETARIAT)
        second = MemberFactory(role=MemberRole.SECRETARIAT)
        ok = api_client(first).post(f"/api/v1/members/{second.pk}/deactivate/")
        assert ok.status_code == 200
        # `first` is the last one now, and may not change themselves.
        response = api_client(first).post(
            f"/api/v1/members/{first.pk}/role/", {"role": "researcher"}, format="json"
        )
        assert response.status_code == 403
        first.refresh_from_db()
        assert first.role == MemberRole.SECRETARIAT


def test_an_invitation_carries_its_qr_payload_which_binds_through_the_api(
    manager, unit, wechat_server
):
    response = api_client(manager).post(
        "/api/v1/members/", {"unit": unit.pk, "name": "王五", "role": "researcher"}, format="json"
    )
    body = response.json()
    assert body["invite_qr"] == f"alliance-share:invite:{body['invite_code']}"
    # The mini-program scans the QR code, signs in and binds with the part after the prefix.
    wechat_server.register_code("code-1", "o-wang")
    login = api_client().post("/api/v1/auth/wechat-login/", {"code": "code-1"}, format="json")
    token = login.json()["token"]
    code = body["invite_qr"].removeprefix("alliance-share:invite:")
    bind = api_client().post(
        "/api/v1/auth/bind/", {"invite_code": code}, format="json", headers=bearer(token)
    )
    assert bind.status_code == 200
    assert Member.objects.get(pk=body["id"]).wechat_openid == "o-wang"
    assert InviteCode.objects.get(member_id=body["id"]).used_at is not None
