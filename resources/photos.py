"""Every write to a resource's photos: adding one (checked and resized by resources.images)
and deleting one. Access: the managers of the resource's unit and the secretariat, as for
every other change of the resource (alliance.access.member_can_manage_resource).

Files go through Django's storage API (settings.STORAGES["default"]), so an S3-compatible
store replaces the local folder by settings alone. Files are written before the row and
removed again if the row is not; a deleted photo's files are removed once its row's
deletion is committed, so a rolled-back delete never loses an image.
"""

from __future__ import annotations

import secrets
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from alliance.actors import Actor, actor_require
from alliance.errors import NotFound, ValidationFailed
from alliance.models import Member
from alliance.services import text_clean
from resources.images import photo_process, photo_size_check
from resources.locking import resource_lock
from resources.models import Resource, ResourcePhoto
from resources.services import resource_manage_require

CAPTION_MAX_LENGTH = 200
#: No resource needs more; bounds storage per resource.
PHOTOS_PER_RESOURCE_MAX = 20


def photo_upload_check(*, actor: Actor, resource_id: int) -> Resource:
    """The resource, if ``actor`` may add photos to it; else NotFound or AccessDenied.

    The API asks before it reads the upload, so that a refused caller sends no megabytes."""
    actor_require(actor)
    resource = Resource.objects.select_related("unit").filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    resource_manage_require(actor, resource)
    return resource


def photo_add(
    *,
    actor: Actor,
    resource_id: int,
    upload: IO[bytes],
    size: int,
    caption: str = "",
) -> ResourcePhoto:
    """Add a photo after the resource's others. ``upload`` is the file's bytes, ``size``
    its length. Refusals: see resources.images; ``photo_limit_reached`` past
    PHOTOS_PER_RESOURCE_MAX photos; an unknown resource is NotFound."""
    resource = photo_upload_check(actor=actor, resource_id=resource_id)
    caption = text_clean(caption, field="caption", max_length=CAPTION_MAX_LENGTH, required=False)
    photo_size_check(size)
    processed = photo_process(upload)
    stem = secrets.token_hex(8)
    photo = ResourcePhoto(
        resource=resource,
        caption=caption,
        width=processed.original.width,
        height=processed.original.height,
        uploaded_by=actor if isinstance(actor, Member) else None,  # None: the system
    )
    saved = []
    try:
        photo.image.save(
            f"{stem}.{processed.original.extension}",
            ContentFile(processed.original.content),
            save=False,
        )
        saved.append(photo.image)
        for name, rendition in processed.renditions.items():
            field = getattr(photo, name)
            field.save(
                f"{stem}-{name}.{rendition.extension}", ContentFile(rendition.content), save=False
            )
            saved.append(field)
        with transaction.atomic():
            resource_lock(resource_id)  # positions and the count, one writer at a time
            _photo_limit_check(resource_id)
            last = ResourcePhoto.objects.filter(resource_id=resource_id).aggregate(Max("position"))
            photo.position = (last["position__max"] or 0) + 1
            photo.save()
    except BaseException:
        for field in saved:
            field.storage.delete(field.name)
        raise
    return photo


def _photo_limit_check(resource_id: int) -> None:
    if ResourcePhoto.objects.filter(resource_id=resource_id).count() >= PHOTOS_PER_RESOURCE_MAX:
        raise ValidationFailed("photo_limit_reached", params={"count": PHOTOS_PER_RESOURCE_MAX})


def photo_delete(*, actor: Actor, resource_id: int, photo_id: int) -> None:
    """Delete a photo of the resource and, once committed, its files. A photo of another
    resource is NotFound, as is an unknown one."""
    actor_require(actor)
    photo = (
        ResourcePhoto.objects.select_related("resource__unit")
        .filter(pk=photo_id, resource_id=resource_id)
        .first()
    )
    if photo is None:
        raise NotFound()
    resource_manage_require(actor, photo.resource)
    files = [(field.storage, field.name) for field in (photo.image, photo.medium, photo.thumbnail)]
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files if name])


def photo_update(
    *,
    actor: Actor,
    resource_id: int,
    photo_id: int,
    caption: str | None = None,
    position: int | None = None,
) -> ResourcePhoto:
    """Change a photo's caption or position (None leaves it); a photo of another resource
    is NotFound. Writes nothing when nothing changes."""
    actor_require(actor)
    photo = (
        ResourcePhoto.objects.select_related("resource__unit")
        .filter(pk=photo_id, resource_id=resource_id)
        .first()
    )
    if photo is None:
        raise NotFound()
    resource_manage_require(actor, photo.resource)
    changed = []
    if caption is not None:
        caption = text_clean(
            caption, field="caption", max_length=CAPTION_MAX_LENGTH, required=False
        )
        if caption != photo.caption:
            photo.caption = caption
            changed.append("caption")
    if position is not None:
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValidationFailed("invalid", fields={"position": ["invalid"]})
        if position != photo.position:
            photo.position = position
            changed.append("position")
    if changed:
        photo.save(update_fields=changed)
    return photo
