"""Specification of resources.photos and resources.images: who may add and delete a
resource's photos, what is checked (each refusal has its code and stores nothing) and what
is stored (upright, without metadata, with a medium and a thumbnail rendition)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from alliance.actors import SYSTEM
from alliance.errors import AccessDenied, NotFound, ValidationFailed
from resources.models import ResourcePhoto
from resources.photos import PHOTOS_PER_RESOURCE_MAX, photo_add, photo_delete, photo_update
from tests.resources.photo_support import (
    MAKE,
    ORIENTATION,
    camera_jpeg,
    image_bytes,
    stored_files,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def add(world, content: bytes, actor=None, **kwargs):
    return photo_add(
        actor=actor or world.manager,
        resource_id=world.resource.pk,
        upload=io.BytesIO(content),
        size=len(content),
        **kwargs,
    )


def opened(field) -> Image.Image:
    with field.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


# --- What is stored -----------------------------------------------------------------------


def test_a_photo_is_stored_upright_without_its_metadata(world, media_root):
    photo = add(world, camera_jpeg((40, 20)), caption="正门")

    original = opened(photo.image)
    assert original.format == "JPEG"
    assert original.size == (20, 40)  # the EXIF rotation applied to the pixels
    assert (photo.width, photo.height) == (20, 40)
    exif = original.getexif()
    assert ORIENTATION not in exif
    assert MAKE not in exif
    assert photo.caption == "正门"
    assert photo.uploaded_by == world.manager
    assert len(stored_files(media_root)) == 3
    assert all(
        name.startswith(f"resources/{world.resource.pk}/") for name in stored_files(media_root)
    )


def test_renditions_fit_their_sizes_and_keep_the_proportions(world):
    photo = add(world, image_bytes((2000, 1000)))

    assert opened(photo.medium).size == (1280, 640)
    assert opened(photo.thumbnail).size == (320, 160)
    assert opened(photo.thumbnail).format == "JPEG"


def test_a_transparent_png_keeps_its_transparency_in_the_renditions(world):
    photo = add(world, image_bytes((64, 64), format="PNG", mode="RGBA"))

    assert opened(photo.image).format == "PNG"
    assert opened(photo.thumbnail).format == "PNG"
    assert opened(photo.thumbnail).mode == "RGBA"


def test_webp_is_accepted(world):
    photo = add(world, image_bytes(format="WEBP"))

    assert opened(photo.image).format == "WEBP"


def test_photos_are_added_after_the_others(world):
    first = add(world, image_bytes())
    second = add(world, image_bytes())

    assert (first.position, second.position) == (1, 2)


# --- Refusals: a code each, nothing stored ------------------------------------------------


def assert_refused(world, media_root, content, code, field="image", **kwargs):
    with pytest.raises(ValidationFailed) as refused:
        add(world, content, **kwargs)
    assert refused.value.code == code
    assert refused.value.extra["fields"] == {field: [code]}
    assert not ResourcePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_that_is_no_image_is_refused(world, media_root):
    assert_refused(world, media_root, b"%PDF-1.7 not a photo", "photo_not_image")


def test_a_truncated_image_is_refused(world, media_root):
    content = image_bytes((400, 400), color=(10, 200, 90))
    assert_refused(world, media_root, content[: len(content) // 2], "photo_not_image")


def test_an_image_of_another_format_is_refused(world, media_root):
    assert_refused(
        world, media_root, image_bytes(format="GIF", mode="P"), "photo_unsupported_format"
    )


def test_a_file_over_the_size_limit_is_refused(world, media_root, settings):
    settings.PHOTO_MAX_BYTES = 100

    assert_refused(world, media_root, image_bytes((50, 50)), "photo_too_large")


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(world, media_root, settings):
    settings.PHOTO_MAX_PIXELS = 20 * 20

    assert_refused(world, media_root, image_bytes((21, 20)), "photo_too_many_pixels")


@pytest.mark.parametrize("pixels", [50 * 50 + 1, 3 * 50 * 50])
def test_pillows_decompression_bomb_guard_answers_the_same(world, media_root, monkeypatch, pixels):
    """Above Pillow's own limit it warns (a warning is an error here), above twice it raises:
    both are the same refusal, never a 500."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50 * 50)

    assert_refused(world, media_root, image_bytes((pixels, 1)), "photo_too_many_pixels")


def test_a_caption_with_control_characters_is_refused(world, media_root):
    assert_refused(
        world, media_root, image_bytes(), "invalid_characters", "caption", caption="门\x1b[2J"
    )


def test_a_resource_holds_at_most_twenty_photos(world, monkeypatch):
    monkeypatch.setattr("resources.photos.PHOTOS_PER_RESOURCE_MAX", 2)
    add(world, image_bytes())
    add(world, image_bytes())

    with pytest.raises(ValidationFailed) as refused:
        add(world, image_bytes())

    assert refused.value.code == "photo_limit_reached"
    assert ResourcePhoto.objects.count() == 2
    assert PHOTOS_PER_RESOURCE_MAX == 20


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "secretariat"])
def test_the_units_managers_and_the_secretariat_add_photos(world, who):
    assert add(world, image_bytes(), actor=getattr(world, who)).pk is not None


def test_the_system_adds_photos_for_nobody(world):
    assert add(world, image_bytes(), actor=SYSTEM).uploaded_by is None


@pytest.mark.parametrize("who", ["researcher", "other_manager"])
def test_others_may_not_add_photos(world, media_root, who):
    with pytest.raises(AccessDenied):
        add(world, image_bytes(), actor=getattr(world, who))

    assert not ResourcePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_photo_of_an_unknown_resource_is_not_found(world):
    with pytest.raises(NotFound):
        photo_add(actor=world.manager, resource_id=999_999, upload=io.BytesIO(b""), size=0)


def test_deleting_a_photo_removes_its_files_once_committed(
    world, media_root, django_capture_on_commit_callbacks
):
    photo = add(world, image_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(actor=world.manager, resource_id=world.resource.pk, photo_id=photo.pk)

    assert not ResourcePhoto.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("who", ["researcher", "other_manager"])
def test_others_may_not_delete_or_edit_photos(world, media_root, who):
    photo = add(world, image_bytes(), caption="正门")
    files = stored_files(media_root)

    with pytest.raises(AccessDenied):
        photo_delete(actor=getattr(world, who), resource_id=world.resource.pk, photo_id=photo.pk)
    with pytest.raises(AccessDenied):
        photo_update(
            actor=getattr(world, who), resource_id=world.resource.pk, photo_id=photo.pk, caption="x"
        )

    assert ResourcePhoto.objects.get().caption == "正门"
    assert stored_files(media_root) == files


def test_a_photo_is_found_only_under_its_own_resource(world):
    photo = add(world, image_bytes())

    with pytest.raises(NotFound):
        photo_delete(
            actor=world.secretariat, resource_id=world.other_resource.pk, photo_id=photo.pk
        )
    assert ResourcePhoto.objects.filter(pk=photo.pk).exists()


def test_a_manager_changes_a_photos_caption_and_position(world):
    photo = add(world, image_bytes())

    photo_update(
        actor=world.manager,
        resource_id=world.resource.pk,
        photo_id=photo.pk,
        caption="实验室入口",
        position=5,
    )

    photo.refresh_from_db()
    assert (photo.caption, photo.position) == ("实验室入口", 5)
