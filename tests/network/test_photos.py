"""Photos of positions and activities: the content is checked and re-encoded (EXIF and its
GPS position dropped), uploads go through the live server as multipart forms, and a photo
is served only to those who see its position."""

import io

import pytest
from PIL import Image

from gonghui.core.errors import DomainError
from gonghui.core.images import MAX_SIDE, THUMB_SIDE, make_thumbnail, prepare_photo
from gonghui.network.domain import activities, photos
from gonghui.network.enums import ActivityKind
from gonghui.network.models import ActivityPhoto, PositionPhoto
from tests.factories import PASSWORD
from tests.live import LiveSession, multipart

from .conftest import slot


def _image(fmt: str = "PNG", size=(40, 30), exif: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "PhoneMaker"  # Make
        info[0x8825] = {1: "N", 2: (30.0, 30.0, 0.0)}  # GPS IFD: latitude
        img.save(out, fmt, exif=info)
    else:
        img.save(out, fmt)
    return out.getvalue()


def test_prepare_photo_reencodes_and_drops_exif():
    src = _image("JPEG", size=(3200, 1200), exif=True)
    assert Image.open(io.BytesIO(src)).getexif().get(0x010F) == "PhoneMaker"
    p = prepare_photo(src)
    img = Image.open(io.BytesIO(p.data))
    assert img.format == "JPEG" and p.source_format == "JPEG"
    # 3200×1200 shrunk to 1600 on its longer side keeps the 8:3 ratio: 1600×600.
    assert (p.width, p.height) == img.size == (MAX_SIDE, 600)
    assert not img.getexif()  # no EXIF block, no GPS position
    # The gallery's rendition: 1600×600 shrunk to 400 on its longer side, 400×150.
    t = make_thumbnail(p)
    thumb = Image.open(io.BytesIO(t.data))
    assert (t.width, t.height) == thumb.size == (THUMB_SIDE, 150) and thumb.format == "JPEG"
    assert not thumb.getexif() and len(t.data) < len(p.data)
    # A small photo is never enlarged.
    small = make_thumbnail(prepare_photo(_image("PNG", size=(120, 90))))
    assert (small.width, small.height) == (120, 90)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "请选择照片文件"),
        (b"%PDF-1.4 not a picture at all", "只能上传JPEG、PNG或WebP格式的照片"),
        (_image("GIF"), "只能上传JPEG、PNG或WebP格式的照片"),
        (_image("PNG")[:60], "照片文件已损坏，无法读取"),
        (b"\xff\xd8\xff" + b"\0" * (8 * 1024 * 1024), "照片不能超过8MB"),
    ],
)
def test_prepare_photo_refuses(data, message):
    with pytest.raises(DomainError) as exc:
        prepare_photo(data)
    assert exc.value.message == message


def test_photo_limits_and_rights(net, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(DomainError):
        photos.add_position_photo(net.legal, actor=net.staff, data=b"not an image")
    assert not PositionPhoto.objects.exists() and not any(tmp_path.rglob("*.jpg"))
    from gonghui.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        photos.add_position_photo(net.legal, actor=net.worker, data=_image())
    a = activities.create_activity(
        net.county.town_a, actor=net.staff, kind=ActivityKind.LECTURE, title="安全生产讲座",
        position=net.legal, starts_at=slot(), ends_at=slot(hour=11),
    )  # fmt: skip
    ph = photos.add_activity_photo(a, actor=net.staff, data=_image(), caption="现场")
    assert ph.image.name.startswith(f"network/activities/{a.pk}/") and ph.size > 0
    assert ph.thumb.name.startswith(f"network/activities/{a.pk}/thumbs/")
    files = [tmp_path / ph.image.name, tmp_path / ph.thumb.name]
    assert all(f.is_file() for f in files)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the row has
        photos.remove_photo(ph, actor=net.staff)
    assert not a.photos.exists()
    assert not any(f.exists() for f in files)  # both renditions gone with the photo


@pytest.mark.django_db(transaction=True)
def test_upload_over_live_server_and_shown_on_phone_page(live_server, net, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = LiveSession(live_server.url)
    assert staff.login(net.staff.mobile, PASSWORD).status in (200, 302)
    page = f"/console/network/positions/{net.legal.pk}/"
    upload = f"/console/network/positions/{net.legal.pk}/photos/"

    def send(filename, data, ctype):
        token = staff.form_token(page)
        body, content_type = multipart(
            {"csrfmiddlewaretoken": token, "caption": "服务站门口"},
            {"photo": (filename, data, ctype)},
        )
        status, _ctype, text = staff.raw(upload, body=body, content_type=content_type)
        return status, text.decode()

    # A text file named .jpg is refused by its content, with a Chinese message; nothing kept.
    status, body = send("fake.jpg", b"this is not a picture" * 10, "image/jpeg")
    assert status == 200 and "只能上传JPEG、PNG或WebP格式的照片" in body
    assert not PositionPhoto.objects.exists()
    status, body = send("门口.png", _image("PNG", size=(800, 600)), "image/png")
    assert status == 200 and "照片已上传" in body
    photo = PositionPhoto.objects.get()
    assert (photo.width, photo.height, photo.caption) == (800, 600, "服务站门口")
    assert (tmp_path / photo.image.name).is_file()

    # The worker's phone page shows it; the image is served to those who see the position.
    worker = LiveSession(live_server.url)
    assert worker.login(net.worker.mobile, PASSWORD).status in (200, 302)
    phone = worker.get(f"/network/positions/{net.legal.pk}/")
    src = f"/network/photos/position/{photo.pk}/"
    assert phone.status == 200 and src in phone.body and "服务站门口" in phone.body
    img = worker.raw(src)
    assert img[0] == 200 and img[1] == "image/jpeg"
    assert Image.open(io.BytesIO(img[2])).size == (800, 600)
    outsider = LiveSession(live_server.url)
    nobody = net.county.users["nobody"]
    assert outsider.login(nobody.mobile, PASSWORD).status in (200, 302)
    assert outsider.raw(src)[0] == 404


@pytest.mark.django_db(transaction=True)
def test_activity_gallery_over_live_server(live_server, net, settings, tmp_path):
    """Photos uploaded on the console's activity page show on the phone's activity page as
    a gallery of thumbnails (each a small rendition made at upload), each opening a page
    with the photo large; a person out of the activity's scope fetches none of them."""
    settings.MEDIA_ROOT = tmp_path
    a = activities.create_activity(
        net.county.town_a, actor=net.staff, kind=ActivityKind.CAMPAIGN, title="普法宣传周",
        place="城北广场", starts_at=slot(), ends_at=slot(hour=16),
    )  # fmt: skip
    staff = LiveSession(live_server.url)
    assert staff.login(net.staff.mobile, PASSWORD).status in (200, 302)
    console = f"/console/network/activities/{a.pk}/"
    for caption, size in (("展台", (1200, 900)), ("发放资料", (900, 1200))):
        body, ctype = multipart(
            {"csrfmiddlewaretoken": staff.form_token(console), "caption": caption},
            {"photo": (f"{caption}.png", _image("PNG", size=size), "image/png")},
        )
        status, _ctype, text = staff.raw(f"{console}photos/", body=body, content_type=ctype)
        assert status == 200 and "照片已上传" in text.decode()
    first, second = ActivityPhoto.objects.filter(activity=a).order_by("id")
    assert (first.width, first.height, second.width, second.height) == (1200, 900, 900, 1200)

    worker = LiveSession(live_server.url)
    assert worker.login(net.worker.mobile, PASSWORD).status in (200, 302)
    page = worker.get(f"/network/activities/{a.pk}/")
    assert page.status == 200 and 'class="network-gallery"' in page.body
    for ph in (first, second):
        assert f'src="/network/photos/activity/{ph.pk}/thumb/"' in page.body
        assert f'href="/network/activities/{a.pk}/photos/{ph.pk}/"' in page.body
    # Thumbnails: 400 px on the longer side, the ratio kept (1200×900 → 400×300).
    sizes = []
    for ph in (first, second):
        status, ctype, data = worker.raw(f"/network/photos/activity/{ph.pk}/thumb/")
        assert (status, ctype) == (200, "image/jpeg")
        sizes.append(Image.open(io.BytesIO(data)).size)
    assert sizes == [(400, 300), (300, 400)]
    large = worker.get(f"/network/activities/{a.pk}/photos/{second.pk}/")
    assert large.status == 200 and "第2张，共2张" in large.body and "发放资料" in large.body
    assert f'src="/network/photos/activity/{second.pk}/"' in large.body
    assert f'href="/network/activities/{a.pk}/photos/{first.pk}/"' in large.body  # 上一张
    status, _ctype, data = worker.raw(f"/network/photos/activity/{second.pk}/")
    assert status == 200 and Image.open(io.BytesIO(data)).size == (900, 1200)
    # A photo of another activity is not a page of this one.
    assert worker.get(f"/network/activities/{a.pk + 1}/photos/{first.pk}/").status == 404

    # Staff (no worker record of their own) open the phone page too, without 报名参加.
    phone = staff.get(f"/network/activities/{a.pk}/")
    assert phone.status == 200 and phone.body.count("/thumb/") == 2 and "报名参加" not in phone.body

    outsider = LiveSession(live_server.url)
    assert outsider.login(net.county.users["nobody"].mobile, PASSWORD).status in (200, 302)
    for path in (f"/network/photos/activity/{first.pk}/thumb/",
                 f"/network/photos/activity/{first.pk}/",
                 f"/network/activities/{a.pk}/photos/{first.pk}/",
                 f"/network/activities/{a.pk}/"):  # fmt: skip
        assert outsider.raw(path)[0] == 404, path
