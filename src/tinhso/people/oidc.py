"""Sign-in with an external identity provider over OpenID Connect (VNeID, a provincial SSO), linked by CCCD.

allauth's `openid_connect` provider runs the redirect flow; this adapter
- checks the signature of every ID token against the provider's published keys, even when it came straight
  from the token endpoint (allauth then skips it; we do not trust a token we cannot verify), on top of
  allauth's own checks of issuer, audience and expiry;
- reads the CCCD from the claim `settings.OIDC_CCCD_CLAIM` ("cccd" by default), refuses a token without a
  valid CCCD, links the identity to the citizen holding that CCCD or creates the citizen
  (`services.citizen_oidc_link`), so the person is signed in to their one account.
"""
from __future__ import annotations

import datetime as dt
import logging

import jwt
import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import services

log = logging.getLogger(__name__)
SIGNATURE_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]


def _jwks() -> dict:
    server = settings.OIDC_SERVER_URL
    discovery = server if "/.well-known/" in server else server + "/.well-known/openid-configuration"
    config = requests.get(discovery, timeout=5)
    config.raise_for_status()
    keys = requests.get(config.json()["jwks_uri"], timeout=5)
    keys.raise_for_status()
    return keys.json()


def id_token_signature_verify(id_token: str) -> None:
    """Raise OAuth2Error unless `id_token` is a JWT signed by one of the provider's published keys.
    (Issuer, audience and expiry are checked afterwards by allauth.)"""
    try:
        header = jwt.get_unverified_header(id_token)
        keyset = jwt.PyJWKSet.from_dict(_jwks())
        key = next((k for k in keyset.keys if k.key_id == header.get("kid")), None)
        if key is None or header.get("alg") not in SIGNATURE_ALGORITHMS:
            raise OAuth2Error("ID token signed with an unknown key or algorithm")
        jwt.decode(id_token, key=key.key, algorithms=[header["alg"]],
                   options={"verify_signature": True, "verify_aud": False, "verify_iss": False,
                            "verify_exp": False, "verify_iat": False, "verify_nbf": False})
    except (jwt.PyJWTError, requests.RequestException, KeyError, ValueError) as exc:
        raise OAuth2Error(f"Invalid id_token: {exc}") from exc


def _check_token_response(response, *args, **kwargs):
    """requests hook on allauth's sessions: the token endpoint's answer carries the ID token."""
    if response.request.method != "POST" or not response.ok:
        return
    try:
        data = response.json()
    except ValueError:
        return
    if isinstance(data, dict) and "id_token" in data:
        if not isinstance(data["id_token"], str):
            raise OAuth2Error("Invalid id_token")
        id_token_signature_verify(data["id_token"])


def _claims(extra_data: dict) -> dict:
    userinfo = extra_data.get("userinfo") or {}
    id_token = extra_data.get("id_token") or {}
    if userinfo and id_token and str(userinfo.get("sub")) != str(id_token.get("sub")):
        raise PermissionDenied(_("Thông tin người dùng không khớp với mã thông báo định danh."))
    return {**id_token, **userinfo} if (userinfo or id_token) else dict(extra_data)


def _birthdate(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


GENDERS = {"male": "nam", "nam": "nam", "female": "nu", "nu": "nu", "nữ": "nu"}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_requests_session(self):
        session = super().get_requests_session()
        session.hooks["response"].append(_check_token_response)
        return session

    def _refuse(self, request, message: str):
        raise ImmediateHttpResponse(render(request, "socialaccount/cccd_refused.html", {"message": message},
                                           status=403))

    def pre_social_login(self, request, sociallogin) -> None:
        account = sociallogin.account
        try:
            claims = _claims(account.extra_data or {})
        except PermissionDenied as exc:
            self._refuse(request, str(exc))
        cccd = str(claims.get(settings.OIDC_CCCD_CLAIM) or "").strip()
        if not cccd:
            self._refuse(request, _("Tài khoản định danh không cung cấp số CCCD nên không thể gắn với tài khoản "
                                    "công dân. Hãy đăng nhập bằng số CCCD và mật khẩu."))
        if sociallogin.is_existing:
            if sociallogin.user.cccd != cccd:
                self._refuse(request, _("Số CCCD của tài khoản định danh khác số CCCD của tài khoản đã gắn."))
            return
        try:
            linked = services.citizen_oidc_link(
                actor=None, cccd=cccd, provider=account.provider, uid=account.uid, extra_data=account.extra_data,
                full_name=claims.get("name") or "", date_of_birth=_birthdate(claims.get("birthdate")),
                gender=GENDERS.get(str(claims.get("gender") or "").lower(), ""), email=claims.get("email") or "",
                email_verified=bool(claims.get("email_verified")))
        except ValidationError as exc:
            messages = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") \
                else exc.messages
            self._refuse(request, " ".join(messages))
        except PermissionDenied as exc:
            self._refuse(request, str(exc))
        sociallogin.account = linked
        sociallogin.user = linked.user

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Accounts are created by `citizen_oidc_link` above, never by allauth's signup form.
        return False
