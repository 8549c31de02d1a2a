# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from .views import console

app_name = "integration_console"
urlpatterns = [
    path("webhooks/", console.subscriptions, name="subscriptions"),
    path("webhooks/new/", console.subscription_new, name="subscription_new"),
    path("webhooks/<int:sub_id>/", console.subscription, name="subscription"),
    path("webhooks/<int:sub_id>/active/", console.subscription_active, name="subscription_active"),
    path("deliveries/<int:delivery_id>/replay/", console.replay, name="replay"),
]
urlpatterns += [
    path("tokens/", console.tokens, name="tokens"),
    path("tokens/<int:token_id>/", console.token_policy, name="token_policy"),
]
