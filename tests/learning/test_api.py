import json
import subprocess
import urllib.request

import pytest

from gonghui.learning.domain import library, videos
from gonghui.learning.models import Hold, LibraryCard, Loan, Video
from tests.factories import PASSWORD, PersonFactory, make_user
from tests.live import LiveSession


def _post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_api_learner_flow_and_own_records_only(client, world):
    client.force_login(world.worker)
    items = client.get("/api/learning/courses", {"q": "焊接"}).json()["items"]
    assert [c["title"] for c in items] == ["焊接安全"]
    detail = client.get(f"/api/learning/courses/{world.course.pk}").json()
    assert [lesson["title"] for lesson in detail["lessons"]] == ["焊前检查", "安全守则"]
    res = _post(client, f"/api/learning/courses/{world.course.pk}/enroll")
    assert res.status_code == 201 and res.json()["subsidy"] == "159.20"
    res = _post(
        client,
        "/api/learning/heartbeats",
        {"beats": [{"lesson": world.lesson.pk, "position": 20, "start": 0, "end": 20, "at": 1}]},
    )
    assert res.json() == [
        {
            "lesson_id": world.lesson.pk,
            "ok": True,
            "message": "",
            "position": 20.0,
            "watched_ratio": 0.2,
            "completed": False,
        }
    ]
    # A worker with no person behind the account is refused.
    # A batch of lessons none of which the caller is enrolled in: 404, nothing written.
    other = make_user("stranger", person=PersonFactory(name="路人"))
    client.force_login(other)
    res = _post(
        client,
        "/api/learning/heartbeats",
        {"beats": [{"lesson": world.lesson.pk, "position": 20, "start": 0, "end": 20, "at": 1}]},
    )
    assert res.status_code == 404
    client.force_login(world.county.users["nobody"])
    assert _post(client, "/api/learning/heartbeats", {"beats": []}).status_code == 403


def test_api_library_card_loans_holds(client, world):
    copy = library.add_copy(world.room, actor=world.officer, isbn="9787020002207",
                            title="红楼梦", barcode="NJ000001")  # fmt: skip
    client.force_login(world.worker)
    room = world.room.pk
    assert _post(client, f"/api/learning/library/rooms/{room}/card").status_code == 201
    res = _post(client, f"/api/learning/library/rooms/{room}/card")
    assert res.status_code == 409 and res.json()["error"]["code"] == "duplicate"
    res = _post(client, f"/api/learning/library/rooms/{room}/checkout", {"barcode": copy.barcode})
    assert res.status_code == 201 and res.json()["title"] == "红楼梦"
    res = _post(client, f"/api/learning/library/rooms/{room}/checkout", {"barcode": copy.barcode})
    assert res.status_code == 409 and res.json()["error"]["message"] == "该书已借出"
    loan = Loan.objects.get()
    other = make_user("reader_x", person=PersonFactory(name="读者戊"))
    library.issue_card(world.room, actor=other, person=other.person)
    client.force_login(other)
    assert client.get("/api/learning/library/me/loans").json()["items"] == []
    assert _post(client, f"/api/learning/library/loans/{loan.pk}/renew").status_code == 404
    res = _post(client, f"/api/learning/library/rooms/{room}/holds", {"isbn": "978-7-02-000220-7"})
    assert res.status_code == 201 and res.json()["state"] == "waiting"
    # The staff's list holds the loan; the desk lends on a card number.
    client.force_login(world.officer)
    assert [x["id"] for x in client.get("/api/learning/library/loans").json()["items"]] == [loan.pk]
    assert Hold.objects.count() == 1 and LibraryCard.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_resumable_video_upload_over_http(live_server, world, tmp_path):
    clip = tmp_path / "c.mp4"
    subprocess.run([videos.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc=size=320x240:rate=10:duration=2", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(clip)], check=True, timeout=120)  # fmt: skip
    data = clip.read_bytes()
    from gonghui.orgs.enums import Role
    from tests.factories import user_with_role

    staff = user_with_role(Role.FEDERATION_STAFF, world.county.county, username="up_staff")
    session = LiveSession(live_server.url)
    session.login(staff.mobile, PASSWORD)
    res = session.request("POST", "/api/learning/videos",
                          json_body={"org_unit_id": world.county.county.pk, "title": "演示",
                                     "size": len(data)})  # fmt: skip
    assert res.status == 201, res.body
    vid = res.json()["id"]

    def put(offset: int, piece: bytes):
        req = urllib.request.Request(  # noqa: S310 - the test's own live server
            f"{live_server.url}/api/learning/videos/{vid}/content", data=piece, method="POST",
            headers={"Upload-Offset": str(offset), "Content-Type": "application/octet-stream",
                     "X-CSRFToken": session._cookie("csrftoken"),
                     "Referer": live_server.url + "/"},
        )  # fmt: skip
        try:
            with session.opener.open(req) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    half = len(data) // 2
    assert put(0, data[:half])[1]["received"] == half
    status, body = put(0, data)  # a client that lost its place
    assert status == 400 and body["error"]["message"] == f"续传位置应为{half}"
    received = session.get(f"/api/learning/videos/{vid}").json()["received"]
    status, body = put(received, data[received:])
    assert status == 200 and body["state"] == "queued" and body["received"] == len(data)
    assert Video.objects.get(pk=vid).size == len(data)
