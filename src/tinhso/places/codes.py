"""Electronic identifier codes of agencies (mã định danh điện tử của cơ quan, tổ chức).

Legal basis:
- Quyết định 20/2020/QĐ-TTg (22/7/2020) on electronic identifiers of agencies and organisations for
  data connection and sharing, amended by Quyết định 09/2025/QĐ-TTg: every agency has one code, at
  most 13 characters, built on the structure of QCVN 102:2016/BTTTT.
- QCVN 102:2016/BTTTT (Thông tư 10/2016/TT-BTTTT, amended by Sửa đổi 1:2022, Thông tư 01/2022/TT-BTTTT),
  "cấu trúc mã định danh ... phục vụ kết nối các hệ thống quản lý văn bản và điều hành": units are
  coded on four levels written from the deepest to the top, separated by dots:

      NNN . NN . NN . XNN
      cấp 4  cấp 3  cấp 2  cấp 1

  * cấp 1 (level 1, 3 characters): one capital letter naming the group (e.g. G = cơ quan Chính phủ,
    H = địa phương: UBND tỉnh, thành phố trực thuộc trung ương) then two digits; e.g. H56 = Thanh Hóa.
  * cấp 2 (2 digits), cấp 3 (2 digits), cấp 4 (3 digits): the units under it; a level not used is
    written as zeros.  `000.00.00.H56` is UBND tỉnh Thanh Hóa itself, `000.00.06.H56` a level-2 unit
    under it (a sở or a UBND cấp huyện/xã), `000.01.06.H56` a level-3 unit under that one.
  Sources: aita.gov.vn "QCVN: Đánh mã định danh các cơ quan, đơn vị theo Quy chuẩn số 102:2016/BTTTT";
  thuvienphapluat.vn, Quyết định 20/2020/QĐ-TTg; luatvietnam.vn, Thông tư 01/2022/TT-BTTTT.

Rules checked here: the exact form above (13 characters), the level-1 part not all zeros, and no
gap (a deeper level may be non-zero only when every level above it is non-zero).
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE_RE = re.compile(r"^(?P<l4>\d{3})\.(?P<l3>\d{2})\.(?P<l2>\d{2})\.(?P<l1>[A-Z]\d{2})$")


def agency_code_normalize(code: str | None) -> str:
    return (code or "").strip().upper()


def agency_code_level(code: str) -> int:
    """1 for a level-1 unit (000.00.00.H55) ... 4 for a level-4 unit. The code must be valid."""
    m = CODE_RE.match(code)
    if not m:
        raise ValueError(code)
    level = 1
    for n, part in ((2, "l2"), (3, "l3"), (4, "l4")):
        if int(m.group(part)):
            level = n
    return level


def agency_code_problem(code: str) -> str | None:
    """The Vietnamese reason why `code` is not a valid agency identifier, or None when it is."""
    if not code:
        return _("Mã định danh điện tử không được để trống.")
    if len(code) > 13:
        return _("Mã định danh điện tử “%(code)s” dài quá 13 ký tự.") % {"code": code}
    m = CODE_RE.match(code)
    if not m:
        return _(
            "Mã định danh điện tử “%(code)s” không đúng dạng NNN.NN.NN.XNN (ví dụ 000.00.06.H56): "
            "3 chữ số, dấu chấm, 2 chữ số, dấu chấm, 2 chữ số, dấu chấm, một chữ cái in hoa và 2 chữ số."
        ) % {"code": code}
    if m.group("l1")[1:] == "00":
        return _("Mã định danh điện tử “%(code)s”: mã cấp 1 (%(l1)s) không được là 00.") % {"code": code, "l1": m.group("l1")}
    l2, l3, l4 = int(m.group("l2")), int(m.group("l3")), int(m.group("l4"))
    if (l3 and not l2) or (l4 and not (l2 and l3)):
        return _(
            "Mã định danh điện tử “%(code)s”: một cấp chỉ khác 0 khi các cấp trên nó đều khác 0 "
            "(cấp 2 rồi cấp 3 rồi cấp 4)."
        ) % {"code": code}
    return None


def agency_code_validate(code: str, *, field: str = "code") -> str:
    """Return the normalised code or raise ValidationError({field: message})."""
    code = agency_code_normalize(code)
    problem = agency_code_problem(code)
    if problem:
        raise ValidationError({field: problem})
    return code


def agency_code_parent_problem(code: str, parent_code: str) -> str | None:
    """A unit and its parent must share the level-1 code (the same ministry or province)."""
    if code[-3:] != parent_code[-3:]:
        return _(
            "Cơ quan cấp trên “%(parent)s” có mã cấp 1 khác với mã “%(code)s”: hai mã phải cùng mã cấp 1 (%(l1)s)."
        ) % {"parent": parent_code, "code": code, "l1": code[-3:]}
    return None
