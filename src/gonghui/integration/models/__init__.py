# SPDX-License-Identifier: AGPL-3.0-or-later
from .integration import ExternalIdentity, TokenPolicy, WebhookDelivery, WebhookSubscription

__all__ = ["ExternalIdentity", "TokenPolicy", "WebhookDelivery", "WebhookSubscription"]
