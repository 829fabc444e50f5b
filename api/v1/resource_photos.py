"""Photos of a resource: upload (multipart) and delete, by the managers of the resource's
unit and the secretariat. Reading them is part of the resource (``photos``).

The API parses JSON only, except here: this view alone accepts ``multipart/form-data``.
Its parser stops reading an upload as soon as it passes PHOTO_MAX_BYTES (400
``photo_too_large``), so an oversized file is never stored, even in a temporary file; form
fields other than files stay bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (413
``payload_too_large``), as every body of the API is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import IsBoundMember, request_member
from api.v1.serializers.common import errors
from api.v1.serializers.resources import PhotoOutputSerializer, PhotoUploadInputSerializer
from resources.images import photo_size_check
from resources.photos import photo_add, photo_delete, photo_upload_check


class PhotoSizeLimitHandler(FileUploadHandler):
    """Counts the bytes of every file part as they arrive and refuses past PHOTO_MAX_BYTES;
    the next handlers (Django's) then keep them in memory or a temporary file."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            photo_size_check(self.received)  # raises photo_too_large
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


class PhotoMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser with PhotoSizeLimitHandler in front of Django's handlers."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        request = parser_context["request"]
        handlers = request.upload_handlers
        if not any(isinstance(handler, PhotoSizeLimitHandler) for handler in handlers):
            request.upload_handlers = [PhotoSizeLimitHandler(request), *handlers]
        return super().parse(stream, media_type, parser_context)


class ResourcePhotoListApi(APIView):
    permission_classes = [IsBoundMember]
    parser_classes = [PhotoMultiPartParser]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_photos_create",
        request={"multipart/form-data": PhotoUploadInputSerializer},
        responses={201: PhotoOutputSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, resource_id: int) -> Response:
        """Add a photo after the resource's others: its unit's managers or the secretariat.
        The image is turned upright, stripped of its metadata (camera, place, time) and
        resized into `medium` and `thumbnail`. Refusals (400, in `fields.image`):
        `photo_not_image`, `photo_unsupported_format` (only JPEG, PNG, WebP),
        `photo_too_large`, `photo_too_many_pixels`; `photo_limit_reached` past 20 photos."""
        # Access first, so that a refused caller's upload is never read.
        photo_upload_check(actor=request_member(request), resource_id=resource_id)
        data = PhotoUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        photo = photo_add(
            actor=request_member(request),
            resource_id=resource_id,
            upload=upload,
            size=upload.size,
            caption=data.validated_data.get("caption", ""),
        )
        return Response(
            PhotoOutputSerializer(photo, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ResourcePhotoDetailApi(APIView):
    permission_classes = [IsBoundMember]

    @extend_schema(
        tags=["resources"],
        operation_id="resources_photos_destroy",
        request=None,
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request: Request, resource_id: int, photo_id: int) -> Response:
        """Delete a photo of the resource and its files: its unit's managers or the
        secretariat."""
        photo_delete(actor=request_member(request), resource_id=resource_id, photo_id=photo_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
