# SPDX-License-Identifier: AGPL-3.0-or-later
"""The tus 1.0 server (core protocol, creation and termination) over Django views, and
video streaming with HTTP range requests (decrypting only the chunks a range covers)."""

import base64

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from gonghui.core import http_range
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.request_body import body_reader
from gonghui.core.scope import principal_for

from ..domain import judging, videos
from ..enums import JudgeState, VideoState
from ..models import Entry, Judge, Video

TUS = "1.0.0"


def _tus(status: int, message: str = "", **headers) -> HttpResponse:
    res = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    res["Tus-Resumable"] = TUS
    res["Cache-Control"] = "no-store"
    for k, v in headers.items():
        res[k.replace("_", "-")] = v
    return res


def _metadata(header: str) -> dict[str, str]:
    out = {}
    for pair in (header or "").split(","):
        parts = pair.strip().split(" ", 1)
        if parts and parts[0]:
            try:
                out[parts[0]] = base64.b64decode(parts[1]).decode() if len(parts) > 1 else ""
            except (ValueError, UnicodeDecodeError):
                out[parts[0]] = ""
    return out


def _refusal(exc: DomainError) -> HttpResponse:
    status = {"too_large": 413, "not_video": 415, "deadline": 410, "offset": 409,
              "locked": 423, "state": 409, "gone": 404}.get(exc.code, 400)  # fmt: skip
    return _tus(status, exc.message)


@require_http_methods(["POST", "OPTIONS"])
def create(request):
    if request.method == "OPTIONS":
        return _tus(204, Tus_Version=TUS, Tus_Extension="creation,termination")
    if not request.user.is_authenticated:
        return _tus(401, "请先登录")
    if request.headers.get("Tus-Resumable") != TUS:
        return _tus(412, "不支持的tus版本", Tus_Version=TUS)
    meta = _metadata(request.headers.get("Upload-Metadata", ""))
    try:
        length = int(request.headers.get("Upload-Length", ""))
        entry_id = int(meta.get("entry", ""))
    except ValueError:
        return _tus(400, "缺少Upload-Length或作品编号")
    entry = Entry.objects.restrict(request.user, "change").filter(pk=entry_id).first()
    if entry is None:
        return _tus(404, "未找到该作品，或不在您的权限范围内")
    try:
        video = videos.start_upload(entry, actor=request.user, length=length,
                                    filename=meta.get("filename", ""),
                                    claimed=meta.get("claimed") or None)  # fmt: skip
    except PermissionDeniedError as exc:
        return _tus(403, exc.message)
    except DomainError as exc:
        return _refusal(exc)
    return _tus(201, Location=request.build_absolute_uri(f"{request.path}{video.key}/"))


@require_http_methods(["HEAD", "PATCH", "DELETE", "OPTIONS"])
def resource(request, key):
    if request.method == "OPTIONS":
        return _tus(204, Tus_Version=TUS, Tus_Extension="creation,termination")
    if not request.user.is_authenticated:
        return _tus(401, "请先登录")
    video = videos.upload_by_key(key, actor=request.user)
    if video is None:
        return _tus(404, "未找到该上传")
    if request.method == "HEAD":
        if video.state == VideoState.REJECTED:
            return _tus(410)
        return _tus(200, Upload_Offset=str(videos.current_offset(video)),
                    Upload_Length=str(video.length))  # fmt: skip
    if request.method == "DELETE":
        try:
            videos.discard(video, actor=request.user)
        except DomainError as exc:
            return _refusal(exc)
        return _tus(204)
    if request.content_type != "application/offset+octet-stream":
        return _tus(415, "Content-Type应为application/offset+octet-stream")
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        length = request.headers.get("Content-Length")
        new = videos.append(video, actor=request.user, offset=offset,
                            stream=body_reader(request),
                            content_length=int(length) if length else None)  # fmt: skip
    except ValueError:
        return _tus(400, "缺少Upload-Offset")
    except DomainError as exc:
        return _refusal(exc)
    return _tus(204, Upload_Offset=str(new))


def _watchable(request, video_id) -> Video:
    video = get_object_or_404(Video.objects.select_related("entry__event", "entry__unit"),
                              pk=video_id, state=VideoState.READY)  # fmt: skip
    if Video.objects.restrict(request.user).filter(pk=video.pk).exists():
        return video
    acting = principal_for(request.user).acting_user_id
    judge = Judge.objects.filter(event=video.entry.event, user_id=acting,
                                 state=JudgeState.ACCEPTED).first()  # fmt: skip
    if judge and not judging.in_conflict(judging.conflict_paths(judge), video.entry.unit.path):
        return video
    raise Http404


def stream(request, video_id):
    if not request.user.is_authenticated:
        raise PermissionDenied
    video = _watchable(request, video_id)
    if not videos.has_file(video):
        raise Http404
    size = video.length
    try:
        span = http_range.parse_range(request.headers.get("Range"), size)
    except http_range.RangeNotSatisfiable as exc:
        return http_range.not_satisfiable(exc)
    first, last = (span.first, span.last) if span else (0, size - 1)
    res = StreamingHttpResponse(videos.read_range(video, first, last), status=206 if span else 200,
                                content_type="video/mp4")  # fmt: skip
    if span:
        res["Content-Range"] = span.content_range
    res["Content-Length"] = str(last - first + 1)
    res["Accept-Ranges"] = "bytes"
    res["Cache-Control"] = "private, no-store"
    return res


def poster(request, video_id):
    if not request.user.is_authenticated:
        raise PermissionDenied
    video = _watchable(request, video_id)
    if not video.has_poster:
        raise Http404
    try:
        data = videos.read_poster(video)
    except FileNotFoundError:
        raise Http404 from None
    res = HttpResponse(data, content_type="image/jpeg")
    res["Cache-Control"] = "private, max-age=600"
    return res
