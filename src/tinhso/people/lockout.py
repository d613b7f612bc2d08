"""django-axes needs the name typed in the sign-in form. allauth's form calls it `login` and passes
it to authenticate() as `username`: read either, so the lockout counts per account and IP address."""
from __future__ import annotations


def axes_username(request, credentials=None) -> str | None:
    if credentials:
        value = credentials.get("username") or credentials.get("login")
        if value:
            return str(value).strip().lower()
    data = getattr(request, "POST", None) or {}
    value = data.get("login") or data.get("username")
    return str(value).strip().lower() if value else None
