"""Rate limits on the doors attackers knock on: sign-in, verification codes, dossier submission, reports.

Each limited POST is counted twice in the shared cache (django-ratelimit over settings.CACHES): once for
the client's IP address and once for the account (the signed-in user, the sign-in name typed, the e-mail
address typed, the user of a pending sign-in, or the Open311 api_key). Either counter over its rate
answers 429 with a Vietnamese message: an HTML page, the API's JSON error, or an Open311 error document.

Rates are settings (`RATE_LIMITS`, each group `(per IP, per account)` in django-ratelimit's notation,
e.g. "100/5m" = 100 per 5 minutes), read from TINHSO_RATELIMIT_<GROUP>="<per IP>,<per account>";
TINHSO_RATELIMIT=0 (settings.RATELIMIT_ENABLE) switches every limit off, for benchmarks.
"""
from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import base36_to_int
from django_ratelimit.core import get_usage

# group -> (per IP, per account); settings.RATE_LIMITS overrides them one by one.
DEFAULT_RATES: dict[str, tuple[str, str]] = {
    "signin": ("100/5m", "20/5m"),       # password sign-in (django-axes also locks a name+IP after 5 failures)
    "code_send": ("30/h", "10/h"),       # e-mail and SMS codes sent: sign-up, password reset, phone code
    "code_check": ("100/10m", "20/10m"),  # codes checked: e-mail code, phone code, TOTP, recovery codes
    "submit": ("300/10m", "30/10m"),     # dossiers submitted online (portal and API)
    "upload": ("600/10m", "120/10m"),    # papers uploaded ahead of a submission (API; the portal's script)
    "report": ("300/10m", "30/10m"),     # field reports sent from the portal
    "open311": ("300/10m", "600/10m"),   # Open311 POST requests (the account is the app's api_key)
}


def rates(group: str) -> tuple[str, str]:
    return {**DEFAULT_RATES, **getattr(settings, "RATE_LIMITS", {})}[group]


# --- who is counted ---------------------------------------------------------------------------------

def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header the reverse proxy sets (settings.CLIENT_IP_HEADER,
    e.g. HTTP_X_REAL_IP: a header the proxy overwrites, never one a client can add to). IPv6 by /64."""
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    raw = raw.split(",")[0].strip()
    try:
        ip = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def account_of(request: HttpRequest) -> str | None:
    """The account a request acts for or on: signed-in user, typed sign-in name or e-mail, pending sign-in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    login = (request.POST.get("login") or request.POST.get("username") or "").strip().lower()
    if login:
        return f"login:{login[:150]}"
    email = (request.POST.get("email") or "").strip().lower()
    if email:
        return f"email:{email[:254]}"
    session = getattr(request, "session", None)
    pending = session.get("account_login") if session is not None else None  # allauth's sign-in in progress
    if isinstance(pending, dict) and pending.get("user_pk"):
        try:
            return f"user:{base36_to_int(str(pending['user_pk']))}"
        except ValueError:
            return f"pending:{pending['user_pk']}"
    return None


def api_key_of(request: HttpRequest) -> str | None:
    key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    return f"api_key:{key[:200]}" if key else None


def _always(request: HttpRequest) -> bool:
    return True


def _action(*names: str) -> Callable[[HttpRequest], bool]:
    return lambda request: request.POST.get("action", "") in names


@dataclass(frozen=True)
class Rule:
    group: str
    account: Callable[[HttpRequest], str | None] = account_of
    when: Callable[[HttpRequest], bool] = _always


# URL name (with namespace) -> the rules its POSTs are counted by.
RULES: dict[str, tuple[Rule, ...]] = {
    "account_login": (Rule("signin"),),
    "web:official_login": (Rule("signin"),),
    "account_reauthenticate": (Rule("signin"),),
    "account_signup": (Rule("code_send"),),
    "account_reset_password": (Rule("code_send"),),
    "account_email": (Rule("code_send"),),
    "account_email_verification_sent": (Rule("code_check"),),
    "account_confirm_login_code": (Rule("code_check"),),
    "mfa_authenticate": (Rule("code_check"),),
    "mfa_reauthenticate": (Rule("code_check"),),
    "web:profile": (Rule("code_send", when=_action("phone_send")), Rule("code_check", when=_action("phone_confirm"))),
    "api:phone_send_code": (Rule("code_send"),),
    "api:phone_confirm": (Rule("code_check"),),
    "web:dossier_submit": (Rule("submit"),),
    "api:dossier_submit": (Rule("submit"),),
    "api:paper_upload": (Rule("upload"),),
    "web:report_create": (Rule("report"),),
    "open311_requests": (Rule("open311", account=api_key_of),),
}


def seconds_to_wait(request: HttpRequest, rule: Rule) -> int | None:
    """Count this request against the rule's IP and account counters; None when both are within their
    rates, else the seconds until the fuller counter's window ends."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    ip_rate, account_rate = rates(rule.group)
    wait = None
    for kind, rate, value in (("ip", ip_rate, client_ip(request)), ("account", account_rate, rule.account(request))):
        if not rate or value is None:
            continue
        usage = get_usage(request, group=f"tinhso.{rule.group}.{kind}", key=lambda _g, _r, v=value: v,
                          rate=rate, increment=True)
        if usage is not None and usage["should_limit"]:
            wait = max(wait or 0, usage["time_left"], 1)
    return wait


def limited(request: HttpRequest) -> int | None:
    """Seconds to wait when a rule of this POST's route is over its rate, else None."""
    if request.method != "POST" or request.resolver_match is None:
        return None
    wait = None
    for rule in RULES.get(request.resolver_match.view_name, ()):
        if rule.when(request):
            w = seconds_to_wait(request, rule)
            if w is not None:
                wait = max(wait or 0, w)
    return wait


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))
