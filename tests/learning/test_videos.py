import io
import subprocess

import pytest

from gonghui.core.models import AuditEvent
from gonghui.learning.domain import videos


def _clip(path, seconds=3):
    subprocess.run([videos.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc=size=320x240:rate=15:duration={seconds}", "-f", "lavfi",
                    "-i", f"sine=frequency=440:duration={seconds}", "-shortest",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
                   check=True, timeout=120)  # fmt: skip
    return path


def test_not_a_video_fails_with_a_message(world):
    data = b"this is not a video at all" * 10
    video = videos.start_upload(world.county.county, actor=world.staff, title="假视频",
                                size=len(data))  # fmt: skip
    video = videos.receive_chunk(video, actor=world.staff, offset=0, stream=io.BytesIO(data),
                                 length=len(data))  # fmt: skip
    assert (video.state, video.message) == ("failed", "文件不是可识别的视频")
    assert not videos.staging_path(video).exists()


def test_resumable_upload_refuses_a_wrong_offset(world, tmp_path):
    data = _clip(tmp_path / "a.mp4").read_bytes()
    video = videos.start_upload(world.county.county, actor=world.staff, title="焊接演示",
                                size=len(data))  # fmt: skip
    half = len(data) // 2
    videos.receive_chunk(video, actor=world.staff, offset=0, stream=io.BytesIO(data[:half]),
                         length=half)  # fmt: skip
    with pytest.raises(Exception, match=f"续传位置应为{half}"):
        videos.receive_chunk(video, actor=world.staff, offset=0, stream=io.BytesIO(data),
                             length=len(data))  # fmt: skip
    video = videos.receive_chunk(
        video,
        actor=world.staff,
        offset=half,
        stream=io.BytesIO(data[half:]),
        length=len(data) - half,
    )
    assert video.state == "queued" and video.received == len(data)
    # The queued job, run here: HLS renditions and a poster.
    result = videos.run_transcode_job(video_id=video.pk)
    video.refresh_from_db()
    assert result == {"state": "ready", "renditions": [360]}
    assert (video.state, video.progress) == ("ready", 100)
    assert video.duration == pytest.approx(3, abs=0.2)
    assert AuditEvent.objects.filter(action="learning.video.transition",
                                     after__state="ready").count() == 1  # fmt: skip


def test_hls_files_served_with_range(client, world, tmp_path):
    video = videos.import_local_file(world.county.county, _clip(tmp_path / "b.mp4"),
                                     actor=world.staff, title="演示")  # fmt: skip
    world.lesson.video = video
    world.lesson.save()
    client.force_login(world.worker)
    base = f"/learn/videos/{video.pk}/"
    res = client.get(base + "master.m3u8")
    assert res.status_code == 200 and b"360p.m3u8" in b"".join(res.streaming_content)
    playlist = b"".join(client.get(base + "360p.m3u8").streaming_content).decode()
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))
    full = b"".join(client.get(base + segment).streaming_content)
    res = client.get(base + segment, HTTP_RANGE="bytes=100-299")
    assert res.status_code == 206
    assert res["Content-Range"] == f"bytes 100-299/{len(full)}"
    assert b"".join(res.streaming_content) == full[100:300]
    res = client.get(base + segment, HTTP_RANGE=f"bytes={len(full)}-")
    assert res.status_code == 416
    assert client.get(base + "../../etc/passwd").status_code == 404
    client.force_login(world.county.users["nobody"])
    assert client.get(base + "master.m3u8").status_code == 404
