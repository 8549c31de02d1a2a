# SPDX-License-Identifier: AGPL-3.0-or-later
"""Checking an uploaded photo by its content, not its name: JPEG, PNG or WebP only, at
most ``MAX_BYTES``, with its pixel size read from the header (no image library needed)."""

import struct
from dataclasses import dataclass

from gonghui.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 12_000


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    ext: str
    width: int | None
    height: int | None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def inspect_image(data: bytes) -> ImageInfo:
    """The photo's type and size, or a DomainError in Chinese."""
    if len(data) > MAX_BYTES:
        raise DomainError(f"照片不能超过{MAX_BYTES // (1024 * 1024)}MB", field="photos")
    if len(data) < 16:
        raise DomainError("照片文件已损坏或为空", field="photos")
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        info = ImageInfo("image/png", "png", width, height)
    elif data.startswith(b"\xff\xd8\xff"):
        size = _jpeg_size(data)
        if size is None:
            raise DomainError("照片文件已损坏（无法读取JPEG尺寸）", field="photos")
        info = ImageInfo("image/jpeg", "jpg", *size)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        info = ImageInfo("image/webp", "webp", None, None)
    else:
        raise DomainError("只能上传JPEG、PNG或WebP格式的照片", field="photos")
    if info.width is not None and (
        not info.width or not info.height or max(info.width, info.height) > MAX_SIDE
    ):
        raise DomainError("照片尺寸无效", field="photos")
    return info
