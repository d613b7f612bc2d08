"""Administrative procedures (thủ tục hành chính) as data: what the one-stop dossier system runs on."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from tinhso.people.models import Role
from tinhso.places.models import Agency

from .text import search_key

CODE_RE = r"^[0-9]\.[0-9]{6}$"
KEY_RE = r"^[a-z][a-z0-9_]{0,39}$"

code_validator = RegexValidator(CODE_RE, _("Mã thủ tục phải có dạng một chữ số, dấu chấm và sáu chữ số, ví dụ 1.001193."))
key_validator = RegexValidator(
    KEY_RE, _("Mã khóa chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng một chữ cái, ví dụ ho_ten.")
)


class Field(models.Model):
    """A field of procedures (lĩnh vực), e.g. Hộ tịch, Chứng thực, Xây dựng."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True, validators=[key_validator])
    name = models.CharField(_("tên lĩnh vực"), max_length=150, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class OnlineLevel(models.TextChoices):
    FULL = "toan_trinh", _("Toàn trình")
    PARTIAL = "mot_phan", _("Một phần")
    NONE = "khong", _("Không trực tuyến")


class TimeKind(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    SAME_DAY = "same_day", _("trong ngày")
    CALENDAR_DAYS = "calendar_days", _("ngày")


@dataclass(frozen=True)
class TimeLimit:
    """Kind + amount, the shape `tinhso.workcal.selectors.TimeLimit` takes (used when workcal lacks it)."""

    kind: str
    amount: int


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=8, unique=True, validators=[code_validator])
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_key = models.TextField(_("khóa tìm kiếm"), editable=False, default="")
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực"))
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=Level.choices)
    agency_kind = models.CharField(_("loại cơ quan thực hiện"), max_length=20, choices=Agency.Kind.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="procedures",
        verbose_name=_("cơ quan thực hiện cụ thể"),
    )
    agency_match = models.CharField(
        _("tên hoặc mã cơ quan (để khớp khi nạp)"), max_length=255, blank=True,
        help_text=_("Ví dụ: Sở Tư pháp. Khi nạp danh mục, cơ quan cùng loại có tên hoặc mã này được gán."),
    )
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=12, choices=OnlineLevel.choices)
    legal_basis = models.TextField(_("căn cứ pháp lý"))
    subjects = models.CharField(_("đối tượng thực hiện"), max_length=255)
    result_name = models.CharField(_("tên kết quả"), max_length=500)
    result_paper = models.BooleanField(_("có kết quả bản giấy"), default=True)
    time_kind = models.CharField(_("loại thời hạn"), max_length=15, choices=TimeKind.choices)
    time_amount = models.PositiveIntegerField(_("số lượng thời hạn"), default=0)
    time_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận trong ngày"), null=True, blank=True,
        help_text=_("Chỉ cho thời hạn trong ngày: nhận sau giờ này thì trả trong ngày làm việc tiếp theo."),
    )
    time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    source_url = models.URLField(_("địa chỉ nguồn"), max_length=500, blank=True)
    source_document = models.CharField(_("văn bản nguồn"), max_length=500)
    verified = models.BooleanField(_("số liệu đã đối chiếu"), default=True)
    verification_note = models.TextField(_("ghi chú đối chiếu"), blank=True)
    published = models.BooleanField(_("đang công bố"), default=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=CODE_RE), name="procedure_code_format"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="procedure_level_valid"),
            models.CheckConstraint(condition=Q(online_level__in=OnlineLevel.values), name="procedure_online_level_valid"),
            models.CheckConstraint(condition=Q(agency_kind__in=Agency.Kind.values), name="procedure_agency_kind_valid"),
            models.CheckConstraint(
                condition=(Q(time_kind="same_day", time_amount=0)
                           | Q(time_kind__in=["working_days", "working_hours", "calendar_days"], time_amount__gte=1)),
                name="procedure_time_limit_valid",
            ),
            models.CheckConstraint(
                condition=Q(time_cutoff__isnull=True) | Q(time_kind="same_day"), name="procedure_cutoff_same_day_only"
            ),
            models.CheckConstraint(
                condition=Q(level="province") | Q(agency_kind="ubnd_xa"), name="procedure_commune_level_ubnd_xa"
            ),
            models.CheckConstraint(condition=~Q(source_document=""), name="procedure_source_required"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.search_key = search_key(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.time_kind == TimeKind.SAME_DAY and self.time_amount:
            errors["time_amount"] = gettext("Thời hạn “trong ngày” không có số lượng: để số lượng là 0.")
        if self.time_kind and self.time_kind != TimeKind.SAME_DAY and not self.time_amount:
            errors["time_amount"] = gettext("Số lượng thời hạn phải từ 1 trở lên.")
        if self.time_cutoff and self.time_kind != TimeKind.SAME_DAY:
            errors["time_cutoff"] = gettext("Giờ chốt tiếp nhận chỉ dùng cho thời hạn “trong ngày”.")
        if self.level == Level.COMMUNE and self.agency_kind != Agency.Kind.COMMUNE_PC:
            errors["agency_kind"] = gettext("Thủ tục cấp xã do UBND xã, phường thực hiện: chọn loại cơ quan “UBND xã, phường”.")
        if self.agency_id and self.agency_kind and self.agency.kind != self.agency_kind:
            errors["agency"] = gettext("Cơ quan thực hiện cụ thể phải thuộc loại cơ quan đã chọn.")
        if errors:
            raise ValidationError(errors)

    @property
    def time_limit(self):
        """The time limit as `workcal.selectors.TimeLimit` when workcal provides it, else a local twin."""
        try:
            from tinhso.workcal.selectors import TimeLimit as WorkcalTimeLimit
        except ImportError:
            WorkcalTimeLimit = TimeLimit
        return WorkcalTimeLimit(kind=self.time_kind, amount=self.time_amount)

    @property
    def time_limit_words(self) -> str:
        if self.time_kind == TimeKind.SAME_DAY:
            if self.time_cutoff:
                return gettext("Trong ngày làm việc (nhận sau %(h)s thì trả trong ngày làm việc tiếp theo)") % {
                    "h": self.time_cutoff.strftime("%H:%M")}
            return gettext("Trong ngày làm việc")
        unit = {
            TimeKind.WORKING_DAYS: gettext("ngày làm việc"),
            TimeKind.WORKING_HOURS: gettext("giờ làm việc"),
            TimeKind.CALENDAR_DAYS: gettext("ngày"),
        }[self.time_kind]
        return f"{self.time_amount} {unit}"

    @property
    def fee_total_min(self) -> int:
        return sum(f.amount for f in self.fees.all())


class Fee(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees", verbose_name=_("thủ tục"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    description = models.CharField(_("nội dung phí, lệ phí"), max_length=500)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "position"], name="uniq_fee_position"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_not_negative"),
        ]

    @property
    def amount_display(self) -> str:
        """2000 -> "2.000 đồng" (Vietnamese thousands separator)."""
        return gettext("%(n)s đồng") % {"n": f"{self.amount:,}".replace(",", ".")}


class Component(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components", verbose_name=_("thủ tục"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    key = models.CharField(_("mã khóa"), max_length=40, validators=[key_validator])
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    count_original = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    count_certified = models.PositiveSmallIntegerField(_("số bản sao chứng thực"), default=0)
    count_copy = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    file_types = models.CharField(
        _("loại tệp chấp nhận"), max_length=60, default="pdf,jpg,png",
        validators=[RegexValidator(r"^[a-z0-9]+(,[a-z0-9]+)*$", _("Liệt kê đuôi tệp, cách nhau bằng dấu phẩy, ví dụ pdf,jpg,png."))],
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "key"], name="uniq_component_key"),
            models.UniqueConstraint(fields=["procedure", "position"], name="uniq_component_position"),
            models.CheckConstraint(condition=Q(key__regex=KEY_RE), name="component_key_format"),
        ]

    @property
    def file_type_list(self) -> list[str]:
        return [t for t in self.file_types.split(",") if t]


class FieldType(models.TextChoices):
    TEXT = "text", _("Văn bản ngắn")
    TEXTAREA = "textarea", _("Văn bản dài")
    DATE = "date", _("Ngày (dd/mm/yyyy)")
    NUMBER = "number", _("Số")
    SELECT = "select", _("Chọn một")
    CHECKBOX = "checkbox", _("Ô đánh dấu")
    CCCD = "cccd", _("Số căn cước (12 chữ số)")
    PHONE = "phone", _("Số điện thoại")
    EMAIL = "email", _("Thư điện tử")


class FormField(models.Model):
    """One field of the procedure's application form (tờ khai), rendered and validated by catalog.forms."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_fields", verbose_name=_("thủ tục"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    key = models.CharField(_("mã khóa"), max_length=40, validators=[key_validator])
    label = models.CharField(_("nhãn"), max_length=255)
    type = models.CharField(_("kiểu"), max_length=10, choices=FieldType.choices)
    required = models.BooleanField(_("bắt buộc"), default=False)
    regex = models.CharField(_("biểu thức kiểm tra"), max_length=255, blank=True)
    regex_message = models.CharField(_("thông báo khi sai biểu thức"), max_length=255, blank=True)
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("giá trị lớn nhất"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_length = models.PositiveIntegerField(_("độ dài tối đa"), null=True, blank=True)
    choices = models.JSONField(_("lựa chọn"), default=list, blank=True)
    help_text = models.CharField(_("hướng dẫn"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("trường tờ khai")
        verbose_name_plural = _("trường tờ khai")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "key"], name="uniq_formfield_key"),
            models.UniqueConstraint(fields=["procedure", "position"], name="uniq_formfield_position"),
            models.CheckConstraint(condition=Q(type__in=FieldType.values), name="formfield_type_valid"),
            models.CheckConstraint(condition=Q(key__regex=KEY_RE), name="formfield_key_format"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(min_value__lte=models.F("max_value")),
                name="formfield_min_le_max",
            ),
        ]

    def clean(self):
        import re

        from django.core.exceptions import ValidationError

        errors = {}
        if self.regex:
            try:
                re.compile(self.regex)
            except re.error:
                errors["regex"] = gettext("Biểu thức kiểm tra không hợp lệ.")
        if self.type == FieldType.SELECT:
            ok = isinstance(self.choices, list) and self.choices and all(
                isinstance(c, dict) and str(c.get("value", "")).strip() and str(c.get("label", "")).strip()
                for c in self.choices)
            if not ok:
                errors["choices"] = gettext("Trường kiểu “Chọn một” cần ít nhất một lựa chọn, mỗi lựa chọn có giá trị và nhãn.")
        elif self.choices:
            errors["choices"] = gettext("Chỉ trường kiểu “Chọn một” mới có danh sách lựa chọn.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = gettext("Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.")
        if errors:
            raise ValidationError(errors)


class StepKind(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận")
    ASSIGN = "assign", _("Phân công")
    PROCESS = "process", _("Xử lý, thẩm định")
    APPROVE = "approve", _("Phê duyệt")
    RETURN = "return", _("Trả kết quả")
    FORWARD = "forward", _("Chuyển cơ quan khác")


STEP_ROLES = [(Role.RECEIVER.value, Role.RECEIVER.label), (Role.SPECIALIST.value, Role.SPECIALIST.label),
              (Role.LEADER.value, Role.LEADER.label)]


class Step(models.Model):
    """One step of the internal workflow; the shares of a procedure's steps sum to 100%."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps", verbose_name=_("thủ tục"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    kind = models.CharField(_("loại bước"), max_length=10, choices=StepKind.choices)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, choices=STEP_ROLES)
    share_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ thời hạn (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    forward_agency_kind = models.CharField(
        _("loại cơ quan nhận chuyển"), max_length=20, choices=Agency.Kind.choices, blank=True
    )

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("bước quy trình")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "position"], name="uniq_step_position"),
            models.CheckConstraint(condition=Q(share_percent__lte=100), name="step_share_max_100"),
            models.CheckConstraint(condition=Q(kind__in=StepKind.values), name="step_kind_valid"),
            models.CheckConstraint(condition=Q(role__in=[r[0] for r in STEP_ROLES]), name="step_role_valid"),
            models.CheckConstraint(
                condition=(Q(kind="forward") & ~Q(forward_agency_kind="")) | (~Q(kind="forward") & Q(forward_agency_kind="")),
                name="step_forward_target_iff_forward",
            ),
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == StepKind.FORWARD and not self.forward_agency_kind:
            raise ValidationError({"forward_agency_kind": gettext("Bước chuyển cơ quan khác cần chọn loại cơ quan nhận chuyển.")})
        if self.kind != StepKind.FORWARD and self.forward_agency_kind:
            raise ValidationError({"forward_agency_kind": gettext("Chỉ bước “Chuyển cơ quan khác” mới có cơ quan nhận chuyển.")})
