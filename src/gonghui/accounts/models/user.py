# SPDX-License-Identifier: AGPL-3.0-or-later
"""Accounts: one per person using the platform (等保: unique accounts)."""

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.fields import EncryptedTextField
from gonghui.core.masking import mask_mobile
from gonghui.core.validators import normalize_mobile


class AccountManager(UserManager):
    def get_by_mobile(self, mobile: str):
        return self.get(mobile_digest=crypto.digest(normalize_mobile(mobile)))

    def _create_user(self, username, email, password, **extra):
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra)

    def create_superuser(self, username, email=None, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(username, email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField("账号", max_length=64, unique=True)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    mobile = EncryptedTextField("手机号码", blank=True)
    mobile_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    person = models.OneToOneField(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="account",
        verbose_name="对应职工",
    )  # fmt: skip
    is_active = models.BooleanField("启用", default=True)
    is_staff = models.BooleanField("可进入后台", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    def audit_label(self) -> str:
        return f"{self.display_name or ''}({self.username})"

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)

    def set_mobile(self, mobile: str) -> None:
        mobile = normalize_mobile(mobile)
        self.mobile = mobile
        self.mobile_digest = crypto.digest(mobile) if mobile else None


class LoginCode(models.Model):
    """A one-time SMS login code; only its keyed hash is stored."""

    mobile_digest = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"login code {self.pk}"


class LoginThrottle(models.Model):
    """Failed logins and the lock of one mobile number, kept by the number's digest.

    Kept for every number tried, registered or not, so a locked number answers the same
    whether an account holds it (issue 12, item 8: no account enumeration). A row lives
    only while it counts: it is deleted on a successful login and purged once stale.
    """

    mobile_digest = models.CharField(max_length=64, unique=True)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "登录失败计数"
        verbose_name_plural = "登录失败计数"

    def __str__(self) -> str:
        return f"login throttle {self.pk}"
