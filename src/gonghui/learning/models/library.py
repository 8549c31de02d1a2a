# SPDX-License-Identifier: AGPL-3.0-or-later
"""智慧书房: reading rooms (branches of the city library's 总分馆 system), titles by ISBN,
copies with barcodes, deposit-free cards, loans, renewals and holds. Circulation goes to
the city library's system over SIP2 when the room names a peer (通借通还)."""

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.network.models import Position
from gonghui.orgs.models import OrgUnit, Person

from ..enums import CardBasis, CopyState, HoldState, LoanState


class ReadingRoomQuerySet(ScopedQuerySet):
    scope_kind = "readingroom"


class ReadingRoom(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="reading_rooms", verbose_name="所属工会"
    )
    name = models.CharField("书房名称", max_length=80)
    #: The service position (阵地, e.g. a 职工书屋) the room is, in the one registry of 阵地.
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, related_name="reading_rooms",
        verbose_name="所属阵地",
    )  # fmt: skip
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    #: The SIP2 peer (the city library's system): host:port; blank = circulate locally.
    sip2_address = models.CharField("SIP2地址", max_length=120, blank=True)
    sip2_institution = models.CharField("SIP2机构代码", max_length=40, blank=True)
    sip2_location = models.CharField("SIP2馆点代码", max_length=40, blank=True)
    loan_days = models.PositiveSmallIntegerField("借期（天）", default=30)
    max_renewals = models.PositiveSmallIntegerField("最多续借次数", default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReadingRoomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "职工书房"
        verbose_name_plural = "职工书房"

    def __str__(self) -> str:
        return self.name


class Title(models.Model):
    """A catalogue entry (书目), one per ISBN, shared by every room."""

    isbn = models.CharField("ISBN", max_length=13, unique=True)
    title = models.CharField("题名", max_length=200)
    author = models.CharField("责任者", max_length=200, blank=True)
    publisher = models.CharField("出版者", max_length=120, blank=True)
    year = models.PositiveSmallIntegerField("出版年", null=True, blank=True)
    classification = models.CharField("中图分类号", max_length=40, blank=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "书目"
        verbose_name_plural = "书目"

    def __str__(self) -> str:
        return self.title


class BookCopy(models.Model):
    room = models.ForeignKey(ReadingRoom, on_delete=models.PROTECT, related_name="copies")
    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="copies")
    barcode = models.CharField("条码", max_length=32, unique=True)
    shelf = models.CharField("架位", max_length=40, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=CopyState.choices, default=CopyState.AVAILABLE
    )

    class Meta:
        ordering = ["barcode"]
        verbose_name = "馆藏"
        verbose_name_plural = "馆藏"

    def __str__(self) -> str:
        return f"{self.barcode} {self.title.title}"


class LibraryCardQuerySet(ScopedQuerySet):
    scope_kind = "librarycard"


class LibraryCard(models.Model):
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="library_card")
    number = models.CharField("读者证号", max_length=20, unique=True)
    room = models.ForeignKey(
        ReadingRoom, on_delete=models.PROTECT, related_name="cards", verbose_name="办证书房"
    )
    basis = models.CharField("核验方式", max_length=10, choices=CardBasis.choices)
    loan_limit = models.PositiveSmallIntegerField("可借册数", default=5)
    active = models.BooleanField("有效", default=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LibraryCardQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "读者证"
        verbose_name_plural = "读者证"

    def __str__(self) -> str:
        return self.number


class LoanQuerySet(ScopedQuerySet):
    scope_kind = "loan"


class Loan(models.Model):
    card = models.ForeignKey(LibraryCard, on_delete=models.PROTECT, related_name="loans")
    copy = models.ForeignKey(BookCopy, on_delete=models.PROTECT, related_name="loans")
    #: Where it was lent and returned (通借通还: any room of the system).
    room = models.ForeignKey(ReadingRoom, on_delete=models.PROTECT, related_name="loans")
    returned_room = models.ForeignKey(
        ReadingRoom, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=LoanState.choices, default=LoanState.ON_LOAN)
    loaned_at = models.DateTimeField()
    due_on = models.DateField()
    renewals = models.PositiveSmallIntegerField(default=0)
    returned_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    #: The SIP2 transaction (the peer's answer) when the city library's system took part.
    sip2_ref = models.CharField(max_length=60, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-loaned_at", "-id"]
        verbose_name = "借阅"
        verbose_name_plural = "借阅"
        constraints = [
            # A copy is on loan at most once: the database refuses a second open loan.
            models.UniqueConstraint(
                fields=["copy"], condition=models.Q(state="on_loan"),
                name="learning_one_open_loan_per_copy",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.card.number} · {self.copy.barcode}"


class HoldQuerySet(ScopedQuerySet):
    scope_kind = "libraryhold"


class Hold(models.Model):
    card = models.ForeignKey(LibraryCard, on_delete=models.PROTECT, related_name="holds")
    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="holds")
    room = models.ForeignKey(ReadingRoom, on_delete=models.PROTECT, related_name="holds")
    copy = models.ForeignKey(
        BookCopy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=HoldState.choices, default=HoldState.WAITING)
    placed_at = models.DateTimeField()

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["placed_at", "id"]
        verbose_name = "预约"
        verbose_name_plural = "预约"

    def __str__(self) -> str:
        return f"{self.card_id}:{self.title_id}"
