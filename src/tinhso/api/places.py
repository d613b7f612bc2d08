"""Places API: provinces and communes of the 2025 structure, the installation's agencies, old-address conversion."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from tinhso.api.errors import ErrorOut
from tinhso.places import selectors

router = Router(tags=["places"])


class DivisionOut(Schema):
    code: str = Field(description=str(_("Mã đơn vị hành chính (QĐ 19/2025/QĐ-TTg)")))
    name: str
    type: str = Field(description="tinh | thanh_pho_trung_uong | xa | phuong | dac_khu")


class InstallationAgencyOut(Schema):  # not dossiers.AgencyOut: OpenAPI names schemas by class
    id: int = Field(description="Số gửi trong trường `agency` khi nộp hồ sơ (POST /api/v1/dossiers)")
    code: str = Field(description="Mã định danh điện tử (NNN.NN.NN.XNN)")
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    commune_code: str | None
    active: bool


class AddressMatchOut(Schema):
    commune_code: str
    commune_name: str
    province_code: str
    province_name: str
    street: str
    old_text: str


class ConvertQuery(Schema):
    text: str = Field(..., min_length=1, max_length=500, description="Địa chỉ cũ: xã, huyện, tỉnh (trước 1/7/2025)")


@router.get("/provinces", response=list[DivisionOut], summary="34 tỉnh, thành phố (cơ cấu 2025)")
def provinces(request):
    return [{"code": p.code, "name": p.name, "type": p.type} for p in selectors.provinces_all()]


@router.get("/provinces/{code}/communes", response={200: list[DivisionOut], 404: ErrorOut},
            summary="Xã, phường, đặc khu của một tỉnh")
def province_communes(request, code: str):
    return [{"code": c.code, "name": c.name, "type": c.type} for c in selectors.communes_of_province(code=code)]


@router.get("/agencies", response=list[InstallationAgencyOut], summary="Cơ quan của tỉnh (kèm mã cơ quan cấp trên)")
def agencies(request):
    return [
        {"id": a.pk, "code": a.code, "name": a.name, "short_name": a.short_name, "kind": a.kind,
         "parent_code": a.parent.code if a.parent else None, "commune_code": a.commune_id, "active": a.active}
        for a in selectors.agencies_of_installation()
    ]


@router.get("/address/convert", response=list[AddressMatchOut],
            summary="Chuyển địa chỉ cũ (xã, huyện, tỉnh) sang xã, phường năm 2025")
def address_convert(request, query: Query[ConvertQuery]):
    return [m.__dict__ for m in selectors.old_address_to_commune(text=query.text)]
