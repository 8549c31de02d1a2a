"""Video upload: the tus storage side, FFmpeg's checks, sealed storage and byte ranges,
in the domain and over a live server (resumable PATCHes, HEAD, Range)."""

import datetime as dt
import io
import subprocess
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from gonghui.contests.domain import registration, videos
from gonghui.contests.models import Contest, Video
from gonghui.core.errors import DomainError
from gonghui.orgs.enums import Role
from tests.factories import PASSWORD, user_with_role
from tests.live import LiveSession

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    out = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        [videos.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc=duration=3:size=320x240:rate=15", "-pix_fmt", "yuv420p", "-y", str(out)],
        check=True, timeout=120,
    )  # fmt: skip
    return out.read_bytes()


@pytest.fixture
def private(settings, tmp_path):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    return settings.GONGHUI_PRIVATE_ROOT


@pytest.fixture
def entry(meet):
    return registration.register_entry(meet.ev["男子俯卧撑"], actor=meet.officer_a,
                                       unit=meet.county.union_a, people=[meet.a[0]])  # fmt: skip


def test_upload_in_chunks_checks_seals_and_reads_ranges(meet, entry, clip, private):
    video = videos.start_upload(entry, actor=meet.officer_a, length=len(clip), filename="a.mp4",
                                claimed=52)  # fmt: skip
    half = len(clip) // 2
    assert videos.append(video, actor=meet.officer_a, offset=0, stream=io.BytesIO(clip[:half]),
                         content_length=half) == half  # fmt: skip
    with pytest.raises(videos.UploadConflict):  # a stale offset
        videos.append(video, actor=meet.officer_a, offset=0, stream=io.BytesIO(clip),
                      content_length=len(clip))  # fmt: skip
    assert videos.current_offset(video) == half
    videos.append(video, actor=meet.officer_a, offset=half, stream=io.BytesIO(clip[half:]),
                  content_length=len(clip) - half)  # fmt: skip
    video.refresh_from_db()
    assert video.state == "ready" and video.offset == len(clip) and video.claimed_value == 52
    assert abs(float(video.duration) - 3.0) < 0.2
    assert videos.read_poster(video)[:3] == b"\xff\xd8\xff"  # a JPEG frame
    # Stored sealed: the plain part is gone and the file does not contain the clip's bytes.
    assert not videos.part_path(video).exists()
    sealed = videos.sealed_path(video).read_bytes()
    assert clip[1000:1064] not in sealed
    assert b"".join(videos.read_range(video, 0, len(clip) - 1)) == clip
    assert b"".join(videos.read_range(video, 100, 5000)) == clip[100:5001]


def test_refusals_write_nothing(meet, entry, clip, private):
    Contest.objects.filter(pk=meet.contest.pk).update(max_video_mb=1)
    with pytest.raises(DomainError, match="不能超过1MB"):
        videos.start_upload(entry, actor=meet.officer_a, length=2 * 1024 * 1024)
    assert not Video.objects.exists()
    with pytest.raises(DomainError):  # another unit's officer
        other = user_with_role(Role.UNION_OFFICER, meet.county.union_b)
        videos.start_upload(entry, actor=other, length=100)
    assert not Video.objects.exists()
    text = b"%PDF-1.7 not a video at all" * 10
    video = videos.start_upload(entry, actor=meet.officer_a, length=len(text))
    with pytest.raises(DomainError, match="不是视频"):
        videos.append(video, actor=meet.officer_a, offset=0, stream=io.BytesIO(text),
                      content_length=len(text))  # fmt: skip
    video.refresh_from_db()
    assert video.state == "rejected" and not videos.part_path(video).exists()
    rnd = entry.round
    rnd.upload_deadline = timezone.now() - dt.timedelta(minutes=1)
    rnd.save()
    with pytest.raises(DomainError, match="截止"):
        videos.start_upload(entry, actor=meet.officer_a, length=len(clip))
    assert Video.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_tus_over_http_resumes_and_streams_ranges(live_server, county, clip, private):
    from gonghui.contests.domain import contests as c
    from tests.contests.conftest import PUSHUPS, members, rounds

    staff = county.users["federation_staff"]
    contest = c.create_contest(county.county, actor=staff, name="直播测试", events=[PUSHUPS],
                               rounds=rounds(), tiers=[])  # fmt: skip
    c.transition(contest, actor=staff, to="registration")
    officer = user_with_role(Role.UNION_OFFICER, county.union_a, mobile="13900007777")
    person = members(county.union_a, county.ent_a, 1)[0]
    entry = registration.register_entry(contest.events.get(), actor=officer,
                                        unit=county.union_a, people=[person])  # fmt: skip
    s = LiveSession(live_server.url)
    assert s.login("13900007777", PASSWORD).status == 200
    s.get("/contests/")
    csrf = s._cookie("csrftoken")
    import base64

    def call(method, path, body=None, headers=None):
        h = {"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf, "Referer": live_server.url + "/",
             **(headers or {})}  # fmt: skip
        # S310: plain http to the test's own live server.
        req = urllib.request.Request(live_server.url + path, data=body, method=method, headers=h)  # noqa: S310
        try:
            with s.opener.open(req) as res:
                return res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    meta = f"entry {base64.b64encode(str(entry.pk).encode()).decode()}"
    status, headers, _ = call(
        "POST", "/contests/tus/", headers={"Upload-Length": str(len(clip)), "Upload-Metadata": meta}
    )
    assert status == 201
    path = headers["Location"].replace(live_server.url, "")
    octet = {"Content-Type": "application/offset+octet-stream"}
    half = len(clip) // 3
    status, headers, _ = call("PATCH", path, clip[:half], {**octet, "Upload-Offset": "0"})
    assert status == 204 and headers["Upload-Offset"] == str(half)
    # A client that lost the answer asks where to resume.
    status, headers, _ = call("HEAD", path)
    assert status == 200 and headers["Upload-Offset"] == str(half)
    status, _, body = call("PATCH", path, clip[:10], {**octet, "Upload-Offset": "0"})
    assert status == 409
    status, headers, _ = call("PATCH", path, clip[half:], {**octet, "Upload-Offset": str(half)})
    assert status == 204 and headers["Upload-Offset"] == str(len(clip))
    video = Video.objects.get(entry=entry)
    assert video.state == "ready"
    status, headers, body = call("GET", f"/contests/videos/{video.pk}/stream",
                                 headers={"Range": "bytes=10-99"})  # fmt: skip
    assert status == 206 and body == clip[10:100]
    assert headers["Content-Range"] == f"bytes 10-99/{len(clip)}"
    # Another unit's officer neither resumes nor watches it.
    user_with_role(Role.UNION_OFFICER, county.union_b, mobile="13900008888")
    t = LiveSession(live_server.url)
    t.login("13900008888", PASSWORD)
    req = urllib.request.Request(f"{live_server.url}/contests/videos/{video.pk}/stream")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as err:
        t.opener.open(req)
    assert err.value.code == 404
    # Nor does the upload's URL let them in (HEAD, PATCH): the same 404 as a wrong key.
    for method, body in (("HEAD", None), ("PATCH", clip[:10])):
        req = urllib.request.Request(  # noqa: S310
            live_server.url + path, data=body, method=method,
            headers={"Tus-Resumable": "1.0.0", "X-CSRFToken": t._cookie("csrftoken"),
                     "Referer": live_server.url + "/", "Upload-Offset": "0", **octet},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as err:
            t.opener.open(req)
        assert err.value.code == 404
    assert Video.objects.get(entry=entry).offset == len(clip)


class Dropping(io.BytesIO):
    """A request body whose connection drops after ``after`` bytes."""

    def __init__(self, data: bytes, after: int):
        super().__init__(data)
        self.after = after

    def read(self, n=-1):
        if self.tell() >= self.after:
            raise OSError("connection reset")
        return super().read(min(n, self.after - self.tell()))


def test_unaligned_patches_and_a_dropped_connection_resume_exactly(meet, entry, clip, private):
    # The clip followed by an MP4 ``free`` box: 2.5 chunks, cut at places no chunk ends.
    pad = int(2.5 * videos.CHUNK) - len(clip)
    data = clip + pad.to_bytes(4, "big") + b"free" + bytes(range(256)) * ((pad - 8) // 256)
    data += bytes(int(2.5 * videos.CHUNK) - len(data))
    video = videos.start_upload(entry, actor=meet.officer_a, length=len(data))
    cut = videos.CHUNK // 3
    videos.append(video, actor=meet.officer_a, offset=0, stream=io.BytesIO(data[:cut]),
                  content_length=cut)  # fmt: skip
    # The unfinished chunk is kept sealed between requests, never in plain text.
    assert data[100:164] not in videos.tail_path(video).read_bytes()
    drop = videos.CHUNK + 12345  # the connection drops inside the second chunk
    body = Dropping(data[cut:], drop - cut)
    got = videos.append(video, actor=meet.officer_a, offset=cut, stream=body,
                        content_length=len(data) - cut)  # fmt: skip
    assert got == drop == videos.current_offset(video)
    videos.append(video, actor=meet.officer_a, offset=drop, stream=io.BytesIO(data[drop:]),
                  content_length=len(data) - drop)  # fmt: skip
    video.refresh_from_db()
    assert video.state == "ready" and not videos.tail_path(video).exists()
    assert b"".join(videos.read_range(video, 0, len(data) - 1)) == data
    last = len(data) - 1
    assert b"".join(videos.read_range(video, videos.CHUNK - 5, last)) == data[videos.CHUNK - 5 :]
