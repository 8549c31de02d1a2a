# SPDX-License-Identifier: AGPL-3.0-or-later
"""Photos of service positions and of activities: uploaded from the console, checked and
re-encoded (``core.images.prepare_photo``), stored under MEDIA_ROOT with a random name and
shown only through views that apply the position's or activity's ``browse`` scope."""

import uuid

from django.conf import settings
from django.db import models

from .activities import Activity
from .registry import Position


def _photo_path(instance, filename: str) -> str:
    # Never the uploader's file name: a random one; the content is always re-encoded JPEG.
    return f"network/{instance.AREA}/{instance.owner_id}/{uuid.uuid4().hex}.jpg"


def _thumb_path(instance, filename: str) -> str:
    return f"network/{instance.AREA}/{instance.owner_id}/thumbs/{uuid.uuid4().hex}.jpg"


class PhotoBase(models.Model):
    image = models.FileField(upload_to=_photo_path, max_length=200)
    #: The small rendition for galleries (``core.images.make_thumbnail``), made at upload;
    #: empty for photos uploaded before thumbnails existed (the full image is served).
    thumb = models.FileField(upload_to=_thumb_path, max_length=200, blank=True)
    caption = models.CharField("照片说明", max_length=100, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    AREA = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.caption or f"照片{self.pk}"


class PositionPhoto(PhotoBase):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="photos")
    AREA = "positions"

    class Meta:
        ordering = ["position_id", "id"]
        verbose_name = "阵地照片"
        verbose_name_plural = "阵地照片"

    @property
    def owner_id(self) -> int:
        return self.position_id


class ActivityPhoto(PhotoBase):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    AREA = "activities"

    class Meta:
        ordering = ["activity_id", "id"]
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"

    @property
    def owner_id(self) -> int:
        return self.activity_id
