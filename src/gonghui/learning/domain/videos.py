# SPDX-License-Identifier: AGPL-3.0-or-later
"""Course videos: resumable upload, transcoding to HLS with the FFmpeg that the
``imageio-ffmpeg`` wheel ships (no system package), a poster frame, progress on the video
row, and reading files back in ranges (HTTP Range) without holding a file in memory.

Files live in the ``learning`` storage: ``STORAGES["learning"]`` when the deployment
configures one (e.g. django-storages' S3 backend, docs/learning.md), else a local directory
under the private root, which no static or media route serves. An upload is staged on
local disk (appending in place) and moved to the storage once complete.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import private_files
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.jobs import start_job, subject_of
from gonghui.orgs.models import OrgUnit

from ..enums import VideoState
from ..models import Lesson, Video
from .common import require, require_unit, user_of

logger = logging.getLogger(__name__)
MAX_BYTES = 4 * 1024**3
CHUNK = 1024 * 1024
TRANSCODE_JOB = "gonghui.learning.domain.videos.run_transcode_job"
#: Renditions (height, video kbit/s); those taller than the source are skipped.
RENDITIONS = ((360, 600), (720, 2000))
FILE_NAME = re.compile(r"^(master|\d{3,4}p(_\d{3,5})?)\.(m3u8|ts)$|^poster\.jpg$")

VIDEO_MOVES = {
    VideoState.UPLOADING: {VideoState.QUEUED, VideoState.FAILED},
    VideoState.QUEUED: {VideoState.TRANSCODING, VideoState.FAILED},
    VideoState.TRANSCODING: {VideoState.READY, VideoState.FAILED, VideoState.QUEUED},
    VideoState.FAILED: {VideoState.QUEUED},
    VideoState.READY: {VideoState.QUEUED},
}


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def storage() -> Storage:
    if "learning" in settings.STORAGES:
        return storages["learning"]
    return FileSystemStorage(location=private_files.private_root() / "learning-media")


def staging_path(video: Video) -> Path:
    path = private_files.private_root() / "learning-upload" / f"{video.pk}.part"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def move_video(
    video: Video, *, to: str, actor, message: str = "", progress: int | None = None
) -> None:
    """The one function that assigns a video's state."""
    if to not in VIDEO_MOVES.get(video.state, set()):
        raise DomainError(_("视频当前状态不能这样变更"), code="state")
    before = video.state
    video.state, video.message = to, message[:300]
    fields = ["state", "message"]
    if progress is not None:
        video.progress = progress
        fields.append("progress")
    Video.objects.filter(pk=video.pk).update(**{f: getattr(video, f) for f in fields})
    audit.record(
        "learning.video.transition",
        actor=actor,
        obj=video,
        before={"state": before},
        after={"state": to, "message": message[:100]},
    )


@transaction.atomic
def start_upload(org_unit: OrgUnit, *, actor, title: str, size: int) -> Video:
    require_unit(actor, "coursevideo", org_unit)
    if not title.strip():
        raise DomainError(_("请填写视频标题"), field="title")
    if not 0 < size <= MAX_BYTES:
        raise DomainError(_("视频大小应在4GB以内"), field="size")
    video = Video.objects.create(org_unit=org_unit, title=title.strip()[:120], size=size,
                                 uploaded_by=user_of(actor))  # fmt: skip
    audit.record("learning.video.upload", actor=actor, obj=video, after={"size": size})
    return video


def receive_chunk(video: Video, *, actor, offset: int, stream: IO[bytes], length: int) -> Video:
    """Append ``length`` bytes at ``offset`` (which must be what was received so far: a client
    that lost its place asks for ``received`` and resumes there). Streamed in pieces of 1 MB.
    When the last byte arrives the file is checked and queued for transcoding."""
    require(actor, "coursevideo", "change", video)
    with transaction.atomic():
        video = Video.objects.select_for_update(of=("self",)).get(pk=video.pk)
        if video.state != VideoState.UPLOADING:
            raise DomainError(_("该视频已上传完毕"), code="state")
        if offset != video.received:
            raise DomainError(_("续传位置应为{n}").format(n=video.received), code="offset")
        if length <= 0 or offset + length > video.size:
            raise DomainError(_("上传的数据超出声明的文件大小"), code="invalid")
        path = staging_path(video)
        written = 0
        with open(path, "r+b" if path.exists() else "wb") as fh:
            fh.seek(offset)
            fh.truncate()
            while written < length:
                piece = stream.read(min(CHUNK, length - written))
                if not piece:
                    break
                fh.write(piece)
                written += len(piece)
        if written != length:
            raise DomainError(_("上传中断，请从{n}字节处续传").format(n=offset), code="offset")
        video.received = offset + written
        Video.objects.filter(pk=video.pk).update(received=video.received)
    if video.received == video.size:
        _finish_upload(video, actor=actor)
        video.refresh_from_db()
    return video


def probe(path: Path) -> tuple[float, int]:
    """(duration in seconds, height) of a video file, from FFmpeg's description of it;
    ``DomainError`` if it holds no video stream."""
    out = subprocess.run(  # noqa: S603 - fixed program, our own arguments
        [ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True, errors="replace", timeout=60, check=False).stderr  # fmt: skip
    duration = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", out)
    stream = re.search(r"Stream #\S+.*Video: .*?, (\d{2,5})x(\d{2,5})", out)
    if not duration or not stream:
        raise DomainError(_("文件不是可识别的视频"), code="not_video")
    h, m, s = duration.groups()
    seconds = int(h) * 3600 + int(m) * 60 + float(s)
    if seconds <= 0:
        raise DomainError(_("文件不是可识别的视频"), code="not_video")
    return seconds, int(stream.group(2))


def _finish_upload(video: Video, *, actor) -> None:
    path = staging_path(video)
    try:
        duration, _height = probe(path)
    except DomainError as exc:
        path.unlink(missing_ok=True)
        with transaction.atomic():
            move_video(video, to=VideoState.FAILED, actor=actor, message=exc.message)
        return
    with transaction.atomic():
        Video.objects.filter(pk=video.pk).update(duration=duration)
        move_video(video, to=VideoState.QUEUED, actor=actor, message="", progress=0)
        start_job(TRANSCODE_JOB, subject=subject_of(video), label=_("视频转码"), actor=actor,
                  kwargs={"video_id": video.pk})  # fmt: skip


def run_transcode_job(*, video_id: int) -> dict:
    from gonghui.core.actors import SYSTEM

    return transcode(Video.objects.get(pk=video_id), actor=SYSTEM)


def _run_with_progress(video: Video, args: list[str], duration: float, lo: int, hi: int) -> None:
    proc = subprocess.Popen(  # noqa: S603 - fixed program, our own arguments
        [ffmpeg(), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    last = lo
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("out_time_us=") and duration:
            try:
                done = int(line.split("=", 1)[1]) / 1e6 / duration
            except ValueError:
                continue
            pct = lo + int((hi - lo) * min(max(done, 0), 1))
            if pct > last:
                last = pct
                Video.objects.filter(pk=video.pk).update(progress=pct)
    if proc.wait() != 0:
        raise DomainError(_("转码失败（FFmpeg返回{c}）").format(c=proc.returncode))


def transcode(video: Video, *, actor) -> dict:
    """HLS renditions, master playlist and poster into the storage; READY or FAILED."""
    video = Video.objects.get(pk=video.pk)
    source = staging_path(video)
    if not source.exists():
        with transaction.atomic():
            move_video(video, to=VideoState.FAILED, actor=actor, message=_("原始文件已丢失"))
        return {"state": "failed"}
    with transaction.atomic():
        move_video(video, to=VideoState.TRANSCODING, actor=actor, progress=0)
    try:
        duration, height = probe(source)
        wanted = [r for r in RENDITIONS if r[0] <= max(height, RENDITIONS[0][0])]
        prefix = f"hls/{video.pk}"
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            for i, (h, rate) in enumerate(wanted):
                lo, hi = int(90 * i / len(wanted)), int(90 * (i + 1) / len(wanted))
                _run_with_progress(video, [
                    "-i", str(source), "-vf", f"scale=-2:{h}", "-c:v", "libx264",
                    "-preset", "veryfast", "-b:v", f"{rate}k", "-c:a", "aac", "-b:a", "96k",
                    "-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod",
                    "-hls_segment_filename", str(out / f"{h}p_%03d.ts"), str(out / f"{h}p.m3u8"),
                ], duration, lo, hi)  # fmt: skip
            subprocess.run(  # noqa: S603 - fixed program, our own arguments
                [ffmpeg(), "-hide_banner", "-nostdin", "-y", "-ss",
                            f"{min(1.0, duration / 2):.2f}", "-i", str(source), "-frames:v", "1",
                            "-vf", "scale=-2:360", str(out / "poster.jpg")],
                           capture_output=True, timeout=120, check=True)  # fmt: skip
            master = ["#EXTM3U", "#EXT-X-VERSION:3"]
            for h, rate in wanted:
                master += [f"#EXT-X-STREAM-INF:BANDWIDTH={(rate + 96) * 1000},"
                           f"RESOLUTION={h * 16 // 9 // 2 * 2}x{h}", f"{h}p.m3u8"]  # fmt: skip
            (out / "master.m3u8").write_text("\n".join(master) + "\n")
            store = storage()
            for file in sorted(out.iterdir()):
                name = f"{prefix}/{file.name}"
                if store.exists(name):
                    store.delete(name)
                with open(file, "rb") as fh:
                    store.save(name, File(fh))
        original = f"originals/{video.pk}.video"
        store = storage()
        if store.exists(original):
            store.delete(original)
        with open(source, "rb") as fh:
            store.save(original, File(fh))
        source.unlink(missing_ok=True)
    except (DomainError, subprocess.SubprocessError, OSError) as exc:
        message = getattr(exc, "message", _("转码失败"))
        logger.warning("video %s: transcoding failed: %s", video.pk, exc)
        with transaction.atomic():
            move_video(video, to=VideoState.FAILED, actor=actor, message=message)
        return {"state": "failed"}
    with transaction.atomic():
        Video.objects.filter(pk=video.pk).update(
            hls_prefix=prefix, original=original, duration=duration,
            renditions=[h for h, _ in wanted],
        )  # fmt: skip
        move_video(video, to=VideoState.READY, actor=actor, progress=100)
        Lesson.objects.filter(video=video).update(duration=int(duration))
    return {"state": "ready", "renditions": [h for h, _ in wanted]}


def import_local_file(org_unit: OrgUnit, path: Path, *, actor, title: str) -> Video:
    """A file already on this machine (the demo's generated clips): staged and transcoded
    here, without the upload round-trip or the queue."""
    video = start_upload(org_unit, actor=actor, title=title, size=os.path.getsize(path))
    shutil.copyfile(path, staging_path(video))
    Video.objects.filter(pk=video.pk).update(received=video.size)
    duration, _h = probe(staging_path(video))
    Video.objects.filter(pk=video.pk).update(duration=duration)
    with transaction.atomic():
        move_video(video, to=VideoState.QUEUED, actor=actor)
    transcode(video, actor=actor)
    video.refresh_from_db()
    return video


# -- reading back -------------------------------------------------------------------------------
def open_file(video: Video, name: str):
    """An open file of the video's HLS set (playlist, segment or poster) and its size;
    ``DomainError`` for a name outside the set."""
    if video.state != VideoState.READY or not FILE_NAME.match(name or ""):
        raise DomainError(_("文件不存在"), code="not_found")
    store, full = storage(), f"{video.hls_prefix}/{name}"
    if not store.exists(full):
        raise DomainError(_("文件不存在"), code="not_found")
    return store.open(full, "rb"), store.size(full)


def iter_range(fh, first: int, last: int, chunk: int = 64 * 1024):
    """Yield the bytes ``first..last`` of an open file in pieces, closing it at the end."""
    try:
        fh.seek(first)
        left = last - first + 1
        while left > 0:
            piece = fh.read(min(chunk, left))
            if not piece:
                break
            left -= len(piece)
            yield piece
    finally:
        fh.close()
