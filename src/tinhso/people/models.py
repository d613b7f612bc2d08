from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Every account: a citizen (signs in with the CCCD number) or an official."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        OFFICIAL = "official", _("Cán bộ, công chức")

    class Gender(models.TextChoices):
        MALE = "nam", _("Nam")
        FEMALE = "nu", _("Nữ")

    kind = models.CharField(_("loại tài khoản"), max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    cccd = models.CharField(_("số CCCD"), max_length=12, unique=True, null=True, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=3, choices=Gender.choices, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    phone_verified = models.BooleanField(_("đã xác nhận số điện thoại"), default=False)
    commune = models.ForeignKey(
        "places.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã, phường")
    )
    address_line = models.CharField(_("địa chỉ (số nhà, thôn, tổ)"), max_length=255, blank=True)
    # Identity checked against the national population database (people/registry.py).
    identity_status = models.CharField(
        "trạng thái xác thực danh tính", max_length=12, default="unchecked",
        choices=[("unchecked", "Chưa kiểm tra"), ("verified", "Đã xác thực với CSDL quốc gia về dân cư"),
                 ("mismatch", "Không khớp CSDL quốc gia về dân cư"),
                 ("unavailable", "Chưa xác thực (CSDL dân cư không phản hồi)")])
    identity_checked_at = models.DateTimeField(_("lần kiểm tra danh tính gần nhất"), null=True, blank=True)
    identity_verified_at = models.DateTimeField(_("xác thực danh tính lúc"), null=True, blank=True)
    identity_source = models.CharField(_("nguồn xác thực danh tính"), max_length=20, blank=True)
    registered_address = models.JSONField(_("nơi thường trú theo CSDL dân cư"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cccd__isnull=True) | models.Q(cccd__regex=r"^[0-9]{12}$"),
                name="user_cccd_12_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["citizen", "official"]), name="user_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(identity_status__in=["unchecked", "verified", "mismatch", "unavailable"]),
                name="user_identity_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(identity_status="verified") | models.Q(identity_verified_at__isnull=False),
                name="user_identity_verified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL


class Role(models.TextChoices):
    RECEIVER = "receiver", _("Cán bộ một cửa (tiếp nhận)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo (phê duyệt)")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")
    IOC_VIEWER = "ioc_viewer", _("Xem trung tâm điều hành")


class Official(models.Model):
    """An official's place in an agency. Roles are granted per official (one row per role)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="official", verbose_name=_("tài khoản"))
    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="officials", verbose_name=_("cơ quan"))
    title = models.CharField(_("chức vụ"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"


class OfficialRole(models.Model):
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="roles", verbose_name=_("cán bộ"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [models.UniqueConstraint(fields=["official", "role"], name="uniq_official_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class PhoneCode(models.Model):
    """A 6-digit code sent by SMS to confirm a phone number. Only its keyed hash is stored."""

    MAX_ATTEMPTS = 5
    LIFETIME_SECONDS = 5 * 60

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_codes", verbose_name=_("tài khoản"))
    phone = models.CharField(_("số điện thoại"), max_length=15)
    code_hash = models.CharField(_("mã băm"), max_length=64)
    created_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác nhận điện thoại")
        verbose_name_plural = _("mã xác nhận điện thoại")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(attempts__lte=5), name="phonecode_attempts_max_5"),
        ]
