# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib.auth.backends import ModelBackend

from gonghui.core import crypto
from gonghui.core.validators import normalize_mobile

from .models import User


class MobilePasswordBackend(ModelBackend):
    """Authenticate with ``mobile`` + ``password`` (the mobile is looked up by its digest)."""

    def authenticate(self, request, mobile=None, password=None, **kwargs):
        if not mobile or password is None:
            return None
        try:
            user = User.objects.get(mobile_digest=crypto.digest(normalize_mobile(mobile)))
        except User.DoesNotExist:
            User().set_password(password)  # same work either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
