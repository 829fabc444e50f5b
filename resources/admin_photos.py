"""The photos of a resource in its back-office page: an inline whose rows are written by
resources.photos (checked, resized, stripped of metadata), never by the formset itself.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.admin import ScopedInline, request_actor
from resources.models import ResourcePhoto
from resources.photos import photo_add, photo_delete, photo_update


class ResourcePhotoInline(ScopedInline, admin.TabularInline):
    """Upload, caption, order and delete photos; a new file on a row replaces its photo."""

    model = ResourcePhoto
    fields = ("preview", "image", "caption", "position")
    readonly_fields = ("preview",)
    extra = 0
    verbose_name_plural = _("photos (JPEG, PNG or WebP; resized and stripped of metadata)")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "image":
            # A plain file field: resources.images checks the file and says why it is
            # refused (photo_not_image, photo_too_large, …), as the API does.
            return forms.FileField(label=db_field.verbose_name, required=True)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("preview"))
    def preview(self, obj: ResourcePhoto) -> str:
        if obj.pk is None or not obj.thumbnail:
            return "-"
        return format_html('<img src="{}" alt="" style="max-height:80px">', obj.thumbnail.url)


def photo_formset_save(request, resource_id: int, formset) -> None:
    """Apply the inline's rows through resources.photos (a DomainError rolls back the page)."""
    actor = request_actor(request)
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("DELETE"):
            continue
        data = form.cleaned_data
        photo = form.instance if form.instance.pk is not None else None
        if photo is not None and data.get("DELETE"):
            photo_delete(actor=actor, resource_id=resource_id, photo_id=photo.pk)
            continue
        upload = data.get("image")
        replaced = "image" in form.changed_data and upload is not None
        if photo is None or replaced:
            new = photo_add(
                actor=actor,
                resource_id=resource_id,
                upload=upload,
                size=upload.size,
                caption=data.get("caption") or "",
            )
            if photo is not None:
                photo_delete(actor=actor, resource_id=resource_id, photo_id=photo.pk)
            photo = new
        if "position" in form.changed_data or "caption" in form.changed_data:
            photo_update(
                actor=actor,
                resource_id=resource_id,
                photo_id=photo.pk,
                caption=data.get("caption") or "",
                position=data.get("position"),
            )
