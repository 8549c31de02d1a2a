# SPDX-License-Identifier: AGPL-3.0-or-later
"""Uploaded photos checked by their content and re-encoded before they are kept.

``prepare_photo(data)`` accepts JPEG, PNG or WebP (read by Pillow, never trusted by name or
declared type), refuses files over ``MAX_BYTES``, images over ``MAX_PIXELS`` (decompression
bombs) and anything Pillow cannot decode, then turns the picture upright (EXIF orientation),
shrinks it to at most ``MAX_SIDE`` pixels on its longer side (phone-sized) and re-encodes it
as JPEG. Re-encoding drops every metadata block — a phone photo's EXIF GPS position and
device data never reach the server's disk.

``make_thumbnail(prepared)`` gives the small rendition of an accepted photo (at most
``THUMB_SIDE`` pixels on its longer side) for galleries on a phone over mobile data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from .errors import DomainError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
THUMB_SIDE = 400  # a grid cell of a phone gallery at twice the CSS pixels
FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class PreparedPhoto:
    data: bytes  # JPEG
    width: int
    height: int
    source_format: str

    content_type = "image/jpeg"
    ext = "jpg"


def prepare_photo(data: bytes, *, field: str = "photo") -> PreparedPhoto:
    """The photo re-encoded as JPEG, or a ``DomainError`` in Chinese."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise DomainError("请选择照片文件", field=field)
    if len(data) > MAX_BYTES:
        raise DomainError(f"照片不能超过{MAX_BYTES // (1024 * 1024)}MB", field=field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if fmt not in FORMATS:
                raise DomainError("只能上传JPEG、PNG或WebP格式的照片", field=field)
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError("照片像素过多，请缩小后再上传", field=field)
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            if img.mode not in ("RGB", "L"):
                # Transparent PNGs get a white background rather than black.
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (255, 255, 255))
                img.paste(rgba, mask=rgba.getchannel("A"))
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            width, height = img.size
    except DomainError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise DomainError("只能上传JPEG、PNG或WebP格式的照片", field=field) from None
    except (OSError, SyntaxError, ValueError):
        raise DomainError("照片文件已损坏，无法读取", field=field) from None
    return PreparedPhoto(out.getvalue(), width, height, fmt)


def make_thumbnail(prepared: PreparedPhoto, *, side: int = THUMB_SIDE) -> PreparedPhoto:
    """The small JPEG rendition of a photo ``prepare_photo`` accepted (already upright and
    without metadata): at most ``side`` pixels on its longer side, never enlarged."""
    from PIL import Image

    with Image.open(io.BytesIO(prepared.data)) as img:
        img.load()
        img.thumbnail((side, side))
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
        width, height = img.size
    return PreparedPhoto(out.getvalue(), width, height, "JPEG")
