# SPDX-License-Identifier: AGPL-3.0-or-later
"""Thin tasks: one webhook delivery attempt (the domain schedules the retries)."""

from django_tasks import task

from .domain import webhooks


@task()
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.attempt_delivery(delivery_id)
