from django.db import models
from django.utils.translation import gettext_lazy as _
from django.db.models import F, Q


class Province(models.Model):
    """A province or centrally-run city of the 2025 structure (Nghị quyết 202/2025/QH15)."""

    class Type(models.TextChoices):
        PROVINCE = "tinh", _("Tỉnh")
        CITY = "thanh_pho_trung_uong", _("Thành phố trực thuộc trung ương")

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    type = models.CharField(_("loại"), max_length=30, choices=Type.choices)
    search_key = models.CharField(_("khoá tìm kiếm không dấu"), max_length=120, db_index=True, default="")

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=["tinh", "thanh_pho_trung_uong"]), name="province_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune-level unit (xã, phường, đặc khu) of the 2025 structure (QĐ 19/2025/QĐ-TTg codes)."""

    class Type(models.TextChoices):
        XA = "xa", _("Xã")
        PHUONG = "phuong", _("Phường")
        DAC_KHU = "dac_khu", _("Đặc khu")

    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    type = models.CharField(_("loại"), max_length=30, choices=Type.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("tỉnh"))
    search_key = models.CharField(_("khoá tìm kiếm không dấu"), max_length=120, db_index=True, default="")

    class Meta:
        verbose_name = _("xã, phường")
        verbose_name_plural = _("xã, phường")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=["xa", "phuong", "dac_khu"]), name="commune_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A state agency of the installation's province, as a tree (UBND tỉnh > sở > phòng ...)."""

    class Kind(models.TextChoices):
        PROVINCE_PC = "ubnd_tinh", _("UBND tỉnh")
        DEPARTMENT = "so", _("Sở, ban, ngành")
        SERVICE_CENTRE = "trung_tam_phvhc", _("Trung tâm phục vụ hành chính công")
        COMMUNE_PC = "ubnd_xa", _("UBND xã, phường")
        UNIT = "phong", _("Phòng, đơn vị trực thuộc")
        OTHER = "khac", _("Cơ quan khác")

    code = models.CharField(_("mã định danh điện tử"), max_length=13, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    kind = models.CharField(_("loại cơ quan"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("cơ quan cấp trên")
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("tỉnh"))
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("xã, phường")
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="agency_not_own_parent"),
            models.CheckConstraint(
                condition=Q(kind__in=["ubnd_tinh", "so", "trung_tam_phvhc", "ubnd_xa", "phong", "khac"]),
                name="agency_kind_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="agency_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
