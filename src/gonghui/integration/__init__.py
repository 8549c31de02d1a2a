# SPDX-License-Identifier: AGPL-3.0-or-later
"""Integration with government apps and other systems: single sign-on (OpenID Connect,
浙里办, 浙政钉), the embedded service card (/m/), webhooks and API token policies."""
