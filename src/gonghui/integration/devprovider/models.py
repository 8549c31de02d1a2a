# SPDX-License-Identifier: AGPL-3.0-or-later
"""The provider's own people (in its own database; tables made by ``migrate --run-syncdb``)."""

from django.conf import settings
from django.db import models


class Identity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity"
    )
    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18, blank=True)
    phone_number = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "devprovider"

    def __str__(self) -> str:
        return self.name
