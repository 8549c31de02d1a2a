# SPDX-License-Identifier: AGPL-3.0-or-later
"""Identity providers, configured in ``settings.GONGHUI_SSO_PROVIDERS`` (from the
environment: endpoints, app keys and secrets never live in the repository).

Three kinds, each a small class that ends in a ``VerifiedIdentity``:

- ``oidc``: any OpenID Connect provider, through authlib's Django client — discovery,
  state, nonce, PKCE (S256), the code exchanged at the token endpoint, the ID token's RS256
  signature checked against the provider's JWKS, issuer and audience checked;
- ``zlb`` (浙里办, for workers): the embedded page is opened with a ``ticket``; it is
  exchanged server-side for an access token and then the user's verified identity, each
  call signed for the IRS gateway (HMAC-SHA256 of method, path, query, access key and date);
- ``zzd`` (浙政钉, for staff): an auth ``code`` from the 浙政钉 web view; the app's access
  token is fetched and the code exchanged for the staff member's account, each call signed
  as 浙政钉's open platform asks (HMAC-SHA256 over method, timestamp, nonce, path and the
  sorted parameters).

Only name, ID number and mobile are read from what the platforms return, and only the
digests of the numbers are compared (``domain.sso``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import urllib.parse
from functools import cache
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .domain.sso import VerifiedIdentity

TIMEOUT = 10


class ProviderError(Exception):
    """The provider refused or answered something we cannot use (message in Chinese)."""


def config(name: str) -> dict[str, Any]:
    try:
        return settings.GONGHUI_SSO_PROVIDERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"no SSO provider {name!r}") from None


def configured() -> dict[str, dict[str, Any]]:
    return settings.GONGHUI_SSO_PROVIDERS


# -- any OpenID Connect provider (authlib) ----------------------------------------------------
@cache
def _registry(frozen: tuple) -> Any:
    from authlib.integrations.django_client import OAuth

    conf = dict(frozen)
    oauth = OAuth()
    oauth.register(
        conf["name"],
        client_id=conf["client_id"],
        client_secret=conf["client_secret"],
        server_metadata_url=conf["metadata_url"],
        client_kwargs={"scope": conf.get("scope", "openid profile phone"),
                       "code_challenge_method": "S256", "timeout": TIMEOUT},
    )  # fmt: skip
    return oauth.create_client(conf["name"])


def oidc_client(name: str):
    conf = config(name)
    frozen = tuple(sorted({"name": name, **{k: v for k, v in conf.items()
                                             if isinstance(v, str)}}.items()))  # fmt: skip
    return _registry(frozen)


class OidcProvider:
    def __init__(self, name: str):
        self.name = name
        self.conf = config(name)
        self.client = oidc_client(name)

    def start(self, request, redirect_uri: str):
        """The redirect to the provider's authorisation endpoint (state, nonce, PKCE kept
        in the session)."""
        return self.client.authorize_redirect(request, redirect_uri)

    def finish(self, request) -> VerifiedIdentity:
        from authlib.integrations.base_client.errors import OAuthError

        try:
            token = self.client.authorize_access_token(request)
        except (OAuthError, requests.RequestException, ValueError) as exc:
            raise ProviderError("身份平台未能确认您的身份，请重试") from exc
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise ProviderError("身份平台未返回用户标识")
        names = {"id_number": "cn_id_number", "mobile": "phone_number", "name": "name",
                 **self.conf.get("claims", {})}  # fmt: skip
        return VerifiedIdentity(
            provider=self.name,
            subject=str(claims["sub"]),
            name=str(claims.get(names["name"]) or ""),
            id_number=str(claims.get(names["id_number"]) or ""),
            # A mobile counts only when the provider says it verified it.
            mobile=str(claims.get(names["mobile"]) or "")
            if claims.get("phone_number_verified", True) is not False
            else "",
        )


# -- 浙里办 (IRS gateway signing) ------------------------------------------------------------
def irs_headers(
    method: str, path: str, query: dict[str, str], *, access_key: str, secret_key: str,
    now: dt.datetime | None = None,
) -> dict[str, str]:  # fmt: skip
    """The IRS gateway's HMAC-SHA256 headers for one call."""
    date = (now or dt.datetime.now(dt.UTC)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    canonical_query = "&".join(
        f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(str(v), safe='')}"
        for k, v in sorted(query.items())
    )
    signing = f"{method.upper()}\n{path}\n{canonical_query}\n{access_key}\n{date}\n"
    signature = base64.b64encode(
        hmac.new(secret_key.encode(), signing.encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "X-BG-HMAC-ACCESS-KEY": access_key,
        "X-BG-HMAC-ALGORITHM": "hmac-sha256",
        "X-BG-HMAC-SIGNATURE": signature,
        "X-BG-DATE-TIME": date,
    }


class ZlbProvider:
    """浙里办: ``ticketId`` → access token → user info (real name, ID number, mobile)."""

    TOKEN_PATH = "/restapi/prod/IC33000020220329000007/uc/sso/access_token"  # noqa: S105 - a path
    USER_PATH = "/restapi/prod/IC33000020220329000008/uc/sso/getUserInfo"

    def __init__(self, name: str):
        self.name = name
        self.conf = config(name)

    def _call(self, path: str, body: dict[str, str]) -> dict[str, Any]:
        headers = irs_headers("POST", path, {}, access_key=self.conf["access_key"],
                              secret_key=self.conf["secret_key"])  # fmt: skip
        try:
            answer = requests.post(self.conf["base_url"].rstrip("/") + path, json=body,
                                   headers=headers, timeout=TIMEOUT)  # fmt: skip
            data = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderError("浙里办暂时无法访问，请稍后再试") from exc
        if answer.status_code != 200 or not data.get("success") or not data.get("data"):
            raise ProviderError("浙里办未能确认您的身份，请从浙里办重新进入")
        return data["data"]

    def finish_ticket(self, ticket: str) -> VerifiedIdentity:
        if not ticket or len(ticket) > 200:
            raise ProviderError("缺少浙里办登录票据")
        token = self._call(
            self.conf.get("token_path", self.TOKEN_PATH),
            {"ticketId": ticket, "appId": self.conf["app_id"]},
        ).get("accessToken")
        if not token:
            raise ProviderError("浙里办未能确认您的身份，请从浙里办重新进入")
        info = self._call(self.conf.get("user_path", self.USER_PATH), {"token": token})
        if not info.get("userId"):
            raise ProviderError("浙里办未返回用户标识")
        return VerifiedIdentity(
            provider=self.name, subject=str(info["userId"]), name=info.get("userName") or "",
            id_number=info.get("idNo") or "", mobile=info.get("phone") or "",
        )  # fmt: skip


# -- 浙政钉 (open platform signing) -----------------------------------------------------------
def zzd_headers(
    method: str, path: str, params: dict[str, str], *, app_key: str, app_secret: str,
    now: dt.datetime | None = None, nonce: str | None = None,
) -> dict[str, str]:  # fmt: skip
    """浙政钉's open-platform headers: HMAC-SHA256 over method, timestamp, nonce, path and the
    sorted parameters, base64."""
    now = now or dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    timestamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+08:00"
    nonce = nonce or f"{int(now.timestamp() * 1000)}{secrets.randbelow(9000) + 1000}"
    canonical = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    signing = f"{method.upper()}\n{timestamp}\n{nonce}\n{path}"
    if canonical:
        signing += f"\n{canonical}"
    signature = base64.b64encode(
        hmac.new(app_secret.encode(), signing.encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "X-Hmac-Auth-Timestamp": timestamp,
        "X-Hmac-Auth-Version": "1.0",
        "X-Hmac-Auth-Nonce": nonce,
        "apiKey": app_key,
        "X-Hmac-Auth-Signature": signature,
    }


class ZzdProvider:
    """浙政钉: app access token, then the auth code → the staff member's account (and the
    mobile number on file with the organisation, for the first match)."""

    TOKEN_PATH = "/gettoken.json"  # noqa: S105 - a path
    USER_PATH = "/rpc/oauth/getuserinfo_bycode.json"
    EMPLOYEE_PATH = "/mozi/employee/getEmployeeByAccountId"

    def __init__(self, name: str):
        self.name = name
        self.conf = config(name)

    def _call(self, method: str, path: str, params: dict[str, str]) -> dict[str, Any]:
        headers = zzd_headers(method, path, params, app_key=self.conf["app_key"],
                              app_secret=self.conf["app_secret"])  # fmt: skip
        url = self.conf["base_url"].rstrip("/") + path
        try:
            if method == "GET":
                answer = requests.get(url, params=params, headers=headers, timeout=TIMEOUT)
            else:
                answer = requests.post(url, data=params, headers=headers, timeout=TIMEOUT)
            data = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderError("浙政钉暂时无法访问，请稍后再试") from exc
        content = data.get("content") or {}
        if answer.status_code != 200 or not data.get("success") or not content.get("success"):
            raise ProviderError("浙政钉未能确认您的身份，请从浙政钉重新进入")
        return content.get("data") or {}

    def finish_code(self, code: str) -> VerifiedIdentity:
        if not code or len(code) > 200:
            raise ProviderError("缺少浙政钉授权码")
        access = self._call(
            "GET", self.TOKEN_PATH,
            {"appkey": self.conf["app_key"], "appsecret": self.conf["app_secret"]},
        ).get("accessToken")  # fmt: skip
        if not access:
            raise ProviderError("浙政钉未能确认您的身份，请从浙政钉重新进入")
        user = self._call("POST", self.USER_PATH, {"access_token": access, "code": code})
        if not user.get("accountId"):
            raise ProviderError("浙政钉未返回用户标识")
        employee = self._call(
            "POST", self.EMPLOYEE_PATH,
            {"access_token": access, "accountId": str(user["accountId"]),
             "tenantId": str(self.conf.get("tenant_id", user.get("tenantId", "")))},
        )  # fmt: skip
        return VerifiedIdentity(
            provider=self.name, subject=str(user["accountId"]),
            name=user.get("lastName") or user.get("nickNameCn") or "",
            mobile=employee.get("mobile") or "",
        )  # fmt: skip


KINDS = {"oidc": OidcProvider, "zlb": ZlbProvider, "zzd": ZzdProvider}


def provider(name: str):
    kind = config(name).get("kind", "oidc")
    if kind not in KINDS:
        raise ImproperlyConfigured(f"SSO provider {name!r}: unknown kind {kind!r}")
    return KINDS[kind](name)
