# SPDX-License-Identifier: AGPL-3.0-or-later
"""智慧书房: cards without deposit, loans, returns at any room (通借通还), renewals, holds and
overdue reminders. Where a room names a SIP2 peer (the city library's system), checkout,
checkin and renewal go to it first; the local loan is written only when the peer said yes,
in the same transaction, so a refusal or a dropped connection leaves nothing half-recorded.
After a drop during checkout the item is looked up again on a fresh connection and, if the
peer did charge it, checked back in, so the two systems agree that no loan happened. A renewal whose
answer is lost is not recorded here; at worst the peer holds a later due date than ours
(a retry renews again), never an earlier one."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.validators import validate_id_number
from gonghui.orgs.enums import IdType
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..enums import CardBasis, CopyState, HoldState, LoanState
from ..models import BookCopy, Hold, LibraryCard, Loan, ReadingRoom, Title
from ..sip2 import client as sip2
from ..sip2.protocol import CHARGED, ConnectionLost, Sip2Error
from .common import acts_for, require, require_unit, user_of

logger = logging.getLogger(__name__)
DEFAULT_LIMIT = 5
REMIND_EVERY = dt.timedelta(days=7)


# -- rooms and the catalogue -----------------------------------------------------------------
@transaction.atomic
def create_room(org_unit: OrgUnit, *, actor, name: str, **fields) -> ReadingRoom:
    require_unit(actor, "readingroom", org_unit)
    if not name.strip():
        raise DomainError(_("请填写书房名称"), field="name")
    allowed = {"address", "opening_hours", "sip2_address", "sip2_institution", "sip2_location",
               "loan_days", "max_renewals"}  # fmt: skip
    extra = {k: v for k, v in fields.items() if k in allowed}
    if fields.get("position") is not None:
        from .positions import check_position

        extra["position"] = check_position(actor, fields["position"], org_unit)
    room = ReadingRoom.objects.create(org_unit=org_unit, name=name.strip()[:80], **extra)
    audit.record("learning.room.create", actor=actor, obj=room, after={"name": room.name})
    return room


def normalise_isbn(value: str) -> str:
    """ISBN-13 (or ISBN-10 converted to 13) with its check digit verified."""
    digits = re.sub(r"[\s-]", "", str(value or "")).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            raise DomainError(_("ISBN校验位不正确"), field="isbn")
        digits = "978" + digits[:9]
        digits += str((10 - sum((1 if i % 2 == 0 else 3) * int(c)
                                for i, c in enumerate(digits)) % 10) % 10)  # fmt: skip
        return digits
    if not re.fullmatch(r"97[89]\d{10}", digits):
        raise DomainError(_("ISBN应为10位或13位"), field="isbn")
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits[:12]))) % 10
    if check != int(digits[12]):
        raise DomainError(_("ISBN校验位不正确"), field="isbn")
    return digits


@transaction.atomic
def add_copy(room: ReadingRoom, *, actor, isbn: str, barcode: str, title: str = "",
             author: str = "", publisher: str = "", year: int | None = None,
             shelf: str = "") -> BookCopy:  # fmt: skip
    """Catalogue by ISBN (the entry is created once, with title, author and publisher) and
    add a copy with its barcode."""
    require(actor, "readingroom", "change", room)
    isbn = normalise_isbn(isbn)
    barcode = (barcode or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z-]{4,32}", barcode):
        raise DomainError(_("条码应为4至32位字母或数字"), field="barcode")
    entry = Title.objects.filter(isbn=isbn).first()
    if entry is None:
        if not title.strip():
            raise DomainError(_("新书目请填写题名"), field="title")
        entry = Title.objects.create(isbn=isbn, title=title.strip()[:200], author=author[:200],
                                     publisher=publisher[:120], year=year)  # fmt: skip
    try:
        with transaction.atomic():
            copy = BookCopy.objects.create(room=room, title=entry, barcode=barcode, shelf=shelf)
    except IntegrityError:
        raise DomainError(_("条码已被使用"), field="barcode", code="duplicate") from None
    audit.record("learning.copy.add", actor=actor, obj=room,
                 after={"barcode": barcode, "isbn": isbn})  # fmt: skip
    return copy


# -- cards ---------------------------------------------------------------------------------
def _id_checks(number: str) -> bool:
    """The resident ID number passes GB 11643 (check digit, date)."""
    try:
        validate_id_number(number)
    except ValidationError:
        return False
    return True


def _basis(person: Person) -> str:
    if Membership.objects.active().filter(person=person).exists():
        return CardBasis.MEMBER
    if person.id_type == IdType.RESIDENT and _id_checks(person.id_number):
        return CardBasis.RESIDENT
    raise DomainError(_("身份未核验：需为在会会员或持有效居民身份证"), code="forbidden")


@transaction.atomic
def issue_card(room: ReadingRoom, *, actor, person: Person,
               loan_limit: int = DEFAULT_LIMIT) -> LibraryCard:  # fmt: skip
    """免押金办证: a member or a resident whose ID checks out gets a card at once, at the
    self-service machine (the person themself) or at the desk (the room's staff)."""
    if not acts_for(actor, person):
        require(actor, "readingroom", "change", room, _("无权为他人办理读者证"))
    existing = LibraryCard.objects.filter(person=person).first()
    if existing:
        raise DomainError(_("已办理读者证：{n}").format(n=existing.number), code="duplicate")
    basis = _basis(person)
    if not 1 <= loan_limit <= 20:
        raise DomainError(_("可借册数应在1至20之间"), field="loan_limit")
    number = f"{(room.sip2_institution or 'GH')[:6].upper()}{person.pk:010d}"
    if room.sip2_address:
        with _connect(room) as conn:
            status = conn.patron_status(number)
        if status.get("BL", "Y") != "Y":
            raise DomainError(_("市图书馆系统拒绝了该读者"), code="forbidden")
    card = LibraryCard.objects.create(
        person=person, number=number, room=room, basis=basis, loan_limit=loan_limit,
        issued_at=timezone.now(), issued_by=user_of(actor),
    )  # fmt: skip
    audit.record("learning.card.issue", actor=actor, obj=room,
                 after={"card": number, "basis": basis, "person": person.pk})  # fmt: skip
    return card


# -- SIP2 ------------------------------------------------------------------------------------
def _peer(room: ReadingRoom) -> sip2.Peer:
    try:
        return sip2.Peer.parse(room.sip2_address, institution=room.sip2_institution,
                               location=room.sip2_location)  # fmt: skip
    except ValueError:
        raise DomainError(_("书房的SIP2地址配置有误")) from None


class _connect:
    def __init__(self, room: ReadingRoom):
        self.room = room

    def __enter__(self) -> sip2.Connection:
        try:
            self.conn = sip2.Connection(_peer(self.room))
        except ConnectionLost:
            raise DomainError(_("无法连接市图书馆系统，请稍后重试"), code="unavailable") from None
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()


def _undo_checkout(room: ReadingRoom, barcode: str, patron: str) -> None:
    """After a drop mid-checkout: if the peer did charge the item, check it back in."""
    try:
        with sip2.Connection(_peer(room)) as conn:
            info = conn.item_information(barcode)
            if info.fixed.get("circulation_status") == CHARGED:
                conn.checkin(barcode)
    except (Sip2Error, DomainError):
        logger.warning("SIP2: could not reconcile %s for %s after a drop", barcode, patron)


# -- circulation -------------------------------------------------------------------------------
def _tree(room: ReadingRoom) -> str:
    """The federation whose rooms form one circulation system (总分馆): its tree's path."""
    return room.org_unit.path[:11]


def _copy_by_barcode(barcode: str) -> BookCopy:
    copy = (
        BookCopy.objects.select_for_update(of=("self",))
        .select_related("room", "title")
        .filter(barcode=(barcode or "").strip())
        .first()
    )
    if copy is None:
        raise DomainError(_("未知条码：{b}").format(b=barcode), field="barcode", code="not_found")
    return copy


def _card_for(actor, card: LibraryCard, room: ReadingRoom) -> LibraryCard:
    card = (
        LibraryCard.objects.select_for_update(of=("self",)).select_related("person").get(pk=card.pk)
    )
    if not acts_for(actor, card.person):
        require(actor, "readingroom", "change", room, _("无权为他人办理借还"))
    if not card.active:
        raise DomainError(_("读者证已停用"), code="state")
    return card


@transaction.atomic
def checkout(room: ReadingRoom, *, actor, card: LibraryCard, barcode: str) -> Loan:
    """Lend a copy of this room on ``card`` (self-service by the card holder, or the desk)."""
    card = _card_for(actor, card, room)
    copy = _copy_by_barcode(barcode)
    if copy.room_id != room.pk:
        raise DomainError(_("该书不属于本书房，请在所属书房借阅"), field="barcode")
    if copy.state == CopyState.ON_LOAN:
        raise DomainError(_("该书已借出"), field="barcode", code="state")
    if copy.state == CopyState.LOST:
        raise DomainError(_("该书已登记遗失"), field="barcode", code="state")
    hold = None
    if copy.state == CopyState.ON_HOLD:
        hold = Hold.objects.filter(copy=copy, state=HoldState.READY).first()
        if hold is None or hold.card_id != card.pk:
            raise DomainError(_("该书已为其他读者预约保留"), field="barcode", code="state")
    open_loans = Loan.objects.filter(card=card, state=LoanState.ON_LOAN).count()
    if open_loans >= card.loan_limit:
        raise DomainError(
            _("已借{n}册，达到读者证上限{m}册，请先归还").format(n=open_loans, m=card.loan_limit),
            code="limit",
        )
    today = timezone.localdate()
    due_on = today + dt.timedelta(days=room.loan_days)
    ref = ""
    if room.sip2_address:
        with _connect(room) as conn:
            try:
                reply = conn.checkout(card.number, copy.barcode)
            except ConnectionLost:
                _undo_checkout(room, copy.barcode, card.number)
                raise DomainError(
                    _("与市图书馆系统的连接中断，本次借阅未记录，请重试"), code="unavailable"
                ) from None
            except Sip2Error:
                raise DomainError(_("市图书馆系统应答有误，本次借阅未记录")) from None
        if reply.fixed.get("ok") != "1":
            raise DomainError(
                _("市图书馆系统拒绝借出：{m}").format(m=reply.get("AF") or _("原因未说明")),
                code="refused",
            )
        due_on = sip2.parse_due(reply.get("AH")) or due_on
        ref = f"SIP2 12 {reply.fixed.get('date', '').strip()}"[:60]
    try:
        with transaction.atomic():
            loan = Loan.objects.create(card=card, copy=copy, room=room, loaned_at=timezone.now(),
                                       due_on=due_on, sip2_ref=ref)  # fmt: skip
    except IntegrityError:  # a second open loan of the copy: the database refused it
        raise DomainError(_("该书已借出"), field="barcode", code="state") from None
    copy.state = CopyState.ON_LOAN
    copy.save(update_fields=["state"])
    if hold is not None:
        hold.state = HoldState.FULFILLED
        hold.save(update_fields=["state"])
    audit.record("learning.loan.checkout", actor=actor, obj=room,
                 after={"card": card.number, "barcode": copy.barcode,
                        "due_on": due_on.isoformat()})  # fmt: skip
    return loan


@transaction.atomic
def checkin(room: ReadingRoom, *, actor, barcode: str) -> Loan:
    """Return at any room of the system (通借通还): the room's staff or its self-service
    machine (any signed-in borrower returning their own loan)."""
    copy = _copy_by_barcode(barcode)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("card__person")
        .filter(copy=copy, state=LoanState.ON_LOAN)
        .first()
    )
    if loan is None:
        raise DomainError(_("该书未借出，无需归还"), field="barcode", code="state")
    if not acts_for(actor, loan.card.person):
        require(actor, "readingroom", "change", room, _("无权办理归还"))
    if room.sip2_address:
        with _connect(room) as conn:
            try:
                reply = conn.checkin(copy.barcode, location=room.sip2_location)
            except ConnectionLost:
                raise DomainError(
                    _("与市图书馆系统的连接中断，本次归还未记录，请重试"), code="unavailable"
                ) from None
        if reply.fixed.get("ok") != "1":
            raise DomainError(
                _("市图书馆系统拒绝归还：{m}").format(m=reply.get("AF") or _("原因未说明")),
                code="refused",
            )
    loan.state, loan.returned_at, loan.returned_room = LoanState.RETURNED, timezone.now(), room
    loan.save(update_fields=["state", "returned_at", "returned_room"])
    waiting = (
        Hold.objects.select_for_update(of=("self",))
        .filter(
            title=copy.title,
            state=HoldState.WAITING,
            room__org_unit__path__startswith=_tree(copy.room),
        )
        .order_by("placed_at", "id")
        .first()
    )
    if waiting is not None:
        copy.state = CopyState.ON_HOLD
        waiting.state, waiting.copy = HoldState.READY, copy
        waiting.save(update_fields=["state", "copy"])
    else:
        copy.state = CopyState.AVAILABLE
    copy.save(update_fields=["state"])
    audit.record("learning.loan.checkin", actor=actor, obj=room,
                 after={"barcode": copy.barcode, "card": loan.card.number,
                        "loan_room": loan.room_id})  # fmt: skip
    return loan


@transaction.atomic
def renew(loan: Loan, *, actor) -> Loan:
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("card__person", "room", "copy")
        .get(pk=loan.pk)
    )
    if not acts_for(actor, loan.card.person):
        require(actor, "readingroom", "change", loan.room, _("无权办理续借"))
    if loan.state != LoanState.ON_LOAN:
        raise DomainError(_("该借阅已归还"), code="state")
    today = timezone.localdate()
    if loan.due_on < today:
        raise DomainError(_("已逾期，不能续借，请先归还"), code="state")
    if loan.renewals >= loan.room.max_renewals:
        raise DomainError(_("已达续借次数上限"), code="limit")
    if Hold.objects.filter(title_id=loan.copy.title_id, state=HoldState.WAITING).exists():
        raise DomainError(_("有读者在预约此书，不能续借"), code="state")
    before = loan.due_on
    loan.due_on = today + dt.timedelta(days=loan.room.loan_days)
    if loan.room.sip2_address:  # the city library's system renews first (SIP2 29/30)
        with _connect(loan.room) as conn:
            try:
                reply = conn.renew(loan.card.number, loan.copy.barcode)
            except ConnectionLost:
                raise DomainError(
                    _("与市图书馆系统的连接中断，本次续借未记录，请重试"), code="unavailable"
                ) from None
            except Sip2Error:
                raise DomainError(_("市图书馆系统应答有误，本次续借未记录")) from None
        if reply.fixed.get("ok") != "1":
            raise DomainError(
                _("市图书馆系统拒绝续借：{m}").format(m=reply.get("AF") or _("原因未说明")),
                code="refused",
            )
        loan.due_on = sip2.parse_due(reply.get("AH")) or loan.due_on
    loan.renewals += 1
    loan.save(update_fields=["due_on", "renewals"])
    audit.record("learning.loan.renew", actor=actor, obj=loan.room,
                 before={"due_on": before.isoformat()},
                 after={"due_on": loan.due_on.isoformat(), "loan": loan.pk})  # fmt: skip
    return loan


@transaction.atomic
def place_hold(title: Title, *, actor, card: LibraryCard, room: ReadingRoom) -> Hold:
    card = _card_for(actor, card, room)
    if BookCopy.objects.filter(title=title, room=room, state=CopyState.AVAILABLE).exists():
        raise DomainError(_("本书房有在架图书，可直接借阅"), code="state")
    system = BookCopy.objects.filter(title=title, room__org_unit__path__startswith=_tree(room))
    if not system.exclude(state=CopyState.LOST).exists():
        raise DomainError(_("系统内没有该书的馆藏"), code="not_found")
    if Hold.objects.filter(card=card, title=title,
                           state__in=[HoldState.WAITING, HoldState.READY]).exists():  # fmt: skip
        raise DomainError(_("您已预约此书"), code="duplicate")
    hold = Hold.objects.create(card=card, title=title, room=room, placed_at=timezone.now())
    audit.record("learning.hold.place", actor=actor, obj=room,
                 after={"card": card.number, "isbn": title.isbn})  # fmt: skip
    return hold


def send_overdue_reminders(*, actor, today: dt.date | None = None) -> int:
    """Remind each borrower of an overdue loan by SMS, at most once a week per loan."""
    from gonghui.accounts.sms import get_sender

    today = today or timezone.localdate()
    due = Loan.objects.filter(state=LoanState.ON_LOAN, due_on__lt=today).exclude(
        reminded_on__gt=today - REMIND_EVERY
    ).select_related("card__person", "copy__title", "room")  # fmt: skip
    sender, sent = get_sender(), 0
    for loan in due:
        with transaction.atomic():
            mobile = loan.card.person.mobile
            if mobile:
                sender.send_notice(
                    mobile,
                    _("【职工书房】您借阅的《{t}》已于{d}到期，请尽快归还。").format(
                        t=loan.copy.title.title, d=loan.due_on.isoformat()
                    ),
                )
            loan.reminded_on = today
            loan.save(update_fields=["reminded_on"])
            audit.record("learning.loan.remind", actor=actor, obj=loan.room,
                         after={"loan": loan.pk, "sms": bool(mobile)})  # fmt: skip
            sent += 1
    return sent


# -- CNMARC import ----------------------------------------------------------------------------
@dataclass
class MarcImport:
    titles: int = 0  # catalogue entries created
    copies: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (n, ISBN/题名, why)


def _sub(record, tag: str, code: str) -> str:
    for f in record.get_fields(tag):
        values = f.get_subfields(code)
        if values and values[0].strip():
            return values[0].strip()
    return ""


def import_cnmarc(room: ReadingRoom, data: bytes, *, actor) -> MarcImport:
    """Catalogue records the city library provides in CNMARC (UNIMARC for Chinese
    libraries), ISO 2709, read with pymarc: 010 $a ISBN, 200 $a title and $f first
    statement of responsibility (else 701/700 $a), 210 $c publisher and $d year; holdings
    905 $b barcode and $d/$e call number make a copy of this room. Each record alone: one
    with no usable ISBN or a used barcode is listed with its reason, the others are
    imported."""
    from pymarc import MARCReader

    require(actor, "readingroom", "change", room)
    result = MarcImport()
    reader = MARCReader(data, to_unicode=True, force_utf8=True, utf8_handling="replace")
    for number, record in enumerate(reader, start=1):
        if record is None:
            result.rejected.append((number, "", _("记录格式有误（不是ISO 2709）")))
            continue
        isbn, title = _sub(record, "010", "a"), _sub(record, "200", "a")
        author = _sub(record, "200", "f") or _sub(record, "701", "a") or _sub(record, "700", "a")
        year = re.search(r"\d{4}", _sub(record, "210", "d"))
        barcode = _sub(record, "905", "b")
        shelf = "/".join(v for v in (_sub(record, "905", "d"), _sub(record, "905", "e")) if v)
        try:
            with transaction.atomic():
                normalised = normalise_isbn(isbn) if isbn else ""
                if not normalised:
                    raise DomainError(_("没有ISBN（010 $a）"))
                known = Title.objects.filter(isbn=normalised).exists()
                fields = {"title": title, "author": author,
                          "publisher": _sub(record, "210", "c"),
                          "year": int(year.group()) if year else None}  # fmt: skip
                if barcode:
                    add_copy(room, actor=actor, isbn=normalised, barcode=barcode, shelf=shelf,
                             **fields)  # fmt: skip
                    result.copies += 1
                elif not known:
                    if not title:
                        raise DomainError(_("新书目请填写题名"))
                    Title.objects.create(isbn=normalised, title=title[:200],
                                         author=author[:200], publisher=fields["publisher"][:120],
                                         year=fields["year"])  # fmt: skip
                result.titles += 0 if known else 1
        except DomainError as exc:
            result.rejected.append((number, isbn or title, exc.message))
    audit.record("learning.catalogue.import", actor=actor, obj=room,
                 after={"titles": result.titles, "copies": result.copies,
                        "rejected": len(result.rejected)})  # fmt: skip
    return result
