from django.db import models
from django.db.models import F, Q


class Province(models.Model):
    """A province or centrally-run city of the 2025 structure (Nghị quyết 202/2025/QH15)."""

    class Type(models.TextChoices):
        PROVINCE = "tinh", "Tỉnh"
        CITY = "thanh_pho_trung_uong", "Thành phố trực thuộc trung ương"

    code = models.CharField("mã", max_length=2, primary_key=True)
    name = models.CharField("tên", max_length=100)
    type = models.CharField("loại", max_length=30, choices=Type.choices)
    search_key = models.CharField("khoá tìm kiếm không dấu", max_length=120, db_index=True, default="")

    class Meta:
        verbose_name = "tỉnh, thành phố"
        verbose_name_plural = "tỉnh, thành phố"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=["tinh", "thanh_pho_trung_uong"]), name="province_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune-level unit (xã, phường, đặc khu) of the 2025 structure (QĐ 19/2025/QĐ-TTg codes)."""

    class Type(models.TextChoices):
        XA = "xa", "Xã"
        PHUONG = "phuong", "Phường"
        DAC_KHU = "dac_khu", "Đặc khu"

    code = models.CharField("mã", max_length=5, primary_key=True)
    name = models.CharField("tên", max_length=100)
    type = models.CharField("loại", max_length=30, choices=Type.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes", verbose_name="tỉnh")
    search_key = models.CharField("khoá tìm kiếm không dấu", max_length=120, db_index=True, default="")

    class Meta:
        verbose_name = "xã, phường"
        verbose_name_plural = "xã, phường"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=["xa", "phuong", "dac_khu"]), name="commune_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A state agency of the installation's province, as a tree (UBND tỉnh > sở > phòng ...)."""

    class Kind(models.TextChoices):
        PROVINCE_PC = "ubnd_tinh", "UBND tỉnh"
        DEPARTMENT = "so", "Sở, ban, ngành"
        SERVICE_CENTRE = "trung_tam_phvhc", "Trung tâm phục vụ hành chính công"
        COMMUNE_PC = "ubnd_xa", "UBND xã, phường"
        UNIT = "phong", "Phòng, đơn vị trực thuộc"
        OTHER = "khac", "Cơ quan khác"

    code = models.CharField("mã định danh điện tử", max_length=13, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=60, blank=True)
    kind = models.CharField("loại cơ quan", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="cơ quan cấp trên"
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="agencies", verbose_name="tỉnh")
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies", verbose_name="xã, phường"
    )
    active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
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
