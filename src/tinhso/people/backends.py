"""The authentication backend: allauth's, with the user of each signed-in request read by a statement built once.

Django loads the signed-in user on every request (`backend.get_user(id)`); the ORM compiled that query each time.
`get_user` here reads the same row through `events.prebuilt.Rows` and keeps the same rule (an inactive user is
nobody). Listed before allauth's backend, so sign-ins record this one in the session; sessions that recorded
allauth's keep working through it."""
from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from tinhso.events.prebuilt import Rows

from .models import User

_BY_ID = Rows(User, where="{id} = %s")


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        try:
            user = _BY_ID.first(int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
