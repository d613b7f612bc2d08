"""The only write path of the people domain. Each function runs in one transaction and records an event."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.events.services import event_record
from tinhso.places.models import Agency, Commune

from . import access
from .cccd import cccd_validate
from .models import Official, OfficialRole, PhoneCode, Role, User
from .sms import SmsError, sms_send

PHONE_RE = re.compile(r"^0[35789][0-9]{8}$")
OFFICIAL_USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")
MAX_CODES_PER_HOUR = 5


def phone_normalize(phone: str) -> str:
    """'+84 912 345 678', '84912345678', '0912.345.678' -> '0912345678'; ValidationError otherwise."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not PHONE_RE.match(digits):
        raise ValidationError(
            {"phone": _("Số điện thoại: hãy nhập số di động Việt Nam gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 "
                        "hoặc 09 (ví dụ 0912345678).")}
        )
    return digits


def _check_password(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def citizen_register(*, actor=None, cccd: str, full_name: str, date_of_birth: dt.date, gender: str,
                     phone: str, email: str, password: str) -> User:
    """Create a citizen account; the CCCD number is the user name. Raises ValidationError by field."""
    errors: dict[str, list[str]] = {}
    cccd = (cccd or "").strip()
    full_name = " ".join((full_name or "").split())
    email = (email or "").strip().lower()
    try:
        cccd_validate(number=cccd, date_of_birth=date_of_birth, gender=gender)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if len(full_name) < 2:
        errors.setdefault("full_name", []).append(_("Họ và tên: hãy nhập họ và tên đầy đủ theo thẻ căn cước."))
    try:
        phone = phone_normalize(phone)
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.message_dict["phone"])
    if not email:
        errors.setdefault("email", []).append(_("Thư điện tử: hãy nhập địa chỉ thư điện tử."))
    if not errors.get("cccd") and User.objects.filter(username=cccd).exists():
        errors.setdefault("cccd", []).append(_("Số CCCD này đã có tài khoản. Hãy đăng nhập hoặc lấy lại mật khẩu."))
    if email and User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(_("Thư điện tử này đã được dùng cho một tài khoản khác."))
    user = User(username=cccd, cccd=cccd, full_name=full_name, date_of_birth=date_of_birth, gender=gender or "",
                phone=phone if not errors.get("phone") else "", email=email, kind=User.Kind.CITIZEN)
    try:
        _check_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.message_dict["password"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        event_record(actor=actor if getattr(actor, "pk", None) else user, name="people.citizen_registered",
                     subject=user, data={})
    return user


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    valid = set(Role.values)
    bad = [r for r in roles if r not in valid]
    if bad:
        raise ValidationError({"roles": _("Vai trò không hợp lệ: %(r)s.") % {"r": ", ".join(bad)}})
    return roles


def _require_may_grant(actor, roles: list[str]) -> None:
    if Role.PROVINCE_ADMIN in roles and not access.is_province_admin(actor):
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh mới được giao vai trò “Quản trị cấp tỉnh”."))


def official_create(*, actor, username: str, full_name: str, email: str, agency: Agency, roles: Iterable[str],
                    password: str | None = None, title: str = "") -> Official:
    """Create an official of `agency`. Province admins: any agency; agency admins: their own.

    Without a password the account has none usable: the official sets one through "Quên mật khẩu"
    (password reset by e-mail), then must set up the TOTP second factor at first sign-in."""
    access.require_manage_officials_of(actor, agency)
    roles = _clean_roles(roles)
    _require_may_grant(actor, roles)
    username = (username or "").strip().lower()
    email = (email or "").strip().lower()
    full_name = " ".join((full_name or "").split())
    errors: dict[str, list[str]] = {}
    if not OFFICIAL_USERNAME_RE.match(username):
        errors.setdefault("username", []).append(
            _("Tên đăng nhập: 3–40 ký tự, bắt đầu bằng chữ cái, chỉ gồm chữ thường không dấu, số, dấu chấm, "
              "gạch dưới hoặc gạch ngang (ví dụ nguyen.van.an)."))
    elif User.objects.filter(username=username).exists():
        errors.setdefault("username", []).append(_("Tên đăng nhập này đã có người dùng. Hãy chọn tên khác."))
    if len(full_name) < 2:
        errors.setdefault("full_name", []).append(_("Họ và tên: hãy nhập họ và tên đầy đủ của cán bộ."))
    if not email or "@" not in email:
        errors.setdefault("email", []).append(_("Thư điện tử: hãy nhập địa chỉ thư công vụ của cán bộ."))
    elif User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(_("Thư điện tử này đã được dùng cho một tài khoản khác."))
    if not roles:
        errors.setdefault("roles", []).append(_("Vai trò: hãy chọn ít nhất một vai trò."))
    user = User(username=username, full_name=full_name, email=email, kind=User.Kind.OFFICIAL)
    if password:
        try:
            _check_password(password, user)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.message_dict["password"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        official = Official.objects.create(user=user, agency=agency, title=title.strip())
        OfficialRole.objects.bulk_create([OfficialRole(official=official, role=r) for r in roles])
        event_record(actor=actor, name="people.official_created", subject=official,
                     data={"agency": agency.pk, "roles": roles})
    return official


def official_set_roles(*, actor, official: Official, roles: Iterable[str]) -> Official:
    access.require_manage_officials_of(actor, official.agency)
    roles = _clean_roles(roles)
    current = set(official.roles.values_list("role", flat=True))
    # Granting or taking away the province administrator role is for province administrators only.
    if (Role.PROVINCE_ADMIN in current) != (Role.PROVINCE_ADMIN in roles):
        _require_may_grant(actor, [Role.PROVINCE_ADMIN])
    if not roles:
        raise ValidationError({"roles": _("Vai trò: hãy chọn ít nhất một vai trò (hoặc khóa tài khoản cán bộ).")})
    with transaction.atomic():
        OfficialRole.objects.filter(official=official).exclude(role__in=roles).delete()
        OfficialRole.objects.bulk_create(
            [OfficialRole(official=official, role=r) for r in roles if r not in current])
        event_record(actor=actor, name="people.official_roles_set", subject=official,
                     data={"before": sorted(current), "after": sorted(roles)})
    if hasattr(official, "_role_cache"):
        del official._role_cache
    return official


def official_deactivate(*, actor, official: Official) -> Official:
    access.require_manage_officials_of(actor, official.agency)
    if official.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("Bạn không thể tự khóa tài khoản của chính mình."))
    with transaction.atomic():
        User.objects.filter(pk=official.user_id).update(is_active=False)
        official.user.is_active = False
        event_record(actor=actor, name="people.official_deactivated", subject=official, data={})
    return official


def _code_hash(*, user_id: int, phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"phone-code:{user_id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def phone_code_send(*, actor, phone: str | None = None) -> PhoneCode:
    """Send a 6-digit code by SMS to `phone` (default: the account's number). Valid 5 minutes."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    phone = phone_normalize(phone or actor.phone)
    now = timezone.now()
    if PhoneCode.objects.filter(user=actor, created_at__gte=now - dt.timedelta(hours=1)).count() >= MAX_CODES_PER_HOUR:
        raise ValidationError({"phone": _("Bạn đã yêu cầu quá nhiều mã trong một giờ. Hãy thử lại sau.")})
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneCode.objects.filter(user=actor, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        phone_code = PhoneCode.objects.create(
            user=actor, phone=phone, code_hash=_code_hash(user_id=actor.pk, phone=phone, code=code),
            expires_at=now + dt.timedelta(seconds=PhoneCode.LIFETIME_SECONDS))
        event_record(actor=actor, name="people.phone_code_sent", subject=phone_code, data={})
    # The SMS goes out after the commit, so that a slow gateway never holds the database.
    try:
        sms_send(phone=phone, text=_("Mã xác nhận số điện thoại của bạn trên Tỉnh số là %(code)s. "
                                     "Mã có hiệu lực 5 phút. Không đưa mã này cho ai.") % {"code": code})
    except SmsError as exc:
        with transaction.atomic():
            PhoneCode.objects.filter(pk=phone_code.pk).update(expires_at=timezone.now())
            event_record(actor=actor, name="people.phone_code_failed", subject=phone_code, data={"error": str(exc)})
        raise ValidationError({"phone": _("Chưa gửi được tin nhắn tới số %(p)s. Hãy thử lại sau ít phút.")
                               % {"p": phone}}) from exc
    return phone_code


def phone_code_confirm(*, actor, code: str) -> User:
    """Check the last code sent; a wrong code counts as an attempt (at most 5)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    code = (code or "").strip()
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ValidationError({"code": _("Mã xác nhận: hãy nhập đúng 6 chữ số trong tin nhắn.")})
    error = None
    with transaction.atomic():
        phone_code = (PhoneCode.objects.select_for_update().filter(user=actor, used_at__isnull=True)
                      .order_by("-id").first())
        now = timezone.now()
        if phone_code is None:
            error = _("Chưa có mã xác nhận nào đang chờ. Hãy bấm “Gửi mã”.")
        elif phone_code.expires_at <= now:
            error = _("Mã xác nhận đã hết hạn (sau 5 phút). Hãy bấm “Gửi mã” để nhận mã mới.")
        elif phone_code.attempts >= PhoneCode.MAX_ATTEMPTS:
            error = _("Bạn đã nhập sai quá 5 lần. Hãy bấm “Gửi mã” để nhận mã mới.")
        elif not hmac.compare_digest(phone_code.code_hash,
                                     _code_hash(user_id=actor.pk, phone=phone_code.phone, code=code)):
            phone_code.attempts += 1
            phone_code.save(update_fields=["attempts"])
            left = PhoneCode.MAX_ATTEMPTS - phone_code.attempts
            error = (_("Mã xác nhận không đúng. Bạn còn %(n)d lần thử.") % {"n": left} if left
                     else _("Mã xác nhận không đúng. Bạn đã nhập sai 5 lần: hãy bấm “Gửi mã” để nhận mã mới."))
        else:
            phone_code.used_at = now
            phone_code.save(update_fields=["used_at"])
            User.objects.filter(pk=actor.pk).update(phone=phone_code.phone, phone_verified=True)
            actor.phone, actor.phone_verified = phone_code.phone, True
            event_record(actor=actor, name="people.phone_confirmed", subject=actor, data={})
    if error:
        raise ValidationError({"code": error})
    return actor


def citizen_address_set(*, actor, commune_code: str, address_line: str, old_address: str = "") -> User:
    """The citizen confirms their address: a 2025 commune and the street part (số nhà, thôn, tổ)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    if actor.kind != User.Kind.CITIZEN:
        raise PermissionDenied(_("Chỉ tài khoản công dân mới khai báo địa chỉ ở đây."))
    commune = Commune.objects.filter(pk=(commune_code or "").strip()).first()
    if commune is None:
        raise ValidationError({"commune": _("Xã, phường: hãy chọn một xã, phường trong danh sách.")})
    address_line = " ".join((address_line or "").split())
    if len(address_line) > 255:
        raise ValidationError({"address_line": _("Địa chỉ (số nhà, thôn, tổ): tối đa 255 ký tự.")})
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(commune=commune, address_line=address_line)
        actor.commune, actor.address_line = commune, address_line
        event_record(actor=actor, name="people.citizen_address_set", subject=actor,
                     data={"commune": commune.pk, "from_old_address": bool(old_address)})
    return actor


def province_admin_bootstrap(*, username: str, full_name: str, email: str, agency: Agency, password: str,
                             title: str = "") -> Official:
    """The installation's first province administrator, created from the command line (`tinhso demo`,
    or by the IT department at installation). Refused once a province administrator exists: from then
    on officials are created by administrators through `official_create`."""
    if OfficialRole.objects.filter(role=Role.PROVINCE_ADMIN).exists():
        raise PermissionDenied(_("Đã có quản trị cấp tỉnh; hãy để quản trị tạo thêm tài khoản cán bộ."))
    username = (username or "").strip().lower()
    user = User(username=username, full_name=" ".join(full_name.split()), email=email.strip().lower(),
                kind=User.Kind.OFFICIAL)
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        official = Official.objects.create(user=user, agency=agency, title=title.strip())
        OfficialRole.objects.bulk_create([OfficialRole(official=official, role=r)
                                          for r in (Role.PROVINCE_ADMIN, Role.IOC_VIEWER)])
        event_record(actor=None, name="people.province_admin_bootstrapped", subject=official, data={"agency": agency.pk})
    return official


# --- Identity checks against the national population database, and OpenID Connect accounts ----------
IDENTITY_VERIFIED = "verified"
IDENTITY_MISMATCH = "mismatch"
IDENTITY_UNAVAILABLE = "unavailable"


def citizen_identity_check(*, actor, user: User, recheck: bool = False, registry=None) -> str:
    """Check a citizen's CCCD, full name and date of birth against the population registry.

    Returns "verified" | "mismatch" | "unavailable"; never raises because the registry failed (not
    configured, unreachable, too slow, 5xx: "unavailable" within the registry's time budget, ≤ 3 s by
    default). The result is recorded on the account (identity_status, identity_checked_at, on a match
    identity_verified_at and registered_address) with the event "people.identity_checked". An account
    already verified is not asked again unless `recheck`; "unavailable" never undoes an earlier
    verification. `actor`: the citizen, an official (at the desk) or None (the system).
    `registry`: a `registry.PopulationRegistry` (default: the configured one)."""
    from .registry import RegistryUnavailable, registry_default

    if actor is not None and getattr(actor, "pk", None) not in (None, user.pk) and not access.official_of(actor):
        raise PermissionDenied(_("Bạn không được kiểm tra danh tính của người khác."))
    if user.identity_status == IDENTITY_VERIFIED and not recheck:
        return IDENTITY_VERIFIED
    reason = ""
    answer = None
    if not (user.cccd and user.date_of_birth and user.full_name):
        result, reason = IDENTITY_UNAVAILABLE, "incomplete_profile"
    else:
        try:
            answer = (registry or registry_default()).verify(
                cccd=user.cccd, full_name=user.full_name, date_of_birth=user.date_of_birth)
        except RegistryUnavailable as exc:
            result, reason = IDENTITY_UNAVAILABLE, str(exc)[:200]
        else:
            result = IDENTITY_VERIFIED if answer.match else IDENTITY_MISMATCH
    now = timezone.now()
    fields: dict = {"identity_checked_at": now}
    if result == IDENTITY_VERIFIED:
        fields.update(identity_status=result, identity_verified_at=now, identity_source="registry",
                      registered_address=answer.permanent_address)
    elif result == IDENTITY_MISMATCH:
        fields.update(identity_status=result, identity_verified_at=None, identity_source="",
                      registered_address={})
    elif user.identity_status != IDENTITY_VERIFIED:
        fields.update(identity_status=IDENTITY_UNAVAILABLE)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**fields)
        for name, value in fields.items():
            setattr(user, name, value)
        event_record(actor=actor, name="people.identity_checked", subject=user,
                     data={"result": result, "reason": reason})
    return result


def _oidc_email(email: str, user: User | None = None) -> str:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        return ""
    taken = User.objects.filter(email__iexact=email)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    return "" if taken.exists() else email


def citizen_oidc_link(*, actor=None, cccd: str, provider: str, uid: str, extra_data: dict,
                      full_name: str = "", date_of_birth: dt.date | None = None, gender: str = "",
                      email: str = "", email_verified: bool = False):
    """Link an identity of an OpenID provider to the citizen with this CCCD, creating the citizen when
    there is none. Returns the allauth SocialAccount (its `.user` is the citizen).

    Raises ValidationError (field "cccd") when the CCCD is not a valid number or does not agree with the
    date of birth/gender given by the provider, and PermissionDenied when the CCCD belongs to an
    official's account or the provider identity is already linked to another account."""
    from allauth.socialaccount.models import SocialAccount

    from .cccd import cccd_parse

    cccd = (cccd or "").strip()
    full_name = " ".join((full_name or "").split())
    if gender not in ("nam", "nu"):
        gender = ""
    if date_of_birth and gender:
        cccd_validate(number=cccd, date_of_birth=date_of_birth, gender=gender)
    else:
        try:
            cccd_parse(cccd)
        except ValidationError as exc:
            raise ValidationError({"cccd": exc.messages}) from exc
    with transaction.atomic():
        existing = SocialAccount.objects.select_for_update().filter(provider=provider, uid=uid).first()
        user = User.objects.select_for_update().filter(cccd=cccd).first()
        if existing is not None and (user is None or existing.user_id != user.pk):
            raise PermissionDenied(_("Tài khoản định danh này đã gắn với một tài khoản khác."))
        if user is not None and user.kind != User.Kind.CITIZEN:
            raise PermissionDenied(_("Số CCCD này thuộc một tài khoản cán bộ; cán bộ đăng nhập tại trang "
                                     "dành cho cán bộ."))
        created = user is None
        if created:
            if not full_name or not date_of_birth:
                raise ValidationError({"full_name": _(
                    "Tài khoản định danh không cung cấp họ tên và ngày sinh; hãy đăng ký tài khoản công dân "
                    "bằng số CCCD.")})
            email = _oidc_email(email)
            user = User(username=cccd, cccd=cccd, full_name=full_name, date_of_birth=date_of_birth,
                        gender=gender, email=email, kind=User.Kind.CITIZEN)
            user.set_unusable_password()
            user.save()
            if email:
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=bool(email_verified))
        if existing is None:
            existing = SocialAccount.objects.create(user=user, provider=provider, uid=uid, extra_data=extra_data)
        else:
            existing.extra_data = extra_data
            existing.save(update_fields=["extra_data"])
        event_record(actor=actor if getattr(actor, "pk", None) else user, name="people.oidc_linked",
                     subject=user, data={"provider": provider, "created": created})
    return existing
