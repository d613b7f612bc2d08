"""The small vocabularies of the personal data store: kinds of papers, which procedure issues which,
and which component of which procedure a stored paper can stand for.

The catalog is not ours to change, so these mappings live here, keyed by procedure code and component key."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    BIRTH = "giay_khai_sinh", _("Giấy khai sinh")
    CCCD = "cccd", _("Căn cước công dân")
    MARRIAGE = "ket_hon", _("Giấy chứng nhận kết hôn")
    MARITAL_STATUS = "xac_nhan_hon_nhan", _("Giấy xác nhận tình trạng hôn nhân")
    RESIDENCE = "cu_tru", _("Sổ hộ khẩu, giấy xác nhận cư trú")
    DEGREE = "bang_cap", _("Bằng cấp, chứng chỉ")
    OTHER = "khac", _("Giấy tờ khác")


class Origin(models.TextChoices):
    TINHSO = "tinhso", _("Do tinhso cấp (kết quả hồ sơ)")
    OFFICIAL = "official", _("Cán bộ đã đối chiếu với bản chính")
    SELF = "self", _("Công dân tự khai")


@dataclass(frozen=True)
class ResultKind:
    doc_type: str
    valid_months: int | None = None


# The result of these procedures is a paper of this type (others: "khac", named after the result).
RESULTS: dict[str, ResultKind] = {
    "1.001193": ResultKind(DocType.BIRTH),           # Đăng ký khai sinh
    "1.001695": ResultKind(DocType.BIRTH),           # Đăng ký khai sinh có yếu tố nước ngoài
    "1.004746": ResultKind(DocType.BIRTH),           # Đăng ký lại khai sinh
    "1.000894": ResultKind(DocType.MARRIAGE),        # Đăng ký kết hôn
    "1.000893": ResultKind(DocType.MARRIAGE),        # Đăng ký kết hôn có yếu tố nước ngoài
    # Giấy xác nhận tình trạng hôn nhân: valid 6 months (Nghị định 123/2015/NĐ-CP, Điều 23)
    "1.004873": ResultKind(DocType.MARITAL_STATUS, valid_months=6),
    "2.000967": ResultKind(DocType.DEGREE),          # Cấp bản sao văn bằng, chứng chỉ từ sổ gốc
}

# Form fields that name, by CCCD, other citizens a result concerns (the other parent, the spouse):
# the result lands in their store too when they have an account.
CONCERNED_CCCD_FIELDS = ("so_cccd_cha", "so_cccd_me", "so_cccd_ben_kia", "so_cccd_vo", "so_cccd_chong")


@dataclass(frozen=True)
class Requirement:
    doc_type: str
    requires_valid: bool = False


# Which stored paper can stand for a component: first by (procedure code, component key), then by key.
COMPONENTS_BY_PROCEDURE: dict[tuple[str, str], Requirement] = {
    ("1.004884", "giay_to_lien_quan"): Requirement(DocType.BIRTH),       # cải chính hộ tịch
    ("1.004746", "giay_to_ho_tich"): Requirement(DocType.BIRTH),         # đăng ký lại khai sinh
    ("1.000894", "xac_nhan_hon_nhan"): Requirement(DocType.MARITAL_STATUS, requires_valid=True),
}
COMPONENTS_BY_KEY: dict[str, Requirement] = {
    "giay_khai_sinh": Requirement(DocType.BIRTH),
    "ban_sao_giay_khai_sinh": Requirement(DocType.BIRTH),
    "giay_to_tuy_than": Requirement(DocType.CCCD, requires_valid=True),
    "xac_nhan_hon_nhan": Requirement(DocType.MARITAL_STATUS, requires_valid=True),
    "giay_chung_nhan_ket_hon": Requirement(DocType.MARRIAGE),
    "xac_nhan_cu_tru": Requirement(DocType.RESIDENCE, requires_valid=True),
    "van_bang": Requirement(DocType.DEGREE),
}


def requirement_for(procedure_code: str, component_key: str) -> Requirement | None:
    return COMPONENTS_BY_PROCEDURE.get((procedure_code, component_key)) or COMPONENTS_BY_KEY.get(component_key)


def result_kind_for(procedure_code: str) -> ResultKind:
    return RESULTS.get(procedure_code) or ResultKind(DocType.OTHER)
