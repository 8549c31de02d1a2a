# SPDX-License-Identifier: AGPL-3.0-or-later
"""A small OpenID Connect provider for the tests and ``make demo`` — never for production.

Built with django-oauth-toolkit's OIDC support in its own settings module and its own
SQLite database, it runs as a separate process on 127.0.0.1 (``python -m
gonghui.integration.devprovider --port 8001 …``) and stands in for a government identity
platform: its sign-in page lists the identities it was started with (name, ID number,
mobile), as a super-app that already knows its user would, and it hands out authorisation
codes, RS256-signed ID tokens and userinfo over real HTTP. Gonghui signs in through it with
the same client (authlib) and the same matching as with any real provider.
"""
