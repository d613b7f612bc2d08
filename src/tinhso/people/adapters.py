"""allauth adapters: Vietnamese messages (allauth ships no Vietnamese catalogue)."""
from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _


def user_display(user) -> str:
    """How allauth names the account in messages and e-mails: the person's name, not their CCCD."""
    return getattr(user, "full_name", "") or user.get_username()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("Tài khoản này đang bị khóa."),
        "email_taken": _("Thư điện tử này đã được dùng cho một tài khoản khác."),
        "enter_current_password": _("Mật khẩu hiện tại: hãy nhập mật khẩu bạn đang dùng."),
        "incorrect_code": _("Mã không đúng. Hãy kiểm tra lại mã trong thư."),
        "incorrect_password": _("Mật khẩu không đúng."),
        "invalid_or_expired_key": _("Đường dẫn không hợp lệ hoặc đã hết hạn."),
        "invalid_login": _("Đăng nhập không hợp lệ."),
        "invalid_password_reset": _("Đường dẫn đặt lại mật khẩu không hợp lệ hoặc đã được dùng."),
        "too_many_login_attempts": _("Bạn đã đăng nhập sai quá nhiều lần. Hãy thử lại sau."),
        "unknown_email": _("Thư điện tử này không gắn với tài khoản nào."),
        "unverified_primary_email": _("Bạn cần xác nhận thư điện tử chính trước."),
        "username_password_mismatch": _(
            "Số CCCD (hoặc tên đăng nhập) hoặc mật khẩu không đúng. Hãy kiểm tra lại cả hai ô."),
        "username_taken": _("Số CCCD (hoặc tên đăng nhập) này đã có tài khoản."),
        "rate_limited": _("Bạn gửi quá nhiều yêu cầu. Hãy chờ một lát rồi thử lại."),
        "same_as_current": _("Giá trị mới phải khác giá trị hiện tại."),
    }

    def can_delete_email(self, email_address) -> bool:
        """Never the account's last address: it is how a citizen resets a forgotten password and how an
        official receives due-time warnings (allauth allows it when sign-in is by username)."""
        from allauth.account.models import EmailAddress

        if email_address.pk and not EmailAddress.objects.filter(user_id=email_address.user_id).exclude(
                pk=email_address.pk).exists():
            return False
        return super().can_delete_email(email_address)



class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _("Cán bộ không được tắt xác thực hai lớp."),
        "incorrect_code": _("Mã xác thực không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng."),
        "unverified_email": _("Bạn cần xác nhận thư điện tử trước khi bật xác thực hai lớp."),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        # Officials must keep their TOTP second factor.
        if getattr(authenticator.user, "kind", "") == "official" and authenticator.type == "totp":
            return False
        return super().can_delete_authenticator(authenticator)
