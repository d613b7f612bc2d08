from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Every account: a citizen (signs in with the CCCD number) or an official."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "Công dân"
        OFFICIAL = "official", "Cán bộ, công chức"

    class Gender(models.TextChoices):
        MALE = "nam", "Nam"
        FEMALE = "nu", "Nữ"

    kind = models.CharField("loại tài khoản", max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    cccd = models.CharField("số CCCD", max_length=12, unique=True, null=True, blank=True)
    date_of_birth = models.DateField("ngày sinh", null=True, blank=True)
    gender = models.CharField("giới tính", max_length=3, choices=Gender.choices, blank=True)
    phone = models.CharField("số điện thoại", max_length=15, blank=True)
    phone_verified = models.BooleanField("đã xác nhận số điện thoại", default=False)
    commune = models.ForeignKey(
        "places.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="xã, phường"
    )
    address_line = models.CharField("địa chỉ (số nhà, thôn, tổ)", max_length=255, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cccd__isnull=True) | models.Q(cccd__regex=r"^[0-9]{12}$"),
                name="user_cccd_12_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["citizen", "official"]), name="user_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL


class Role(models.TextChoices):
    RECEIVER = "receiver", "Cán bộ một cửa (tiếp nhận)"
    SPECIALIST = "specialist", "Chuyên viên xử lý"
    LEADER = "leader", "Lãnh đạo (phê duyệt)"
    AGENCY_ADMIN = "agency_admin", "Quản trị cơ quan"
    PROVINCE_ADMIN = "province_admin", "Quản trị cấp tỉnh"
    IOC_VIEWER = "ioc_viewer", "Xem trung tâm điều hành"


class Official(models.Model):
    """An official's place in an agency. Roles are granted per official (one row per role)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="official", verbose_name="tài khoản")
    agency = models.ForeignKey("places.Agency", on_delete=models.PROTECT, related_name="officials", verbose_name="cơ quan")
    title = models.CharField("chức vụ", max_length=100, blank=True)

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"


class OfficialRole(models.Model):
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="roles", verbose_name="cán bộ")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        constraints = [models.UniqueConstraint(fields=["official", "role"], name="uniq_official_role")]

    def __str__(self) -> str:
        return self.get_role_display()


class PhoneCode(models.Model):
    """A 6-digit code sent by SMS to confirm a phone number. Only its keyed hash is stored."""

    MAX_ATTEMPTS = 5
    LIFETIME_SECONDS = 5 * 60

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_codes", verbose_name="tài khoản")
    phone = models.CharField("số điện thoại", max_length=15)
    code_hash = models.CharField("mã băm", max_length=64)
    created_at = models.DateTimeField("thời điểm gửi", auto_now_add=True)
    expires_at = models.DateTimeField("hết hạn lúc")
    attempts = models.PositiveSmallIntegerField("số lần nhập sai", default=0)
    used_at = models.DateTimeField("đã dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã xác nhận điện thoại"
        verbose_name_plural = "mã xác nhận điện thoại"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(attempts__lte=5), name="phonecode_attempts_max_5"),
        ]
