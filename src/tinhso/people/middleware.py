"""Officials must have a TOTP second factor: until they set one up, they can only reach its pages."""
from django.shortcuts import redirect
from django.urls import reverse


class OfficialMfaRequiredMiddleware:
    ALLOWED_PREFIXES = ("/tai-khoan/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "kind", "") == "official"
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            from allauth.mfa.models import Authenticator

            has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            if not has_totp:
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
