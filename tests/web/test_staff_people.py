"""The staff's people pages: who may open them, the list, inviting (code and QR code),
importing a sheet (preview, confirm, report), the htmx row actions, constant query counts."""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from alliance.models import InviteCode, Member, MemberRole
from tests.factories import MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/staff/people/"


@pytest.fixture
def unit():
    return UnitFactory(name="深圳湾实验室")


@pytest.fixture
def manager(unit):
    return MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER, name="管理员")


@pytest.fixture
def secretariat():
    return MemberFactory(role=MemberRole.SECRETARIAT, unit=UnitFactory(name="秘书处"))


def signed_in(client, member):
    client.force_login(member.user)
    return client


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "手机号", "角色"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = "members.xlsx"
    return file


class TestAccess:
    PAGES = [
        PEOPLE,
        "/staff/people/invite/",
        "/staff/people/import/",
        "/staff/people/import/template/",
    ]

    @pytest.mark.parametrize("path", PAGES)
    def test_a_researcher_is_refused(self, client, unit, path):
        response = signed_in(client, MemberFactory(unit=unit)).get(path)
        assert response.status_code == 403

    @pytest.mark.parametrize("path", PAGES)
    def test_a_visitor_is_sent_to_sign_in(self, client, path):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign-in"))

    @pytest.mark.parametrize("path", PAGES)
    def test_an_inactive_manager_is_signed_out(self, client, unit, path):
        inactive = MemberFactory(unit=unit, role=MemberRole.UNIT_MANAGER, is_active=False)
        assert signed_in(client, inactive).get(path).status_code == 302

    @pytest.mark.parametrize("path", PAGES)
    def test_a_manager_of_a_deactivated_unit_is_refused(self, client, path):
        member = MemberFactory(
            role=MemberRole.UNIT_MANAGER, unit=UnitFactory(name="停用", is_active=False)
        )
        assert signed_in(client, member).get(path).status_code == 403

    @pytest.mark.parametrize("path", PAGES)
    def test_managers_and_the_secretariat_get_in(self, client, manager, secretariat, path):
        assert signed_in(client, manager).get(path).status_code == 200
        assert signed_in(client, secretariat).get(path).status_code == 200

    def test_a_manager_sees_their_own_unit_only(self, client, manager):
        other = UnitFactory(name="中山大学")
        MemberFactory(unit=other, name="别人")
        response = signed_in(client, manager).get(f"{PEOPLE}?unit={other.pk}")
        assert response.status_code == 404

    def test_row_actions_on_another_units_member_are_refused(self, client, manager):
        stranger = MemberFactory(unit=UnitFactory(name="中山大学"))
        client = signed_in(client, manager)
        for action in ("deactivate", "reactivate", "invite-code"):
            response = client.post(f"{PEOPLE}{stranger.pk}/{action}/")
            assert response.status_code == 403
        response = client.post(f"{PEOPLE}{stranger.pk}/role/", {"role": "unit_manager"})
        assert response.status_code == 403
        stranger.refresh_from_db()
        assert (stranger.is_active, stranger.role) == (True, MemberRole.RESEARCHER)

    def test_the_me_page_links_staff_to_their_area(self, client, manager, unit):
        assert (
            'data-testid="staff-people-link"'
            in signed_in(client, manager).get("/me/").content.decode()
        )
        researcher = MemberFactory(unit=unit)
        html = signed_in(client, researcher).get("/me/").content.decode()
        assert 'data-testid="staff-people-link"' not in html


class TestList:
    def test_the_list_shows_role_active_and_wechat(self, client, manager, unit):
        bound = MemberFactory(unit=unit, name="张三", wechat_openid="o-1")
        gone = MemberFactory(unit=unit, name="李四", is_active=False)
        html = signed_in(client, manager).get(PEOPLE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

        def cell(member, name):
            row = re.search(rf'<tr id="person-{member.pk}".*?</tr>', html, re.S).group(0)
            return re.search(rf'data-testid="{name}">(.*?)</td>', row, re.S).group(1)

        assert (cell(bound, "bound"), cell(bound, "active")) == ("Bound", "Active")
        assert (cell(gone, "bound"), cell(gone, "active")) == ("Not bound", "Deactivated")
        assert cell(manager, "bound") == "Not bound"
        chinese = signed_in(client, manager).get(PEOPLE).content.decode()
        assert "已绑定微信" in chinese
        assert "科研人员" in chinese

    def test_the_secretariat_picks_a_unit(self, client, secretariat, unit):
        MemberFactory(unit=unit, name="深圳湾的人")
        html = signed_in(client, secretariat).get(f"{PEOPLE}?unit={unit.pk}").content.decode()
        assert "深圳湾的人" in html
        assert 'data-testid="unit-picker"' in html

    def test_the_page_reads_in_a_constant_number_of_queries(self, client, secretariat, unit):
        client = signed_in(client, secretariat)
        client.get(f"{PEOPLE}?unit={unit.pk}")  # warm the session

        def count():
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"{PEOPLE}?unit={unit.pk}").status_code == 200
            return len(queries)

        small = count()
        for n in range(30):
            MemberFactory(unit=unit, wechat_openid=f"o-{n}" if n % 2 else None)
            UnitFactory()
        assert count() == small


class TestRowActions:
    def test_deactivate_and_reactivate_with_htmx_answer_the_row(self, client, manager, unit):
        target = MemberFactory(unit=unit, name="目标")
        client = signed_in(client, manager)
        response = client.post(f"{PEOPLE}{target.pk}/deactivate/", headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith(f'<tr id="person-{target.pk}"')
        target.refresh_from_db()
        assert not target.is_active
        client.post(f"{PEOPLE}{target.pk}/reactivate/", headers={"HX-Request": "true"})
        target.refresh_from_db()
        assert target.is_active

    def test_without_htmx_the_action_goes_back_to_the_list(self, client, manager, unit):
        target = MemberFactory(unit=unit)
        response = signed_in(client, manager).post(f"{PEOPLE}{target.pk}/deactivate/")
        assert response.status_code == 302

    def test_the_secretariat_changes_a_role(self, client, secretariat, unit):
        target = MemberFactory(unit=unit)
        response = signed_in(client, secretariat).post(
            f"{PEOPLE}{target.pk}/role/", {"role": "unit_manager"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        target.refresh_from_db()
        assert target.role == MemberRole.UNIT_MANAGER

    def test_a_refusal_shows_in_the_row(self, client, secretariat, unit):
        target = MemberFactory(unit=unit)
        response = signed_in(client, secretariat).post(
            f"{PEOPLE}{target.pk}/role/", {"role": "boss"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        target.refresh_from_db()
        assert target.role == MemberRole.RESEARCHER

    def test_actions_are_posts_only(self, client, manager, unit):
        target = MemberFactory(unit=unit)
        assert signed_in(client, manager).get(f"{PEOPLE}{target.pk}/deactivate/").status_code == 405


class TestInvite:
    def test_inviting_shows_the_code_and_its_qr_code(self, client, manager, unit):
        response = signed_in(client, manager).post(
            "/staff/people/invite/", {"unit": unit.pk, "name": "新人", "role": "researcher"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        code = re.search(r'data-testid="invite-code">([A-Z0-9-]+)<', html).group(1)
        assert f'data-payload="alliance-share:invite:{code}"' in html
        assert "<svg" in html
        member = Member.objects.get(name="新人")
        assert member.unit == unit
        assert InviteCode.objects.filter(member=member).count() == 1

    def test_a_manager_may_not_invite_a_manager(self, client, manager, unit):
        response = signed_in(client, manager).post(
            "/staff/people/invite/", {"unit": unit.pk, "name": "新人", "role": "unit_manager"}
        )
        assert response.status_code == 403
        assert not Member.objects.filter(name="新人").exists()

    def test_a_blank_name_is_shown_back(self, client, manager, unit):
        response = signed_in(client, manager).post(
            "/staff/people/invite/", {"unit": unit.pk, "name": " ", "role": "researcher"}
        )
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()

    def test_a_new_code_for_someone_not_yet_bound(self, client, manager, unit):
        target = MemberFactory(unit=unit)
        response = signed_in(client, manager).post(f"{PEOPLE}{target.pk}/invite-code/")
        assert response.status_code == 200
        assert 'data-testid="invite-code"' in response.content.decode()


class TestImport:
    def test_preview_confirm_and_report_with_codes(self, client, manager, unit):
        client = signed_in(client, manager)
        content = xlsx([["张三", "13800138000", "科研人员"], ["李四", 13900139000, None]])
        preview = client.post(
            "/staff/people/import/",
            {"step": "preview", "unit": unit.pk, "file": upload(content)},
        )
        assert preview.status_code == 200
        html = preview.content.decode()
        assert 'data-testid="import-confirm"' in html
        assert not Member.objects.filter(name="张三").exists()
        sheet = re.search(r'name="sheet" value="([^"]+)"', html).group(1)
        assert base64.b64decode(sheet) == content

        report = client.post(
            "/staff/people/import/", {"step": "commit", "unit": unit.pk, "sheet": sheet}
        )
        assert report.status_code == 200
        html = report.content.decode()
        assert 'data-testid="report-download"' in html
        assert Member.objects.filter(unit=unit, name__in=["张三", "李四"]).count() == 2
        download = re.search(r'href="data:[^;]+;base64,([^"]+)"', html).group(1)
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download)))
        codes = [row[-1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
        assert all(re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code) for code in codes)

    def test_bad_rows_show_in_the_preview_with_no_confirm_button(self, client, manager, unit):
        response = signed_in(client, manager).post(
            "/staff/people/import/",
            {"step": "preview", "unit": unit.pk, "file": upload(xlsx([["", "123"]]))},
        )
        html = response.content.decode()
        assert 'data-testid="import-confirm"' not in html
        assert "staff-row--refused" in html

    def test_a_file_that_is_not_a_spreadsheet(self, client, manager, unit):
        response = signed_in(client, manager).post(
            "/staff/people/import/",
            {"step": "preview", "unit": unit.pk, "file": upload(b"hello")},
        )
        assert response.status_code == 400
        assert 'data-testid="import-error"' in response.content.decode()

    def test_a_confirm_whose_rows_became_refused_imports_nobody(self, client, manager, unit):
        # Between preview and confirm, someone else took the rows' place: the confirm
        # checks again and, here, the sheet (tampered) has a bad row.
        bad = base64.b64encode(xlsx([["张三", "13800138000"], ["", "1"]])).decode()
        response = signed_in(client, manager).post(
            "/staff/people/import/", {"step": "commit", "unit": unit.pk, "sheet": bad}
        )
        assert response.status_code == 400
        assert not Member.objects.filter(name="张三").exists()

    def test_the_template_downloads(self, client, manager):
        response = signed_in(client, manager).get("/staff/people/import/template/")
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert [cell.value for cell in sheet[1]] == ["姓名", "手机号", "角色"]
