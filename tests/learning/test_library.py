import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.learning.domain import library
from gonghui.learning.enums import CopyState, HoldState, LoanState
from gonghui.learning.models import BookCopy, LibraryCard, Loan
from gonghui.orgs.enums import IdType
from tests.factories import PersonFactory, make_user

ISBN = "9787020002207"  # 红楼梦, check digit 7


def _stock(world, n=3):
    return [
        library.add_copy(
            world.room,
            actor=world.officer,
            isbn=ISBN,
            title="红楼梦",
            author="曹雪芹",
            publisher="人民文学出版社",
            barcode=f"NJ{i:06d}",
        )
        for i in range(n)
    ]


def test_isbn_check_digits():
    assert library.normalise_isbn("978-7-02-000220-7") == ISBN
    assert library.normalise_isbn("702000220X") == ISBN  # ISBN-10 → 13
    with pytest.raises(DomainError, match="校验位"):
        library.normalise_isbn("9787020002208")


def _iso2709(fields: list[tuple[str, dict[str, str]]]) -> bytes:
    """One record in ISO 2709 written by hand (leader, directory, fields with indicators
    and $-subfields), as the city library's CNMARC export is laid out."""
    data, directory = b"", b""
    for tag, subfields in fields:
        body = b"  " + b"".join(b"\x1f" + c.encode() + v.encode() for c, v in subfields.items())
        body += b"\x1e"
        directory += tag.encode() + b"%04d%05d" % (len(body), len(data))
        data += body
    base = 24 + len(directory) + 1
    length = base + len(data) + 1
    leader = b"%05dnam  22%05d   450 " % (length, base)
    return leader + directory + b"\x1e" + data + b"\x1d"


def test_cnmarc_import_titles_copies_and_rejected_records(world):
    from gonghui.learning.models import Title

    book = {"010": {"a": "978-7-02-000220-7"}, "200": {"a": "红楼梦", "f": "曹雪芹著"},
            "210": {"a": "北京", "c": "人民文学出版社", "d": "1996"}}  # fmt: skip
    records = [
        [*book.items(), ("905", {"b": "NJ100001", "d": "I242.4", "e": "1"})],
        [*book.items(), ("905", {"b": "NJ100002"})],  # a second copy of the same title
        [("200", {"a": "无书号的书"}), ("905", {"b": "NJ100003"})],
        [("010", {"a": "9787020002208"}), ("200", {"a": "校验位错"})],
        [*book.items(), ("905", {"b": "NJ100001"})],  # the barcode is taken
    ]
    data = b"".join(_iso2709(r) for r in records)
    result = library.import_cnmarc(world.room, data, actor=world.officer)
    assert (result.titles, result.copies) == (1, 2)
    assert [(n, why) for n, _what, why in result.rejected] == [
        (3, "没有ISBN（010 $a）"), (4, "ISBN校验位不正确"), (5, "条码已被使用")]  # fmt: skip
    title = Title.objects.get()
    assert (title.isbn, title.title, title.author, title.publisher, title.year) == (
        "9787020002207", "红楼梦", "曹雪芹著", "人民文学出版社", 1996)  # fmt: skip
    shelves = dict(BookCopy.objects.values_list("barcode", "shelf"))
    assert shelves == {"NJ100001": "I242.4/1", "NJ100002": ""}
    with pytest.raises(PermissionDeniedError):
        library.import_cnmarc(world.room, data, actor=world.worker)
    # The desk's upload: the same import, the rejected records named in Chinese.
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(world.officer)
    res = client.post(f"/console/learning/rooms/{world.room.pk}/marc/",
                      {"file": SimpleUploadedFile("nc.iso", data)}, follow=True)  # fmt: skip
    page = res.content.decode()
    assert (
        "新书目0种，入藏0册" in page
        and "第5条记录（978-7-02-000220-7）未导入：条码已被使用" in page
    )


def test_card_without_deposit_for_member_and_verified_resident(world):
    card = library.issue_card(world.room, actor=world.worker, person=world.worker.person)
    assert (card.basis, card.loan_limit) == ("member", 5)
    resident = PersonFactory(name="市民甲", id_type=IdType.RESIDENT)
    card2 = library.issue_card(world.room, actor=world.officer, person=resident)
    assert card2.basis == "resident"
    with pytest.raises(DomainError, match="已办理读者证"):
        library.issue_card(world.room, actor=world.worker, person=world.worker.person)
    passport = PersonFactory(name="外籍", id_type=IdType.PASSPORT, id_number="E12345678")
    with pytest.raises(DomainError, match="身份未核验"):
        library.issue_card(world.room, actor=world.officer, person=passport)
    # Staff of another town may not issue cards at this room.
    other = PersonFactory(name="市民乙")
    with pytest.raises(PermissionDeniedError):
        library.issue_card(world.room, actor=world.county.users["nobody"], person=other)
    assert LibraryCard.objects.count() == 2


def test_loan_limit_already_on_loan_unknown_barcode(world):
    copies = _stock(world, 3)
    card = library.issue_card(
        world.room, actor=world.worker, person=world.worker.person, loan_limit=2
    )
    library.checkout(world.room, actor=world.worker, card=card, barcode=copies[0].barcode)
    with pytest.raises(DomainError, match="该书已借出"):
        library.checkout(world.room, actor=world.worker, card=card, barcode=copies[0].barcode)
    library.checkout(world.room, actor=world.worker, card=card, barcode=copies[1].barcode)
    with pytest.raises(DomainError, match="达到读者证上限2册"):
        library.checkout(world.room, actor=world.worker, card=card, barcode=copies[2].barcode)
    with pytest.raises(DomainError, match="未知条码"):
        library.checkout(world.room, actor=world.worker, card=card, barcode="NOPE0001")
    assert Loan.objects.count() == 2
    assert BookCopy.objects.get(pk=copies[2].pk).state == CopyState.AVAILABLE


def test_return_elsewhere_renew_hold(world):
    copies = _stock(world, 1)
    other_room = library.create_room(world.county.county, actor=world.staff, name="县图书馆分馆")
    card = library.issue_card(world.room, actor=world.worker, person=world.worker.person)
    loan = library.checkout(world.room, actor=world.worker, card=card, barcode=copies[0].barcode)
    assert loan.due_on == timezone.localdate() + dt.timedelta(days=30)
    loan = library.renew(loan, actor=world.worker)
    assert loan.renewals == 1
    with pytest.raises(DomainError, match="续借次数上限"):
        library.renew(loan, actor=world.worker)
    reader = PersonFactory(name="读者乙")
    card_b = library.issue_card(world.room, actor=world.officer, person=reader)
    hold = library.place_hold(copies[0].title, actor=world.officer, card=card_b, room=world.room)
    # Returned at another room of the system (通借通还); the copy waits for the hold.
    returned = library.checkin(other_room, actor=world.staff, barcode=copies[0].barcode)
    assert (returned.state, returned.returned_room) == (LoanState.RETURNED, other_room)
    hold.refresh_from_db()
    assert hold.state == HoldState.READY
    with pytest.raises(DomainError, match="预约保留"):
        library.checkout(world.room, actor=world.worker, card=card, barcode=copies[0].barcode)
    library.checkout(world.room, actor=world.officer, card=card_b, barcode=copies[0].barcode)
    hold.refresh_from_db()
    assert hold.state == HoldState.FULFILLED


def test_worker_sees_only_own_loans(world):
    copies = _stock(world, 2)
    card = library.issue_card(world.room, actor=world.worker, person=world.worker.person)
    other = make_user("reader_c", person=PersonFactory(name="读者丙"))
    card_c = library.issue_card(world.room, actor=other, person=other.person)
    library.checkout(world.room, actor=world.worker, card=card, barcode=copies[0].barcode)
    mine = library.checkout(world.room, actor=other, card=card_c, barcode=copies[1].barcode)
    assert list(Loan.objects.restrict(other, "own")) == [mine]
    assert list(Loan.objects.restrict(other)) == [mine]
    assert Loan.objects.restrict(world.officer).count() == 2
    assert Loan.objects.restrict(world.county.users["town_staff_a"]).count() == 2
    # Another's card cannot be used by a worker.
    with pytest.raises(PermissionDeniedError):
        library.checkout(world.room, actor=other, card=card, barcode=copies[0].barcode)


def test_overdue_reminder_once_a_week(world, settings):
    settings.GONGHUI_SMS_BACKEND = "memory"
    copies = _stock(world, 1)
    card = library.issue_card(world.room, actor=world.worker, person=world.worker.person)
    loan = library.checkout(world.room, actor=world.worker, card=card, barcode=copies[0].barcode)
    later = loan.due_on + dt.timedelta(days=1)
    from gonghui.core.actors import SYSTEM

    assert library.send_overdue_reminders(actor=SYSTEM, today=later) == 1
    assert library.send_overdue_reminders(actor=SYSTEM, today=later + dt.timedelta(days=3)) == 0
    assert library.send_overdue_reminders(actor=SYSTEM, today=later + dt.timedelta(days=7)) == 1
    assert AuditEvent.objects.filter(action="learning.loan.remind").count() == 2


# -- over SIP2, with a real peer process ----------------------------------------------------
def _sip_room(world, address):
    world.room.sip2_address = address
    world.room.sip2_institution = "NCLIB"
    world.room.sip2_location = "NJ01"
    world.room.save()
    return world.room


def test_sip2_checkout_and_checkin(world, sip2_peer):
    copies = _stock(world, 2)
    room = _sip_room(world, sip2_peer([copies[0].barcode]))
    card = library.issue_card(room, actor=world.worker, person=world.worker.person)
    loan = library.checkout(room, actor=world.worker, card=card, barcode=copies[0].barcode)
    assert loan.sip2_ref.startswith("SIP2 12")
    # The peer's due date (30 days) is taken.
    assert loan.due_on == dt.date.today() + dt.timedelta(days=30)
    # The city library does not know the second copy: refused, nothing recorded.
    with pytest.raises(DomainError, match="市图书馆系统拒绝借出：Item not found"):
        library.checkout(room, actor=world.worker, card=card, barcode=copies[1].barcode)
    library.checkin(room, actor=world.worker, barcode=copies[0].barcode)
    assert Loan.objects.get().state == LoanState.RETURNED


def test_sip2_renewal_goes_through_the_peer(world, sip2_peer):
    copies = _stock(world, 1)
    barcode = copies[0].barcode
    # The city library lends for 21 days, the room's own rule says 30.
    room = _sip_room(world, sip2_peer([barcode], "--loan-days", "21"))
    card = library.issue_card(room, actor=world.worker, person=world.worker.person)
    loan = library.checkout(room, actor=world.worker, card=card, barcode=barcode)
    today = dt.date.today()
    assert loan.due_on == today + dt.timedelta(days=21)
    Loan.objects.filter(pk=loan.pk).update(due_on=today + dt.timedelta(days=2))
    loan = library.renew(loan, actor=world.worker)
    assert (loan.due_on, loan.renewals) == (today + dt.timedelta(days=21), 1)  # the peer's date
    # The peer no longer has the item charged to this card: refused, nothing written.
    from gonghui.learning.sip2 import client

    with client.Connection(client.Peer.parse(room.sip2_address, institution="NCLIB")) as conn:
        assert conn.checkin(barcode).fixed["ok"] == "1"
    room.max_renewals = 3
    room.save()
    with pytest.raises(DomainError, match="市图书馆系统拒绝续借：Item not charged to this patron"):
        library.renew(loan, actor=world.worker)
    # The connection drops when the renewal arrives: a Chinese message, the loan unchanged.
    room.sip2_address = sip2_peer([barcode], "--drop", "29:before")
    room.save()
    with pytest.raises(DomainError, match="连接中断，本次续借未记录"):
        library.renew(loan, actor=world.worker)
    loan.refresh_from_db()
    assert (loan.due_on, loan.renewals) == (today + dt.timedelta(days=21), 1)


@pytest.mark.parametrize("mode", ["before", "after"])
def test_sip2_peer_drops_mid_checkout_nothing_recorded(world, sip2_peer, mode):
    copies = _stock(world, 1)
    barcode = copies[0].barcode
    address = sip2_peer([barcode], "--drop", f"11:{mode}")
    room = _sip_room(world, address)
    card = library.issue_card(room, actor=world.worker, person=world.worker.person)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="连接中断，本次借阅未记录"):
        library.checkout(room, actor=world.worker, card=card, barcode=barcode)
    assert not Loan.objects.exists()
    assert BookCopy.objects.get(barcode=barcode).state == CopyState.AVAILABLE
    assert AuditEvent.objects.count() == audits
    # The peer agrees: the item is not charged (after "after", it was checked back in).
    from gonghui.learning.sip2 import client

    with client.Connection(client.Peer.parse(address, institution="NCLIB")) as conn:
        assert conn.item_information(barcode).fixed["circulation_status"] == "03"
