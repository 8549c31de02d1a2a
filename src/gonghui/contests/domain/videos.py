# SPDX-License-Identifier: AGPL-3.0-or-later
"""Entry videos: resumable uploads (the tus 1.0 protocol's storage side), a type check by
content, a poster frame and the duration read with FFmpeg (the binary shipped by the
``imageio-ffmpeg`` wheel), and encrypted private storage read back by byte ranges.

Nothing of a video is ever on disk in plain text. While it uploads, each ``CHUNK`` of
bytes is sealed as soon as it is complete (AES-256-GCM, bound to the video's key and the
chunk's index, so no chunk can be moved) and appended to
``<private root>/contest-videos/<key>.part`` (mode 0600, outside any web root), which has
the layout of the finished file; the bytes of an unfinished chunk that a PATCH leaves
behind are kept sealed in ``<key>.tail`` (bound to the index they continue). Memory stays
flat: about two chunks per request. When the last byte is in, FFmpeg
checks it is a video and reads its duration and a poster frame through a loopback HTTP
server of this process that decrypts only the ranges FFmpeg asks for (a one-time secret
path, alive for the check only), and the part becomes ``<key>.vid``. A range request
decrypts only the chunks it covers.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import secrets
import struct
import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.db import transaction
from django.utils import timezone

from gonghui.core import crypto, http_range
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.private_files import private_root

from ..enums import ContestState, EntryState, VideoState
from ..models import Entry, Video
from .common import local, user_of
from .registration import require_registrar

AREA = "contest-videos"
CHUNK = 1024 * 1024  # one sealed unit of the stored file (and one read of the body)
MAGIC = b"GHV1"
_HEAD = struct.Struct(">QI")
_HEAD_BYTES = len(MAGIC) + _HEAD.size
_KEY = re.compile(r"^[0-9a-f]{32}$")
_OVERHEAD = crypto.NONCE_BYTES + 16  # nonce + GCM tag per chunk
_SEALED = CHUNK + _OVERHEAD


class UploadConflict(DomainError):
    """The client's offset is not the server's (tus: 409)."""


class UploadLocked(DomainError):
    """Another request is writing this upload (tus: 423)."""


def _dir() -> Path:
    d = private_root() / AREA
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def part_path(video: Video) -> Path:
    return _dir() / f"{video.key}.part"


def sealed_path(video: Video) -> Path:
    return _dir() / f"{video.key}.vid"


def poster_path(video: Video) -> Path:
    return _dir() / f"{video.key}.jpg.sealed"


def tail_path(video: Video) -> Path:
    return _dir() / f"{video.key}.tail"


def _private(path, flags):
    return os.open(path, flags, 0o600)


def looks_like_video(head: bytes) -> bool:
    """MP4/MOV/3GP (``ftyp`` box), WebM/Matroska (EBML), AVI (RIFF…AVI)."""
    return (
        head[4:8] == b"ftyp"
        or head[:4] == b"\x1a\x45\xdf\xa3"
        or (head[:4] == b"RIFF" and head[8:11] == b"AVI")
    )


@transaction.atomic
def start_upload(entry: Entry, *, actor, length: int, filename: str = "", claimed=None) -> Video:
    """tus creation: a video of ``length`` bytes for the entry's current round."""
    entry = Entry.objects.select_related("contest", "unit", "round").get(pk=entry.pk)
    contest = entry.contest
    require_registrar(actor, entry.unit)
    if entry.state != EntryState.REGISTERED:
        raise DomainError("该作品已退出", code="state")
    if contest.state not in (ContestState.REGISTRATION, ContestState.JUDGING):
        raise DomainError("竞赛当前不接受视频上传", code="state")
    rnd = entry.round
    if timezone.now() > rnd.upload_deadline:
        raise DomainError(f"{rnd.name}视频上传已于{local(rnd.upload_deadline)}截止",
                          code="deadline")  # fmt: skip
    if length <= 0:
        raise DomainError("文件为空", field="file")
    if length > contest.max_video_mb * 1024 * 1024:
        raise DomainError(f"视频不能超过{contest.max_video_mb}MB", code="too_large", field="file")
    claimed_value = None
    if claimed not in (None, ""):
        try:
            claimed_value = Decimal(str(claimed)).quantize(Decimal("0.01"))
        except ArithmeticError:
            raise DomainError("自报成绩应为数字", field="claimed") from None
    video = Video.objects.create(
        key=secrets.token_hex(16), entry=entry, round=rnd, filename=(filename or "")[:120],
        length=length, uploaded_by=user_of(actor), claimed_value=claimed_value,
    )  # fmt: skip
    with open(part_path(video), "wb", opener=_private) as fh:
        fh.write(MAGIC + _HEAD.pack(length, CHUNK))
    audit.record("contests.video.start", actor=actor, obj=entry,
                 after={"video": video.pk, "length": length})  # fmt: skip
    return video


def upload_by_key(key: str, *, actor) -> Video | None:
    """The upload a tus URL names, if ``actor`` may write it: the rule ``start_upload``
    checks (a registrar of the entry's unit), looked up by the upload's secret key. Every
    PATCH asks this, so it is one indexed query and the declared rule, not the scope
    filter's joins (about a third of a PATCH's fixed cost on the development machine)."""
    if not _KEY.match(key or ""):
        return None
    try:
        video = Video.objects.select_related("round", "entry__unit").get(key=key)
    except Video.DoesNotExist:
        return None
    try:
        require_registrar(actor, video.entry.unit)
    except PermissionDeniedError:
        return None
    return video


def _seal_chunk(key: str, index: int, plain) -> bytes:
    return crypto.encrypt_bytes(plain, context=f"{key}:{index}".encode())


def _resume_point(fh, video: Video, *, repair: bool = False) -> tuple[int, bytes]:
    """(sealed chunks in the open part file, the plain bytes of the unfinished chunk after
    them). A partly written chunk (a crash while writing) does not count, and is cut off
    when ``repair`` (only under the writer's lock); a tail that does not continue the last
    chunk (a crash between the two writes) is dropped: the client then resumes from an
    earlier offset (tus HEAD)."""
    size = os.fstat(fh.fileno()).st_size
    chunks = max(0, size - _HEAD_BYTES) // _SEALED
    if repair and size != _HEAD_BYTES + chunks * _SEALED:
        fh.truncate(_HEAD_BYTES + chunks * _SEALED)
    try:
        sealed = tail_path(video).read_bytes()
        tail = crypto.decrypt_bytes(sealed, context=f"{video.key}:tail:{chunks}".encode())
    except (FileNotFoundError, InvalidTag, ValueError):
        tail = b""
    return chunks, tail


def current_offset(video: Video) -> int:
    if video.state != VideoState.UPLOADING:
        return video.offset
    try:
        with open(part_path(video), "rb") as fh:
            chunks, tail = _resume_point(fh, video)
    except FileNotFoundError:
        return 0
    return chunks * CHUNK + len(tail)


def _reader(stream):
    """A ``readinto(view) -> int`` over a request body: ``stream`` is one already
    (``gonghui.core.request_body.body_reader``) or a file-like object with ``read(n)``."""
    if callable(stream):
        return stream

    def readinto(view: memoryview) -> int:
        data = stream.read(len(view))
        view[: len(data)] = data
        return len(data)

    return readinto


def append(video: Video, *, actor, offset: int, stream, content_length: int | None) -> int:
    """tus PATCH: append the request body at ``offset``; returns the new offset.

    The body is read into one preallocated chunk buffer and every complete chunk is sealed
    into a second one and written at once, so a PATCH of any size holds two chunks of
    memory and makes no new object per chunk; a dropped connection keeps what arrived.
    Nothing is synced to disk per PATCH (the answer's offset is what the file holds; after
    a power loss HEAD may report less, and the client resumes from there); the last byte
    finishes the upload (``finish``), which syncs the file before the video counts."""
    if video.state != VideoState.UPLOADING:
        raise UploadConflict("该视频已上传完成", code="state")
    if timezone.now() > video.round.upload_deadline:
        raise DomainError(f"{video.round.name}视频上传已于{local(video.round.upload_deadline)}截止",
                          code="deadline")  # fmt: skip
    path = part_path(video)
    try:
        fh = open(path, "r+b", buffering=0)  # noqa: SIM115 - locked and closed below
    except FileNotFoundError:
        raise UploadConflict("上传已失效，请重新上传", code="gone") from None
    readinto = _reader(stream)
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadLocked("该视频正在另一个连接中上传", code="locked") from None
        chunks, tail = _resume_point(fh, video, repair=True)
        size = chunks * CHUNK + len(tail)
        if offset != size:
            raise UploadConflict(f"续传位置不符（服务器已收到{size}字节）", code="offset")
        left = video.length - size
        if content_length is not None and content_length > left:
            raise DomainError("上传内容超出声明的文件大小", code="too_large")
        fh.seek(0, os.SEEK_END)
        plain = memoryview(bytearray(CHUNK))
        sealed = memoryview(bytearray(_SEALED))
        have = len(tail)
        plain[:have] = tail
        del tail
        received = 0
        checked = size > 0  # the type check looks at the file's first bytes
        while received < left:
            try:
                n = readinto(plain[have : have + min(CHUNK - have, left - received)])
            except OSError:  # a dropped connection keeps what arrived
                break
            if not n:
                break
            have += n
            received += n
            if not checked and (have >= 16 or received == left):
                checked = True
                if not looks_like_video(bytes(plain[:16])):
                    fh.close()
                    _reject(video, "不是视频文件")
                    raise DomainError("文件不是视频（仅支持MP4、MOV、WebM、AVI）",
                                      code="not_video", field="file")  # fmt: skip
            if have == CHUNK:
                _write_all(fh, sealed[: _seal_into(sealed, video.key, chunks, plain)])
                chunks += 1
                have = 0
        new = size + received
        if not checked and have:  # a connection that dropped within the first 16 bytes
            new, have = size, 0
        if new == video.length and have:  # the last, shorter chunk
            _write_all(fh, sealed[: _seal_into(sealed, video.key, chunks, plain[:have])])
            have = 0
        if have:
            out = crypto.encrypt_bytes(plain[:have], context=f"{video.key}:tail:{chunks}".encode())
            tmp = tail_path(video).with_suffix(".tailtmp")
            with open(tmp, "wb", opener=_private) as fout:
                fout.write(out)
            tmp.replace(tail_path(video))
        else:
            tail_path(video).unlink(missing_ok=True)
        if new == video.length:
            os.fsync(fh.fileno())
    if new == video.length:
        finish(video, actor=actor)
    return new


def _seal_into(out: memoryview, key: str, index: int, plain) -> int:
    return crypto.encrypt_bytes_into(plain, out, context=f"{key}:{index}".encode())


def _write_all(fh, data: memoryview) -> None:
    while data:
        data = data[fh.write(data) :]


def _reject(video: Video, note: str) -> None:
    part_path(video).unlink(missing_ok=True)
    tail_path(video).unlink(missing_ok=True)
    Video.objects.filter(pk=video.pk).update(state=VideoState.REJECTED, note=note)
    video.state = VideoState.REJECTED


@functools.cache
def ffmpeg_exe() -> str:
    """The wheel's FFmpeg binary, looked up once per process (``get_ffmpeg_exe`` runs
    ``ffmpeg -version`` to check it on every call: 0.1-0.2 s)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def probe(source: str | Path) -> tuple[Decimal | None, bytes]:
    """(duration in seconds, a JPEG poster frame) of a video (a file or a URL FFmpeg reads);
    (None, b"") when FFmpeg finds no video stream in it. One FFmpeg run reads the stream
    information and takes the frame at 1 s; a clip of 2 s or less is taken at 0 s."""
    exe = ffmpeg_exe()

    def run(at: str) -> tuple[str, bytes]:
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own file
            [exe, "-hide_banner", "-nostdin", "-ss", at, "-i", str(source), "-frames:v", "1",
             "-vf", "scale=480:-2", "-f", "image2", "-vcodec", "mjpeg", "pipe:1"],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        return done.stderr.decode("utf-8", "replace"), done.stdout

    info, poster = run("1")
    if not re.search(r"Stream #\S+.*Video:", info):
        return None, b""
    m = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", info)
    duration = Decimal(int(m[1]) * 3600 + int(m[2]) * 60) + Decimal(m[3]) if m else None
    if duration is not None and duration <= 2:
        poster = run("0")[1]
    return (duration.quantize(Decimal("0.01")) if duration is not None else None), poster


@contextlib.contextmanager
def _plain_url(path: Path, key: str, length: int) -> Iterator[str]:
    """A loopback URL serving the plain bytes of a sealed file, with ranges, for FFmpeg;
    only under a one-time secret path, only while the block runs."""
    secret = "/" + secrets.token_urlsafe(24)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path != secret:
                self.send_error(404)
                return
            try:
                span = http_range.parse_range(self.headers.get("Range"), length)
            except http_range.RangeNotSatisfiable as exc:
                self.send_response(416)
                self.send_header("Content-Range", exc.content_range)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            first, last = (span.first, span.last) if span else (0, length - 1)
            self.send_response(206 if span else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(last - first + 1))
            if span:
                self.send_header("Content-Range", span.content_range)
            self.end_headers()
            try:
                for piece in _read_sealed(path, key, first, last):
                    self.wfile.write(piece)
            except OSError:  # FFmpeg seeks elsewhere and drops this connection
                self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # shutdown() waits for the serving loop to look at its flag, every poll_interval
    # (0.5 s by default: half a second added to the last PATCH of every upload).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)  # fmt: skip
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{secret}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def finish(video: Video, *, actor) -> Video:
    """Check the complete file with FFmpeg and mark the video ready (or rejected)."""
    part = part_path(video)
    with _plain_url(part, video.key, video.length) as url:
        duration, poster = probe(url)
    if duration is None:
        _reject(video, "FFmpeg未识别出视频")
        audit.record("contests.video.reject", actor=actor, obj=video.entry,
                     after={"video": video.pk})  # fmt: skip
        raise DomainError("文件不是可播放的视频", code="not_video", field="file")
    part.replace(sealed_path(video))
    if poster:
        sealed = crypto.encrypt_bytes(poster, context=f"{video.key}:poster".encode())
        poster_path(video).write_bytes(sealed)
    _sync_dir(part.parent)  # the rename (the file itself was synced by its last PATCH)
    with transaction.atomic():
        # An earlier ready video of this entry and round is replaced by the new one.
        Video.objects.filter(entry=video.entry, round=video.round, state=VideoState.READY).exclude(
            pk=video.pk
        ).update(state=VideoState.REJECTED, note="已被新上传的视频替换")
        Video.objects.filter(pk=video.pk).update(
            state=VideoState.READY, duration=duration, has_poster=bool(poster),
            completed_at=timezone.now(), offset=video.length,
        )  # fmt: skip
        audit.record("contests.video.ready", actor=actor, obj=video.entry,
                     after={"video": video.pk, "bytes": video.length,
                            "duration": str(duration)})  # fmt: skip
    video.refresh_from_db()
    return video


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def seal_file(src: Path, dst: Path, *, key: str, length: int) -> None:
    """Seal a whole plain file in the stored layout (the demo's clips)."""
    tmp = dst.with_suffix(".tmp")
    with open(src, "rb") as fin, open(tmp, "wb", opener=_private) as out:
        out.write(MAGIC + _HEAD.pack(length, CHUNK))
        index = 0
        while chunk := fin.read(CHUNK):
            out.write(_seal_chunk(key, index, chunk))
            index += 1
    tmp.replace(dst)


def read_range(video: Video, start: int, end: int) -> Iterator[bytes]:
    """The plain bytes ``start``..``end`` (inclusive) of a ready video, chunk by chunk."""
    return _read_sealed(sealed_path(video), video.key, start, end)


def _read_sealed(path: Path, key: str, start: int, end: int) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
        if head[:4] != MAGIC:
            raise FileNotFoundError(path)
        length, chunk = _HEAD.unpack(head[4:])
        end = min(end, length - 1)
        first, last = start // chunk, end // chunk
        for index in range(first, last + 1):
            fh.seek(len(head) + index * (chunk + _OVERHEAD))
            sealed = fh.read(chunk + _OVERHEAD)
            plain = crypto.decrypt_bytes(sealed, context=f"{key}:{index}".encode())
            lo = start - index * chunk if index == first else 0
            hi = end - index * chunk + 1 if index == last else len(plain)
            yield plain[lo:hi]


def read_poster(video: Video) -> bytes:
    return crypto.decrypt_bytes(poster_path(video).read_bytes(),
                                context=f"{video.key}:poster".encode())  # fmt: skip


def has_file(video: Video) -> bool:
    return sealed_path(video).is_file()


def discard(video: Video, *, actor) -> None:
    """tus termination: an unfinished upload is dropped."""
    require_registrar(actor, video.entry.unit)
    if video.state != VideoState.UPLOADING:
        raise DomainError("已完成的视频不能取消", code="state")
    _reject(video, "已取消上传")
    audit.record("contests.video.discard", actor=actor, obj=video.entry, after={"video": video.pk})


def latest_ready(entry: Entry):
    return entry.videos.filter(state=VideoState.READY).order_by("-completed_at").first()
