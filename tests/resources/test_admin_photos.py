"""Specification of the photos inline of the resource back office (resources.admin_photos):
uploads go through resources.photos, with its checks and renditions; refusals come back on
the page and store nothing. Also the location, contact and rules-in-words of the form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from resources.models import ResourcePhoto
from tests.resources.admin_support import post_data, signed_in, url
from tests.resources.photo_support import camera_jpeg, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def with_photo(response, content, caption="入口"):
    return post_data(
        response,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-image": SimpleUploadedFile("p.jpg", content),
            "photos-0-caption": caption,
            "photos-0-position": "0",
        },
    )


def test_a_manager_uploads_a_photo_in_the_resource_form(world, media_root):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)

    response = client.post(change, with_photo(client.get(change), camera_jpeg((60, 30))))

    assert response.status_code == 302, response.context["adminform"].form.errors
    photo = ResourcePhoto.objects.get(resource=world.resource)
    assert (photo.caption, photo.width, photo.height) == ("入口", 30, 60)
    assert photo.uploaded_by == world.manager
    assert len(stored_files(media_root)) == 3
    page = client.get(change).text
    assert photo.thumbnail.url in page


def test_a_refused_upload_comes_back_on_the_page_and_stores_nothing(world, media_root):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)

    response = client.post(change, with_photo(client.get(change), b"not an image"))

    assert response.status_code == 200
    assert "The file is not an image" in response.text
    assert not ResourcePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_manager_deletes_a_photo_in_the_resource_form(
    world, media_root, django_capture_on_commit_callbacks
):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    client.post(change, with_photo(client.get(change), camera_jpeg()))

    data = post_data(client.get(change), **{"photos-0-DELETE": "on"})
    data.pop("photos-0-image")  # a browser never sends a stored file back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, data)

    assert response.status_code == 302
    assert not ResourcePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_manager_changes_a_caption_without_sending_the_file_again(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    client.post(change, with_photo(client.get(change), camera_jpeg()))
    photo = ResourcePhoto.objects.get()

    data = post_data(client.get(change), **{"photos-0-caption": "北门", "photos-0-position": "4"})
    data.pop("photos-0-image")
    response = client.post(change, data)

    assert response.status_code == 302
    assert ResourcePhoto.objects.get().pk == photo.pk  # the same photo, not a new upload
    assert (ResourcePhoto.objects.get().caption, ResourcePhoto.objects.get().position) == (
        "北门",
        4,
    )


def test_the_form_edits_location_and_contact_and_shows_the_rules_in_words(world):
    client = signed_in(world.manager)
    change = url("resource_change", world.resource.pk)
    page = client.get(change)

    assert "Book up to 30 days ahead" in page.text
    response = client.post(
        change, post_data(page, building="科研楼B栋", room="201", contact_name="王老师")
    )

    assert response.status_code == 302
    world.resource.refresh_from_db()
    assert world.resource.location.startswith("科研楼B栋 201")
    assert world.resource.contact_name == "王老师"
