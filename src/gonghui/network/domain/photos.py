# SPDX-License-Identifier: AGPL-3.0-or-later
"""Photos of positions (shown on the position's phone page) and of activities (shown in the
activity report): checked and re-encoded by ``core.images.prepare_photo``, at most
``MAX_PHOTOS`` each, every upload and removal an audit row."""

from django.core.files.base import ContentFile
from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.images import make_thumbnail, prepare_photo

from ..models import Activity, ActivityPhoto, Position, PositionPhoto
from .common import clean_text, require_runner, user_of

MAX_PHOTOS = 12


def _add(model, owner, field: str, *, actor, data: bytes, caption: str, action: str):
    caption = clean_text(caption, field="caption", label="照片说明", limit=100, required=False)
    prepared = prepare_photo(data)  # refused before anything is written
    thumb = make_thumbnail(prepared)
    with transaction.atomic():
        # Lock the owner so two uploads cannot both pass the count check.
        type(owner).objects.select_for_update().filter(pk=owner.pk).first()
        if model.objects.filter(**{field: owner}).count() >= MAX_PHOTOS:
            raise DomainError(f"每处最多{MAX_PHOTOS}张照片，请先删除旧照片", field="photo")
        photo = model(**{field: owner}, caption=caption, width=prepared.width,
                      height=prepared.height, size=len(prepared.data),
                      uploaded_by=user_of(actor))  # fmt: skip
        photo.image.save("photo.jpg", ContentFile(prepared.data), save=False)
        try:
            photo.thumb.save("thumb.jpg", ContentFile(thumb.data), save=False)
            photo.save()
            audit.record(action, actor=actor, obj=owner,
                         after={"photo": photo.pk, "caption": caption,
                                "size": [prepared.width, prepared.height]})  # fmt: skip
        except Exception:
            photo.image.delete(save=False)
            if photo.thumb:
                photo.thumb.delete(save=False)
            raise
    return photo


def add_position_photo(position: Position, *, actor, data: bytes, caption: str = ""):
    require_runner(actor, position)
    return _add(PositionPhoto, position, "position", actor=actor, data=data, caption=caption,
                action="network.position.photo")  # fmt: skip


def add_activity_photo(activity: Activity, *, actor, data: bytes, caption: str = ""):
    require_runner(actor, activity, "无权管理该活动")
    return _add(ActivityPhoto, activity, "activity", actor=actor, data=data, caption=caption,
                action="network.activity.photo")  # fmt: skip


def remove_photo(photo, *, actor) -> None:
    owner = photo.position if isinstance(photo, PositionPhoto) else photo.activity
    require_runner(actor, owner, "无权管理该照片")
    with transaction.atomic():
        pk = photo.pk
        photo.delete()
        audit.record("network.photo.remove", actor=actor, obj=owner, after={"photo": pk})
        transaction.on_commit(lambda: _delete_files(photo))


def _delete_files(photo) -> None:
    photo.image.delete(save=False)
    if photo.thumb:
        photo.thumb.delete(save=False)
