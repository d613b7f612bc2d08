"""The permission matrix: who may use which route with which method. One entry per route.

An entry names the route exactly as Django's URL resolver spells it (`ho-so-cua-toi/<int:pk>/`), the
objects of the test world to put in its URL, and for each method the set of actors allowed; every other
actor, and every method the entry does not name, must be DENIED (401, 403, 404, 405 or a redirect to
sign in) and must change nothing in the database. README.md in this directory says how to add one.

Values written "@name" are taken from the world built in conftest.py: "@d_proc" is that object's primary
key, "@d_proc.code" one of its attributes, "@api_key" a plain value. Bodies may be a callable taking the
world, and a callable value in a body (a file) is called for each request."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conftest import X_CODE, pdf

# --- actors ---------------------------------------------------------------------------------------

ANON = "anonymous"
A, B = "citizen_a", "citizen_b"
XR, XS, XL = "x_receiver", "x_specialist", "x_leader"
YR, YS, YL = "y_receiver", "y_specialist", "y_leader"
IOC, PADMIN = "ioc_viewer", "province_admin"

NOBODY: frozenset[str] = frozenset()
CITIZENS = frozenset({A, B})
X_STAFF = frozenset({XR, XS, XL})
Y_STAFF = frozenset({YR, YS, YL})
OFFICIALS = X_STAFF | Y_STAFF | {IOC, PADMIN}
SIGNED_IN = CITIZENS | OFFICIALS
ALL = SIGNED_IN | {ANON}
SEES_X = X_STAFF | {IOC, PADMIN}              # dossiers of agency X: its officials, IOC viewers, the province admin
HANDLERS = frozenset({XS, XL, YS, YL})        # feedback: specialists and leaders of a handling agency
RECEIVERS = frozenset({XR, YR})
PROVINCE_VIEWERS = frozenset({IOC, PADMIN})   # IOC and scoring: the whole province
IOC_USERS = PROVINCE_VIEWERS | {XL, YL}       # IOC and rankings: province viewers, and leaders for their agency
X_FIGURES = PROVINCE_VIEWERS | {XL}           # agency X's figures: province viewers and X's leader

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    pattern: str
    args: dict = field(default_factory=dict)
    allowed: dict = field(default_factory=dict)      # method -> frozenset of actors
    url: str | None = None                            # an explicit URL (regex routes), may hold "{name}" of args
    query: str = ""
    data: Any = None                                  # form/multipart body of POST/PUT/PATCH (dict or callable(world))
    json: Any = None                                  # JSON body instead of `data`
    ok: frozenset = frozenset()                       # statuses an allowed actor may get (default: 2xx, 3xx)
    writes: bool = True                               # an allowed POST must write (proves the body is valid)
    note: str = ""


def R(pattern: str, args: dict | None = None, *, url: str | None = None, query: str = "", data: Any = None,
      json: Any = None, ok=(), writes: bool = True, note: str = "", **allowed: frozenset) -> Route:
    """One line per route: R("path/<int:pk>/", {"pk": "@d_proc"}, GET=SEES_X, POST=NOBODY, data={...})."""
    unknown = set(allowed) - set(METHODS)
    assert not unknown, f"{pattern}: unknown methods {unknown}"
    return Route(pattern, args or {}, {m: frozenset(v) for m, v in allowed.items()}, url, query, data, json,
                 frozenset(ok), writes, note)


# --- bodies ---------------------------------------------------------------------------------------

def _vn(dt_value) -> str:
    from django.utils import timezone

    return timezone.localtime(dt_value).strftime("%d/%m/%Y %H:%M")


def _procedure_form(w) -> dict:
    from tinhso.web.catalog.forms import ProcedureForm

    form = ProcedureForm(instance=w["procedure"])
    data = {}
    for name, f in form.fields.items():
        value = form.initial.get(name)
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "on" if value is True else ("" if value is False else value)
    data["name"] = "Đăng ký khai sinh (ma trận quyền, đã sửa)"
    return data


def _new_procedure_form(w) -> dict:
    return {**_procedure_form(w), "code": "9.900002", "name": "Thủ tục mới (ma trận quyền)"}


DOSSIER_FILES = {"to_khai": lambda: pdf("to-khai.pdf"), "giay_chung_sinh": lambda: pdf("chung-sinh.pdf")}


def _submit_form(w) -> dict:
    return {"tk-ho_ten_tre": "Nguyễn Minh Khang", "co_quan": w["agency_x"].pk, "hinh_thuc_nhan": "online",
            "submit_token": "", "tep_to_khai": DOSSIER_FILES["to_khai"],
            "tep_giay_chung_sinh": DOSSIER_FILES["giay_chung_sinh"]}


def _desk_form(w) -> dict:
    return {"thu_tuc": w["procedure"].code, "applicant_name": "Lê Thị Hoa", "ho_ten_tre": "Lê Minh Anh",
            "component_to_khai": DOSSIER_FILES["to_khai"]}


def _api_submit(w) -> dict:
    return {"procedure": w["procedure"].code, "agency": w["agency_x"].pk, "form": '{"ho_ten_tre": "Nguyễn Minh Khang"}',
            "component_to_khai": DOSSIER_FILES["to_khai"], "component_giay_chung_sinh": DOSSIER_FILES["giay_chung_sinh"]}


def _api_desk(w) -> dict:
    return {"procedure": w["procedure"].code, "applicant_name": "Lê Thị Hoa", "form": '{"ho_ten_tre": "Lê Minh Anh"}'}


def _apologize_web(w) -> dict:
    import datetime as dt

    return {"reason": "Chờ xác minh của cơ quan khác", "new_due_at": _vn(w["d_proc"].due_at + dt.timedelta(days=10))}


def _apologize_api(w) -> dict:
    import datetime as dt

    return {"reason": "Chờ xác minh của cơ quan khác", "new_due_at": (w["d_proc"].due_at + dt.timedelta(days=10)).isoformat()}


def _agency_csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = "ma_dinh_danh,ten_co_quan,loai\n000.59.19.H55,UBND xã nhập từ tệp (ma trận quyền),ubnd_xa\n"
    return SimpleUploadedFile("co-quan.csv", rows.encode("utf-8"), content_type="text/csv")


def _catalog_json(w):
    """The world's procedure exported, renamed: importing it replaces the procedure."""
    import json as jsonlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinhso.catalog.exchange import export_dict
    from tinhso.catalog.models import Procedure

    data = export_dict(Procedure.objects.filter(pk=w["procedure"].pk))
    data["procedures"][0]["name"] = "Đăng ký khai sinh (nhập từ tệp)"
    body = jsonlib.dumps(data, ensure_ascii=False).encode("utf-8")
    return lambda: SimpleUploadedFile("thu-tuc.json", body, content_type="application/json")


def _open311_post(w) -> dict:
    return {"api_key": w["api_key"], "service_code": w["category"].code, "address_id": w["agency_x"].commune_id,
            "description": "Cây đổ chắn ngang đường sau mưa bão."}


# --- the matrix -------------------------------------------------------------------------------------

PK = {"pk": "@d_proc"}

MATRIX: list[Route] = [
    # public pages
    R("", GET=ALL),
    R("healthz", GET=ALL),
    R("i18n/setlang/", GET=ALL, POST=ALL, data={"language": "en", "next": "/"}, writes=False,
      note="Django's language switch (a cookie); GET only redirects"),
    R("ngon-ngu/<slug:code>/", {"code": "en"}, GET=ALL, writes=False,
      note="the header's language link: sets the language cookie and goes back"),
    R("xa-phuong/", GET=ALL),
    R("co-quan/", GET=ALL),
    R("lich-lam-viec/", GET=ALL),
    R("thu-tuc/", GET=ALL),
    R("thu-tuc/<str:code>/", {"code": "@procedure.code"}, GET=ALL),
    R("tra-cuu/", GET=ALL),
    R("tra-cuu/<str:code>/", {"code": "@d_proc.code"}, GET=ALL),
    R("phan-anh/", GET=ALL),
    R("phan-anh/sw.js", GET=ALL),
    R("phan-anh/manifest.webmanifest", GET=ALL),
    R("phan-anh/<str:public_id>/", {"public_id": "@report_answered.public_id"}, GET=ALL),
    R("phan-anh/<str:public_id>/anh/<int:photo_id>/", {"public_id": "@report_answered.public_id", "photo_id": "@photo"},
      GET=ALL),

    # agencies (province administrator)
    R("co-quan/them/", GET={PADMIN}, POST={PADMIN},
      data={"code": "000.53.19.H55", "name": "UBND xã mới (ma trận quyền)", "kind": "ubnd_xa"}),
    R("co-quan/nhap-tep/", GET={PADMIN}, POST={PADMIN}, data={"file": _agency_csv}),
    R("co-quan/<str:code>/sua/", {"code": "@agency_y.code"}, GET={PADMIN}, POST={PADMIN},
      data=lambda w: {"code": w["agency_y"].code, "name": "UBND (đã đổi tên)", "kind": "ubnd_xa",
                      "commune_code": w["agency_y"].commune_id}),
    R("co-quan/<str:code>/ngung-hoat-dong/", {"code": "@agency_y.code"}, GET={PADMIN}, POST={PADMIN}),

    # people
    R("can-bo/dang-nhap/", GET=ALL, POST=ALL, note="the officials' sign-in page (allauth)"),
    R("tai-khoan-cua-toi/", GET=SIGNED_IN, POST=SIGNED_IN, data={"action": "phone_send", "phone": "0912345678"}),
    R("can-bo/quan-tri/", GET={PADMIN}),
    R("can-bo/quan-tri/them/", GET={PADMIN}, POST={PADMIN},
      data=lambda w: {"username": "mt_moi", "full_name": "Cán bộ mới", "email": "mt_moi@tinhso.test",
                      "agency": w["agency_x"].pk, "roles": ["specialist"]}),
    R("can-bo/quan-tri/<int:official_id>/vai-tro/", {"official_id": "@official_x_specialist"}, GET={PADMIN}, POST={PADMIN},
      data={"roles": ["specialist", "leader"]}),
    R("can-bo/quan-tri/<int:official_id>/khoa/", {"official_id": "@official_x_specialist"}, POST={PADMIN}),

    # working calendar (province administrator)
    R("lich-lam-viec/quan-tri/", GET={PADMIN}),
    R("lich-lam-viec/quan-tri/them/", GET={PADMIN}, POST={PADMIN},
      data={"date": "2027-03-15", "kind": "day_off", "name": "Ngày nghỉ (ma trận quyền)", "source": "Quyết định 1/QĐ-UBND"}),
    R("lich-lam-viec/quan-tri/<int:pk>/sua/", {"pk": "@calendar_entry"}, GET={PADMIN}, POST={PADMIN},
      data=lambda w: {"date": w["calendar_entry"].date.isoformat(), "kind": w["calendar_entry"].kind,
                      "name": "Đã sửa (ma trận quyền)", "source": w["calendar_entry"].source or "Quyết định"}),
    R("lich-lam-viec/quan-tri/<int:pk>/xoa/", {"pk": "@calendar_entry"}, GET={PADMIN}, POST={PADMIN}),
    R("lich-lam-viec/quan-tri/gio-lam-viec/", GET={PADMIN}, POST={PADMIN},
      data={"morning_start": "07:00", "morning_end": "11:30", "afternoon_start": "13:30", "afternoon_end": "17:00",
            "same_day_cutoff": "15:00"}),

    # catalog administration (province administrator; agency administrators for their own procedures)
    R("quan-ly/thu-tuc/", GET={PADMIN}),
    R("quan-ly/thu-tuc/them/", GET={PADMIN}, POST={PADMIN}, data=_new_procedure_form),
    R("quan-ly/thu-tuc/nhap/", GET={PADMIN}, POST={PADMIN}, data=lambda w: {"file": _catalog_json(w)}),
    R("quan-ly/thu-tuc/xuat/", GET={PADMIN}),
    R("quan-ly/thu-tuc/<str:code>/", {"code": "@procedure.code"}, GET={PADMIN}, POST={PADMIN}, data=_procedure_form),
    R("quan-ly/thu-tuc/<str:code>/cong-bo/", {"code": "@procedure.code"}, POST={PADMIN}, data={"published": "0"}),
    R("quan-ly/thu-tuc/<str:code>/<slug:section>/", {"code": "@procedure.code", "section": "phi"}, GET={PADMIN},
      POST={PADMIN}, data={"phi-TOTAL_FORMS": "1", "phi-INITIAL_FORMS": "0", "phi-0-description": "Lệ phí",
                           "phi-0-amount": "8000"}),

    # the citizen's portal: submission and their own dossiers
    R("ho-so/nop/<str:code>/", {"code": "@procedure.code"}, GET=CITIZENS, POST=CITIZENS, data=_submit_form),
    R("ho-so-cua-toi/", GET=SIGNED_IN, note="an official has no dossier of their own: an empty list"),
    R("ho-so-cua-toi/<int:pk>/", PK, GET={A}),
    R("ho-so-cua-toi/<int:pk>/bo-sung/", {"pk": "@d_supplement"}, POST={A},
      data={"supply-note": "Đã bổ sung bản chính", "supply-tep_giay_chung_sinh": DOSSIER_FILES["giay_chung_sinh"]}),
    R("ho-so-cua-toi/<int:pk>/nop-phi/", {"pk": "@d_payment"}, POST={A}, data={"pay-reference": "FT26001234"}),
    R("ho-so-cua-toi/<int:pk>/rut-ho-so/", PK, POST={A}, data={"withdraw-reason": "Nộp nhầm", "withdraw-confirm": "on"}),
    R("ho-so-cua-toi/<int:pk>/danh-gia/", {"pk": "@d_returned"}, POST={A}, data={"rate-level": "satisfied"}),
    R("ho-so-cua-toi/<int:pk>/phan-anh/", {"pk": "@d_returned"}, POST={A}, data={"complain-text": "Trả kết quả chậm"}),
    R("ho-so-cua-toi/<int:pk>/tep/<int:component_id>/", {"pk": "@d_proc", "component_id": "@component"}, GET={A}),
    R("ho-so-cua-toi/<int:pk>/ket-qua/", {"pk": "@d_returned"}, GET={A}),
    R("ho-so-cua-toi/<int:pk>/van-ban/<slug:kind>/", {"pk": "@d_proc", "kind": "phieu-tiep-nhan"}, GET={A}),

    # the officials' workspace
    R("can-bo/ho-so/", GET=OFFICIALS),
    R("can-bo/canh-bao/", GET=OFFICIALS),
    R("can-bo/canh-bao/<int:warning_id>/da-doc/", {"warning_id": "@warning"}, POST={XS}),
    R("can-bo/ho-so/<int:pk>/", PK, GET=SEES_X),
    R("can-bo/ho-so/<int:pk>/giay-to/<int:component_id>/", {"pk": "@d_proc", "component_id": "@component"}, GET=X_STAFF,
      note="the citizen's papers: the handling agency only (need to know), not the province's viewers"),
    R("can-bo/ho-so/<int:pk>/ket-qua/", {"pk": "@d_finished"}, GET=X_STAFF),
    R("can-bo/ho-so/<int:pk>/pdf/bo-sung/<int:request_id>/", {"pk": "@d_supplement", "request_id": "@supplement_request"},
      GET=SEES_X),
    R("can-bo/ho-so/<int:pk>/pdf/<slug:kind>/", {"pk": "@d_proc", "kind": "giay-tiep-nhan"}, GET=SEES_X),
    R("can-bo/tiep-nhan/", GET=RECEIVERS, POST=RECEIVERS, data=_desk_form,
      note="each receiver registers at the desk for their own agency"),
    R("can-bo/so-theo-doi/", GET=OFFICIALS, note="the register of the official's own agency"),
    R("can-bo/ho-so/<int:pk>/tiep-nhan/", {"pk": "@d_new"}, POST={XR}, data={"note": "Đủ giấy tờ"}),
    R("can-bo/ho-so/<int:pk>/tu-choi/", {"pk": "@d_new"}, POST={XR}, data={"reason": "Không thuộc thẩm quyền"}),
    R("can-bo/ho-so/<int:pk>/chuyen-xu-ly/", PK, POST={XR, XL}, data={"assignee": "@x_specialist"}),
    R("can-bo/ho-so/<int:pk>/chuyen-tiep/", PK, POST={XS, XL}, data={"assignee": "@x_leader"}),
    R("can-bo/ho-so/<int:pk>/trinh-phe-duyet/", PK, POST={XS}, data={"leader": "@x_leader", "note": "Đủ điều kiện"}),
    R("can-bo/ho-so/<int:pk>/yeu-cau-bo-sung/", PK, POST={XR, XS}, data={"reason": "Thiếu tờ khai", "items": ["to_khai"]}),
    R("can-bo/ho-so/<int:pk>/yeu-cau-nop-phi/", PK, POST={XR, XS}, data={"amount": "8000", "purpose": "Lệ phí"}),
    R("can-bo/ho-so/<int:pk>/dung-xu-ly/", PK, POST={XL}, data={"reason": "Công dân đề nghị dừng"}),
    R("can-bo/ho-so/<int:pk>/phe-duyet/", {"pk": "@d_approval"}, POST={XL}, data={"note": "Đồng ý"}),
    R("can-bo/ho-so/<int:pk>/tra-ket-qua/", {"pk": "@d_finished"}, POST={XR}, data={"method": "desk"}),
    R("can-bo/ho-so/<int:pk>/xin-loi/", PK, POST=X_STAFF, data=_apologize_web),

    # citizen reports
    R("phan-anh/gui/", GET=SIGNED_IN, POST=SIGNED_IN,
      data=lambda w: {"category": w["category"].code, "commune": w["agency_x"].commune_id, "urgency": "normal",
                      "description": "Ống nước vỡ, nước tràn ra đường."},
      note="any signed-in person may send a report"),
    R("phan-anh/cua-toi/", GET=SIGNED_IN),
    R("phan-anh/<str:public_id>/danh-gia/", {"public_id": "@report_answered.public_id"}, POST={A},
      data=lambda w: {f"rate-{w['report_answered'].pk}-rating": "satisfied"}),
    R("phan-anh/<str:public_id>/phan-anh-lai/", {"public_id": "@report_answered.public_id"}, POST={A},
      data=lambda w: {f"reopen-{w['report_answered'].pk}-reason": "Rác vẫn còn"}),
    R("phan-anh/<str:public_id>/dong/", {"public_id": "@report_answered.public_id"}, POST={A}),
    R("phan-anh/dieu-phoi/", GET={PADMIN}),
    R("phan-anh/dieu-phoi/<str:public_id>/", {"public_id": "@report_new.public_id"}, GET={PADMIN}, POST={PADMIN},
      data={"action": "accept"}),
    R("phan-anh/xu-ly/", GET=HANDLERS),
    R("phan-anh/xu-ly/<str:public_id>/", {"public_id": "@report_assigned.public_id"}, GET={XS, XL}, POST={XS, XL},
      data={"action": "start"}),
    R("phan-anh/dinh-tuyen/", GET={PADMIN}, POST={PADMIN},
      data=lambda w: {"route-category": w["category"].code, "route-commune": w["agency_y"].commune_id,
                      "route-agency": w["agency_y"].pk}),
    R("phan-anh/quan-tri/khoa-api/", GET={PADMIN}, POST={PADMIN}, data={"name": "Ứng dụng mới"}),
    R("phan-anh/quan-tri/truc/", GET={PADMIN}, POST={PADMIN},
      data=lambda w: {"commune": w["agency_x"].commune_id, "user": w.users[XL].pk}),
    R("phan-anh/quan-tri/linh-vuc/", GET={PADMIN}),
    R("phan-anh/quan-tri/linh-vuc/them/", GET={PADMIN}, POST={PADMIN},
      data={"action": "save", "code": "moi-mt", "name": "Lĩnh vực mới", "deadline_working_days": "10", "active": "on"}),
    R("phan-anh/quan-tri/linh-vuc/<slug:code>/", {"code": "@category.code"}, GET={PADMIN}, POST={PADMIN},
      data=lambda w: {"action": "save", "code": w["category"].code, "name": "Đã đổi tên", "deadline_working_days": "7"}),

    # the personal data store
    R("kho-du-lieu/", GET=CITIZENS, POST=CITIZENS,
      data={"doc_type": "khac", "title": "Giấy tờ tự khai", "file": lambda: pdf("tu-khai.pdf")}),
    R("kho-du-lieu/ai-da-dung/", GET=CITIZENS),
    R("kho-du-lieu/<int:doc_id>/tai/", {"doc_id": "@doc_a"}, GET={A}),
    R("kho-du-lieu/<int:doc_id>/xoa/", {"doc_id": "@doc_a"}, POST={A}),
    R("can-bo/ho-so/<int:pk>/kho-du-lieu/", PK, GET=X_STAFF, note="province admin and IOC viewers have no exception"),
    R("can-bo/ho-so/<int:pk>/kho-du-lieu/<int:doc_id>/", {"pk": "@d_proc", "doc_id": "@doc_a"}, GET=X_STAFF),
    R("can-bo/ho-so/<int:pk>/kho-du-lieu/<int:doc_id>/doi-chieu/", {"pk": "@d_proc", "doc_id": "@doc_a"}, POST=X_STAFF),

    # the HTTP API
    R("api/", note="ninja's root: 404 for everyone (the API lives under /api/v1/, its docs at /api/docs)"),
    R("api/openapi.json", GET=ALL),
    R("api/docs", GET=ALL),
    R("api/v1/places/provinces", GET=ALL),
    R("api/v1/places/provinces/<code>/communes", {"code": "19"}, GET=ALL),
    R("api/v1/places/agencies", GET=ALL),
    R("api/v1/places/address/convert", query="text=", GET=ALL, ok={422},
      note="an empty text is refused before the converter runs (building its index takes seconds)"),
    R("api/v1/calendar/due", query="received=2026-02-13T10:00:00%2B07:00&working_days=5", GET=ALL),
    R("api/v1/calendar/days", query="year=2026&month=2", GET=ALL),
    R("api/v1/people/me", GET=SIGNED_IN),
    R("api/v1/people/me/phone/send-code", POST=SIGNED_IN, json={"phone": "0912345678"}),
    R("api/v1/people/me/phone/confirm", POST=SIGNED_IN, json={"code": "000000"}, ok={400}, writes=False,
      note="allowed: no code was sent, so the answer is a 400 about the code"),
    R("api/v1/people/cccd/validate", POST=ALL, writes=False, json={"cccd": "019090001234", "date_of_birth": "01/05/1990", "gender": "nam"}),
    R("api/v1/catalog/procedures", GET=ALL),
    R("api/v1/catalog/procedures/<code>", {"code": "@procedure.code"}, GET=ALL),
    R("api/v1/catalog/fields", GET=ALL),
    R("api/v1/catalog/procedures/<code>/validate-form", {"code": "@procedure.code"}, POST=ALL, writes=False,
      json={"data": {"ho_ten_tre": "Nguyễn Minh Khang"}}),
    R("api/v1/track/<code>", {"code": "@d_proc.code"}, GET=ALL),
    R("api/v1/dossiers", GET=SIGNED_IN, POST=CITIZENS, data=_api_submit),
    R("api/v1/uploads", POST=SIGNED_IN, ok=frozenset({201}), data={"file": pdf}),
    R("api/v1/dossiers/<pk>", PK, GET=SEES_X | {A}),
    R("api/v1/desk/dossiers", POST=RECEIVERS, data=_api_desk),
    R("api/v1/dossiers/<pk>/receive", {"pk": "@d_new"}, POST={XR}, json={"note": "Đủ giấy tờ"}),
    R("api/v1/dossiers/<pk>/refuse", {"pk": "@d_new"}, POST={XR}, json={"reason": "Không thuộc thẩm quyền"}),
    R("api/v1/dossiers/<pk>/assign", PK, POST={XR, XL}, json={"assignee": "@x_specialist"}),
    R("api/v1/dossiers/<pk>/forward", PK, POST={XS, XL}, json={"assignee": "@x_leader"}),
    R("api/v1/dossiers/<pk>/submit-approval", PK, POST={XS}, json={"leader": "@x_leader"}),
    R("api/v1/dossiers/<pk>/request-supplement", PK, POST={XR, XS},
      json={"reason": "Thiếu tờ khai", "items": [{"key": "to_khai", "name": "Tờ khai"}]}),
    R("api/v1/dossiers/<pk>/supply", {"pk": "@d_supplement"}, POST={A},
      data={"note": "Đã bổ sung", "component_giay_chung_sinh": DOSSIER_FILES["giay_chung_sinh"]}),
    R("api/v1/dossiers/<pk>/request-payment", PK, POST={XR, XS}, json={"amount": 8000, "purpose": "Lệ phí"}),
    R("api/v1/dossiers/<pk>/pay", {"pk": "@d_payment"}, POST={A}, json={"reference": "FT26001234"}),
    R("api/v1/dossiers/<pk>/withdraw", PK, POST={A}, json={"reason": "Nộp nhầm"}),
    R("api/v1/dossiers/<pk>/stop", PK, POST={XL}, json={"reason": "Công dân đề nghị dừng"}),
    R("api/v1/dossiers/<pk>/approve", {"pk": "@d_approval"}, POST={XL}, data={"note": "Đồng ý"}),
    R("api/v1/dossiers/<pk>/return", {"pk": "@d_finished"}, POST={XR}, json={"method": "desk"}),
    R("api/v1/dossiers/<pk>/apologize", PK, POST=X_STAFF, json=_apologize_api),
    R("api/v1/dossiers/<pk>/rate", {"pk": "@d_returned"}, POST={A}, json={"level": "satisfied"}),
    R("api/v1/dossiers/<pk>/complain", {"pk": "@d_returned"}, POST={A}, json={"text": "Trả kết quả chậm"}),
    R("api/v1/dossiers/<pk>/documents/<kind>", {"pk": "@d_proc", "kind": "receipt"}, GET=SEES_X | {A}),
    R("api/v1/dossiers/<pk>/result", {"pk": "@d_finished"}, GET=X_STAFF | {A}),
    R("api/v1/inbox/counts", GET=OFFICIALS),
    R("api/v1/warnings", GET=OFFICIALS),
    R("api/v1/warnings/<warning_id>/read", {"warning_id": "@warning"}, POST={XS}, json={}),
    R("api/v1/datastore/documents", GET=CITIZENS),
    R("api/v1/datastore/access-log", GET=CITIZENS),
    R("api/v1/datastore/dossiers/<pk>/documents", PK, GET=X_STAFF),
    R("api/v1/datastore/dossiers/<pk>/documents/<doc_id>", {"pk": "@d_proc", "doc_id": "@doc_a"}, GET=X_STAFF),

    # the operations centre (IOC) and index 766 scoring: figures, never changed through these routes
    R("ioc/", GET=IOC_USERS, note="leaders see their own agency (home scope)"),
    R("ioc/man-hinh-lon/", GET=IOC_USERS),
    R("ioc/chi-tieu/", query=f"chi_so=received&pham_vi=agency:{X_CODE}", GET=X_FIGURES),
    R("ioc/ho-so/", query=f"chi_so=received&pham_vi=agency:{X_CODE}", GET=X_FIGURES),
    R("ioc/phan-anh/", query=f"chi_so=reports_received&pham_vi=agency:{X_CODE}", GET=X_FIGURES),
    R("ioc/xa-phuong/", GET=PROVINCE_VIEWERS),
    R("ioc/ban-do/", GET=PROVINCE_VIEWERS),
    R("ioc/dien-bien/", query=f"pham_vi=agency:{X_CODE}", GET=X_FIGURES),
    R("ioc/chi-so-766/", query=f"pham_vi=agency:{X_CODE}", GET=X_FIGURES),
    R("ioc/bao-cao-thang/", GET=PROVINCE_VIEWERS),
    R("diem-so/", GET=IOC_USERS),
    R("diem-so/can-bo/toi/", GET=OFFICIALS, note="every official sees their own evaluation"),
    R("diem-so/can-bo/<int:user_id>/", {"user_id": "@x_specialist"}, GET=PROVINCE_VIEWERS | {XS, XL}),
    R("diem-so/can-bo/<int:user_id>/phieu.pdf", {"user_id": "@x_specialist"}, GET=PROVINCE_VIEWERS | {XS, XL}),
    R("diem-so/can-bo/<int:user_id>/phieu.xlsx", {"user_id": "@x_specialist"}, GET=PROVINCE_VIEWERS | {XS, XL}),
    R("api/v1/ioc/overview", query=f"scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/ioc/communes", GET=PROVINCE_VIEWERS),
    R("api/v1/ioc/series", query=f"scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/ioc/index766", query=f"scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/ioc/breakdown", query=f"metric=received&scope=agency:{X_CODE}&by=official", GET=X_FIGURES),
    R("api/v1/ioc/dossiers", query=f"metric=received&scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/ioc/map", GET=PROVINCE_VIEWERS),
    R("api/v1/scoring/overview", GET=PROVINCE_VIEWERS),
    R("api/v1/scoring/agencies/<code>/overview", {"code": X_CODE}, GET=X_FIGURES),
    R("api/v1/scoring/agencies/<code>/officials", {"code": X_CODE}, GET=X_FIGURES),
    R("api/v1/scoring/communes", GET=PROVINCE_VIEWERS),
    R("api/v1/scoring/index766", query=f"scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/scoring/timeseries", query=f"scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/scoring/rankings/<kind>", {"kind": "agencies"}, GET=IOC_USERS),
    R("api/v1/scoring/officials/<user_id>/evaluation", {"user_id": "@x_specialist"}, GET=PROVINCE_VIEWERS | {XS, XL}),
    R("api/v1/scoring/dossiers", query=f"metric=received&scope=agency:{X_CODE}", GET=X_FIGURES),
    R("api/v1/scoring/reports", query=f"metric=reports_received&scope=agency:{X_CODE}", GET=X_FIGURES),

    # Open311 GeoReport v2: reads are public; a report is sent with an API key (any caller holding one)
    R(r"open311/discovery\.(?P<fmt>[A-Za-z0-9]+)$", url="/open311/discovery.json", GET=ALL),
    R(r"open311/v2/services\.(?P<fmt>[A-Za-z0-9]+)$", url="/open311/v2/services.json", GET=ALL),
    R(r"open311/v2/services/(?P<code>[^/]+?)\.(?P<fmt>[A-Za-z0-9]+)$", {"code": "@category.code"},
      url="/open311/v2/services/{code}.json", GET=ALL),
    R(r"open311/v2/requests\.(?P<fmt>[A-Za-z0-9]+)$", url="/open311/v2/requests.json", GET=ALL, POST=ALL,
      data=_open311_post, note="POST needs a valid api_key: see test_open311_post_needs_a_key"),
    R(r"open311/v2/requests/(?P<public_id>[^/]+?)\.(?P<fmt>[A-Za-z0-9]+)$", {"public_id": "@report_answered.public_id"},
      url="/open311/v2/requests/{public_id}.json", GET=ALL),
    R(r"open311/v2/tokens/(?P<token_id>[^/]+?)\.(?P<fmt>[A-Za-z0-9]+)$", {"token_id": "@report_answered.public_id"},
      url="/open311/v2/tokens/{token_id}.json", GET=ALL),
    R(r"open311/v2/servicerequestupdates\.(?P<fmt>[A-Za-z0-9]+)$", url="/open311/v2/servicerequestupdates.json", GET=ALL),
]


# --- rules for whole families of routes -------------------------------------------------------------

def is_admin_route(pattern: str, name: str) -> bool:
    """Django's admin (/quan-tri/): only staff accounts get in (none of the actors is staff)."""
    return pattern.startswith("quan-tri/")


def is_allauth_route(pattern: str, name: str, module: str) -> bool:
    """django-allauth's sign-in machinery (/tai-khoan/): every actor may reach it; it acts on one's own account."""
    return pattern.startswith("tai-khoan/") or module.startswith("allauth.")


# allauth pages about one's own account: the anonymous are sent to sign in (the 2fa pages and these).
ALLAUTH_ACCOUNT_PAGES = {"tai-khoan/email/", "tai-khoan/password/change/", "tai-khoan/password/set/",
                         "tai-khoan/3rdparty/", "tai-khoan/reauthenticate/"}


def is_allauth_account_page(pattern: str) -> bool:
    return pattern in ALLAUTH_ACCOUNT_PAGES or pattern.startswith("tai-khoan/2fa/")

# URL arguments of regex routes of the rules (allauth, admin).
RULE_URL_ARGS = {"uidb36": "1", "key": "x-y", "provider_id": "dinh-danh", "object_id": "1", "content_type_id": "1",
                 "app_label": "events", "url": "khong-co/"}
