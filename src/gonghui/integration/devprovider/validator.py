# SPDX-License-Identifier: AGPL-3.0-or-later
"""The claims the provider vouches for: name (scope ``profile``), phone_number (``phone``)
and the resident ID number as ``cn_id_number`` (scope ``cn_id``)."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class DevValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "cn_id_number": "cn_id",
        "phone_number": "phone",
    }

    def get_additional_claims(self, request):
        identity = getattr(request.user, "identity", None)
        if identity is None:
            return {}
        claims = {"name": identity.name}
        if identity.phone_number:
            claims.update(phone_number=identity.phone_number, phone_number_verified=True)
        if identity.id_number:
            claims["cn_id_number"] = identity.id_number
        return claims
