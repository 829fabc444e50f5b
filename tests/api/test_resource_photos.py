"""Specification of the photo endpoints: multipart upload and delete by the resource's
managers and the secretariat, the error codes, the size limits while the upload streams in,
and the photos as they appear on the resource."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from resources.models import ResourcePhoto
from tests.api.helpers import api_client
from tests.api.world import client_for, world_build
from tests.resources.photo_support import camera_jpeg, image_bytes, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now", "media_root")]


@pytest.fixture
def world():
    return world_build()


def photos_url(resource):
    return f"/api/v1/resources/{resource.pk}/photos/"


def upload(client, resource, content=None, name="photo.jpg", **fields):
    content = camera_jpeg((400, 200)) if content is None else content
    return client.post(
        photos_url(resource),
        {"image": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


def assert_nothing_stored(media_root):
    assert not ResourcePhoto.objects.exists()
    assert stored_files(media_root) == []


# --- Upload -------------------------------------------------------------------------------


def test_a_manager_uploads_a_photo_and_the_resource_shows_it(world, media_root):
    client = client_for(world.manager)

    response = upload(client, world.resource, caption="平台正门")

    assert response.status_code == 201, response.json()
    photo = response.json()
    assert photo["caption"] == "平台正门"
    assert (photo["width"], photo["height"]) == (200, 400)  # upright
    assert photo["position"] == 1
    for size in ("original", "medium", "thumbnail"):
        assert photo[size].startswith(f"http://testserver/media/resources/{world.resource.pk}/")
    shown = client.get(f"/api/v1/resources/{world.resource.pk}/").json()["photos"]
    assert shown == [photo]
    listed = client_for(world.researcher).get("/api/v1/resources/").json()["results"]
    assert next(r for r in listed if r["id"] == world.resource.pk)["photos"][0]["id"] == photo["id"]
    assert len(stored_files(media_root)) == 3


def test_the_secretariat_uploads_to_any_resource(world):
    assert upload(client_for(world.secretariat), world.other_resource).status_code == 201


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("researcher", 403, "permission_denied"),
        ("other_manager", 403, "permission_denied"),
    ],
)
def test_others_may_not_upload(world, media_root, who, status, code):
    response = upload(client_for(getattr(world, who)), world.resource)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert_nothing_stored(media_root)


def test_an_unbound_or_anonymous_caller_may_not_upload(world, media_root):
    unbound = upload(api_client(openid="o-unbound"), world.resource)
    anonymous = upload(api_client(), world.resource)

    assert (unbound.status_code, unbound.json()["code"]) == (403, "not_bound")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert_nothing_stored(media_root)


def test_an_unknown_resource_is_404(world):
    response = client_for(world.secretariat).post(
        "/api/v1/resources/999999/photos/",
        {"image": SimpleUploadedFile("a.jpg", image_bytes())},
        format="multipart",
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"GIF89a but not really", "photo_not_image"),
        (image_bytes(format="GIF", mode="P"), "photo_unsupported_format"),
        (image_bytes((21, 20)), "photo_too_many_pixels"),
    ],
)
def test_a_bad_image_is_400_with_its_code(world, media_root, settings, content, code):
    settings.PHOTO_MAX_PIXELS = 20 * 20

    response = upload(client_for(world.manager), world.resource, content)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert [error["code"] for error in body["fields"]["image"]] == [code]
    assert_nothing_stored(media_root)


def test_a_file_over_the_limit_is_refused_while_it_streams_in(world, media_root, settings):
    settings.PHOTO_MAX_BYTES = 1000

    response = upload(client_for(world.manager), world.resource, image_bytes((2000, 2000)))

    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_large"
    assert_nothing_stored(media_root)


def test_form_fields_stay_bounded_by_the_request_limit(world, media_root, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = upload(client_for(world.manager), world.resource, caption="长" * 2000)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert_nothing_stored(media_root)


def test_the_image_field_is_required_and_other_fields_unknown(world, media_root):
    client = client_for(world.manager)

    missing = client.post(photos_url(world.resource), {"caption": "x"}, format="multipart")
    unknown = upload(client, world.resource, position="3")

    assert missing.status_code == 400
    assert missing.json()["fields"]["image"][0]["code"] == "required"
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_field"
    assert_nothing_stored(media_root)


def test_json_is_not_accepted_for_an_upload(world):
    response = client_for(world.manager).post(
        photos_url(world.resource), {"caption": "x"}, format="json"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_multipart_stays_refused_elsewhere_in_the_api(world):
    response = client_for(world.manager).patch(
        f"/api/v1/resources/{world.resource.pk}/", {"name": "新名"}, format="multipart"
    )

    assert response.status_code == 415


# --- Delete -------------------------------------------------------------------------------


def test_a_manager_deletes_a_photo_and_its_files(
    world, media_root, django_capture_on_commit_callbacks
):
    client = client_for(world.manager)
    photo_id = upload(client, world.resource).json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{photos_url(world.resource)}{photo_id}/")

    assert response.status_code == 204
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("who", ["researcher", "other_manager"])
def test_others_may_not_delete_a_photo(world, media_root, who):
    photo_id = upload(client_for(world.manager), world.resource).json()["id"]
    files = stored_files(media_root)

    response = client_for(getattr(world, who)).delete(f"{photos_url(world.resource)}{photo_id}/")

    assert response.status_code == 403
    assert ResourcePhoto.objects.filter(pk=photo_id).exists()
    assert stored_files(media_root) == files


def test_a_photo_is_deleted_only_under_its_own_resource(world):
    photo_id = upload(client_for(world.manager), world.resource).json()["id"]

    response = client_for(world.secretariat).delete(
        f"{photos_url(world.other_resource)}{photo_id}/"
    )

    assert response.status_code == 404
    assert ResourcePhoto.objects.filter(pk=photo_id).exists()
