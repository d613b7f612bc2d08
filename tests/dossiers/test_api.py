"""The dossiers HTTP API (/api/v1/): the same rules as the services, for apps and other systems."""
import json

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierEvent, Rating, Warning
from tinhso.dossiers.states import State

from .conftest import pdf

pytestmark = pytest.mark.django_db

API = "/api/v1"


def login(user) -> Client:
    client = Client()
    if user.kind == "official":
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client


def post_json(client, path, body=None):
    return client.post(API + path, data=json.dumps(body or {}), content_type="application/json")


def snapshot(dossier):
    dossier.refresh_from_db()
    return dossier.state, DossierEvent.objects.filter(dossier=dossier).count(), dossier.due_at, dossier.assignee_id


@pytest.fixture
def dossier_x(citizen_a, birth_procedure, agency_x, good_form, good_files):
    return services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                          form_data=good_form, files=good_files())


@pytest.fixture
def received_x(dossier_x, staff_x):
    return services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)


def submit_body(proc, agency, form_data, **extra):
    body = {"procedure": proc.code, "agency": str(agency.pk), "form": json.dumps(form_data),
            "component_to_khai": pdf("to-khai.pdf"), "component_giay_chung_sinh": pdf("chung-sinh.pdf"),
            "return_method": "online"}
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


# --- the journey ----------------------------------------------------------------------------------

def test_full_journey_through_the_api(citizen_a, staff_x, birth_procedure, agency_x, good_form):
    citizen = login(citizen_a)
    r = citizen.post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form, submit_token="t-1"))
    assert r.status_code == 201, r.content
    d = r.json()
    pk = d["id"]
    assert d["state"] == State.SUBMITTED and d["code"] is None
    assert sorted(c["key"] for c in d["components"]) == ["giay_chung_sinh", "to_khai"]
    assert "withdraw" in d["actions"] and "receive" not in d["actions"]

    receiver, specialist, leader = (login(staff_x[r]) for r in ("receiver", "specialist", "leader"))
    assert "receive" in receiver.get(f"{API}/dossiers/{pk}").json()["actions"]
    r = post_json(receiver, f"/dossiers/{pk}/receive", {"note": "Đủ giấy tờ"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.RECEIVED and r.json()["code"].startswith(agency_x.code)
    assert r.json()["due_at"] is not None

    receipt = receiver.get(f"{API}/dossiers/{pk}/documents/receipt")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt["Content-Disposition"].startswith("attachment") and receipt.content[:5] == b"%PDF-"

    r = post_json(specialist, f"/dossiers/{pk}/submit-approval", {"note": "Đủ điều kiện"})
    assert r.status_code == 200, r.content
    assert "approve" in leader.get(f"{API}/dossiers/{pk}").json()["actions"]
    r = leader.post(f"{API}/dossiers/{pk}/approve", data={"note": "Đồng ý"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.FINISHED and r.json()["has_result"]
    r = post_json(receiver, f"/dossiers/{pk}/return", {"method": "online"})
    assert r.status_code == 200 and r.json()["state"] == State.RETURNED

    result = citizen.get(f"{API}/dossiers/{pk}/result")
    assert result.status_code == 200 and result.content[:5] == b"%PDF-"
    assert result["Content-Disposition"].startswith("attachment")
    assert "rate" in citizen.get(f"{API}/dossiers/{pk}").json()["actions"]
    r = post_json(citizen, f"/dossiers/{pk}/rate", {"level": "satisfied", "criteria": {"thai_do": 5}})
    assert r.status_code == 200 and r.json()["rating"] == "satisfied"
    actions = [e["action"] for e in r.json()["events"]]
    assert actions == ["submit", "receive", "submit_approval", "approve", "return", "rate"]
    again = post_json(citizen, f"/dossiers/{pk}/rate", {"level": "unsatisfied"})
    assert again.status_code == 400 and Rating.objects.get(dossier_id=pk).level == "satisfied"


def test_same_submit_token_twice_is_one_dossier(citizen_a, birth_procedure, agency_x, good_form):
    citizen = login(citizen_a)
    first = citizen.post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form, submit_token="x1"))
    second = citizen.post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form, submit_token="x1"))
    assert first.status_code == 201 and second.status_code == 400
    assert Dossier.objects.filter(applicant=citizen_a).count() == 1


def test_supplement_and_payment_pause_then_resume(received_x, citizen_a, staff_x):
    pk = received_x.pk
    specialist, citizen = login(staff_x["specialist"]), login(citizen_a)
    r = post_json(specialist, f"/dossiers/{pk}/request-supplement",
                  {"reason": "Giấy chứng sinh không rõ", "items": [{"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}]})
    assert r.status_code == 200 and r.json()["state"] == State.SUPPLEMENT
    assert r.json()["timeliness"] == "paused"
    sheet = citizen.get(f"{API}/dossiers/{pk}/documents/supplement")
    assert sheet.status_code == 200 and sheet.content[:5] == b"%PDF-"
    r = citizen.post(f"{API}/dossiers/{pk}/supply", data={"note": "Bản rõ nét", "component_giay_chung_sinh": pdf("ro.pdf")})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.PROCESSING
    assert any(c["supplement_round"] == 1 for c in r.json()["components"])
    r = post_json(specialist, f"/dossiers/{pk}/request-payment", {"amount": 8000, "purpose": "Lệ phí"})
    assert r.status_code == 200 and r.json()["state"] == State.PAYMENT
    assert r.json()["payment_requests"][0]["qr_payload"]
    r = post_json(citizen, f"/dossiers/{pk}/pay", {"reference": "FT2603"})
    assert r.status_code == 200 and r.json()["state"] == State.PROCESSING


def test_desk_registration_creates_a_received_dossier(staff_x, citizen_a, birth_procedure, good_form):
    r = login(staff_x["receiver"]).post(API + "/desk/dossiers", data={
        "procedure": birth_procedure.code, "channel": "1", "applicant_name": "Lê Văn Cường",
        "applicant_cccd": citizen_a.cccd, "form": json.dumps(good_form),
        "component_to_khai": pdf(), "counted": json.dumps({"giay_chung_sinh": {"originals": 1}})})
    assert r.status_code == 201, r.content
    d = Dossier.objects.get(pk=r.json()["id"])
    assert d.state == State.RECEIVED and d.code and d.applicant == citizen_a
    assert r.json()["channel"] == 1


def test_desk_registration_refused_to_anonymous_citizen_and_specialist(staff_x, citizen_a, birth_procedure,
                                                                      good_form):
    body = {"procedure": birth_procedure.code, "applicant_name": "Lê Văn Cường", "form": json.dumps(good_form)}
    assert Client().post(API + "/desk/dossiers", data=body).status_code == 401
    assert login(citizen_a).post(API + "/desk/dossiers", data=body).status_code == 403
    assert login(staff_x["specialist"]).post(API + "/desk/dossiers", data=body).status_code == 403
    assert Dossier.objects.count() == 0


# --- lists, counts, warnings ----------------------------------------------------------------------

def test_lists_show_each_caller_only_their_dossiers(dossier_x, citizen_b, staff_x, staff_y, birth_procedure,
                                                    agency_y, good_form, good_files):
    other = services.dossier_submit_online(actor=citizen_b, procedure=birth_procedure, agency=agency_y,
                                           form_data=good_form, files=good_files())
    ids = lambda r: [d["id"] for d in r.json()["items"]]  # noqa: E731
    assert ids(login(citizen_b).get(API + "/dossiers")) == [other.pk]
    assert ids(login(staff_x["receiver"]).get(API + "/dossiers?box=new")) == [dossier_x.pk]
    assert ids(login(staff_y["receiver"]).get(API + "/dossiers")) == [other.pk]
    assert ids(login(staff_x["receiver"]).get(API + "/dossiers?q=nguyen van an")) == [dossier_x.pk]
    assert ids(login(staff_x["receiver"]).get(API + "/dossiers?q=tran thi binh")) == []
    assert login(staff_x["receiver"]).get(API + "/dossiers?box=khong-co").status_code == 404
    assert Client().get(API + "/dossiers").status_code == 401


def test_inbox_counts_for_officials_only(dossier_x, staff_x, staff_y, citizen_a):
    assert login(staff_x["receiver"]).get(API + "/inbox/counts").json()["new"] == 1
    assert login(staff_y["receiver"]).get(API + "/inbox/counts").json()["new"] == 0
    assert login(citizen_a).get(API + "/inbox/counts").status_code == 403
    assert Client().get(API + "/inbox/counts").status_code == 401


def test_warnings_list_only_own_and_mark_read(received_x, staff_x, citizen_a):
    mine = Warning.objects.create(dossier=received_x, kind="late", recipient=staff_x["specialist"],
                                  created_at=timezone.now(), due_at=received_x.due_at)
    other = Warning.objects.create(dossier=received_x, kind="due_soon", recipient=staff_x["leader"],
                                   created_at=timezone.now(), due_at=received_x.due_at)
    specialist = login(staff_x["specialist"])
    assert [w["id"] for w in specialist.get(API + "/warnings").json()] == [mine.pk]
    assert post_json(specialist, f"/warnings/{other.pk}/read").status_code == 404
    assert post_json(login(citizen_a), f"/warnings/{mine.pk}/read").status_code == 404
    assert post_json(Client(), f"/warnings/{mine.pk}/read").status_code == 401
    other.refresh_from_db()
    assert other.read_at is None
    r = post_json(specialist, f"/warnings/{mine.pk}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert login(citizen_a).get(API + "/warnings").status_code == 403


# --- public tracking and OpenAPI ------------------------------------------------------------------

def test_track_shows_progress_without_personal_data(received_x):
    r = Client().get(f"{API}/track/{received_x.code}")
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == State.RECEIVED and body["state_label"] == "Được tiếp nhận"
    assert [s["status"] for s in body["steps"]][:2] == ["done", "active"]
    text = r.content.decode()
    for personal in ("Nguyễn Văn An", "019090001234", "0912345678", "@dan.test", "Nguyễn Minh Khôi", "applicant"):
        assert personal not in text


def test_track_unknown_code_is_404(dossier_x):
    r = Client().get(f"{API}/track/KHONG-CO-MA")
    assert r.status_code == 404 and "Không tìm thấy" in r.json()["detail"]


def test_openapi_lists_every_dossier_path():
    paths = Client().get("/api/openapi.json").json()["paths"]
    for p in ["/track/{code}", "/dossiers", "/dossiers/{pk}", "/desk/dossiers", "/inbox/counts", "/warnings",
              "/warnings/{warning_id}/read", "/dossiers/{pk}/documents/{kind}", "/dossiers/{pk}/result"] + [
              f"/dossiers/{{pk}}/{a}" for a in ("receive", "refuse", "assign", "forward", "submit-approval",
                                                 "request-supplement", "supply", "request-payment", "pay",
                                                 "withdraw", "stop", "approve", "return", "apologize", "rate",
                                                 "complain")]:
        assert API + p in paths, p
    receive = paths[API + "/dossiers/{pk}/receive"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(receive["responses"])


# --- nobody else can touch a dossier --------------------------------------------------------------

DOSSIER_ENDPOINTS = [
    ("get", "", None), ("get", "/documents/receipt", None), ("get", "/documents/control-slip", None),
    ("get", "/result", None),
    ("post", "/receive", {}), ("post", "/refuse", {"reason": "Sai thẩm quyền"}), ("post", "/assign", {"assignee": 1}),
    ("post", "/forward", {"assignee": 1}), ("post", "/submit-approval", {}),
    ("post", "/request-supplement", {"reason": "Thiếu giấy", "items": []}), ("multipart", "/supply", {"note": "Đây"}),
    ("post", "/request-payment", {"amount": 8000}), ("post", "/pay", {"reference": "FT1"}),
    ("post", "/withdraw", {"reason": "Không cần nữa"}), ("post", "/stop", {"reason": "Dừng"}),
    ("multipart", "/approve", {"note": "Đồng ý"}), ("post", "/return", {}),
    ("post", "/apologize", {"reason": "Chậm", "new_due_at": "2030-01-01T10:00:00+07:00"}),
    ("post", "/rate", {"level": "satisfied"}), ("post", "/complain", {"text": "Chậm quá"}),
]


def call(client, method, path, body):
    if method == "get":
        return client.get(path)
    if method == "multipart":
        return client.post(path, data=body)
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("method,suffix,body", DOSSIER_ENDPOINTS, ids=[e[1] or "/" for e in DOSSIER_ENDPOINTS])
@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "other_agency_receiver", "other_agency_leader"])
def test_strangers_get_nothing_and_change_nothing(received_x, citizen_b, staff_y, method, suffix, body, who):
    client = {"anonymous": lambda: Client(), "other_citizen": lambda: login(citizen_b),
              "other_agency_receiver": lambda: login(staff_y["receiver"]),
              "other_agency_leader": lambda: login(staff_y["leader"])}[who]()
    before = snapshot(received_x)
    r = call(client, method, f"{API}/dossiers/{received_x.pk}{suffix}", body)
    assert r.status_code == (401 if who == "anonymous" else 404)
    assert "Nguyễn Văn An" not in r.content.decode()
    assert snapshot(received_x) == before


@pytest.mark.parametrize("method,suffix,body", [e for e in DOSSIER_ENDPOINTS if e[0] != "get"],
                         ids=[e[1] for e in DOSSIER_ENDPOINTS if e[0] != "get"])
def test_owner_and_wrong_role_cannot_take_others_actions(received_x, citizen_a, staff_x, method, suffix, body):
    """The citizen may only take citizen actions, officials only official ones: 403/409, nothing changes."""
    citizen_actions = {"/supply", "/pay", "/withdraw", "/rate", "/complain"}
    actor = staff_x["specialist"] if suffix in citizen_actions else citizen_a
    before = snapshot(received_x)
    r = call(login(actor), method, f"{API}/dossiers/{received_x.pk}{suffix}", body)
    assert r.status_code == 403, (suffix, r.content)
    assert r.json()["detail"]
    assert snapshot(received_x) == before


# --- bad input changes nothing --------------------------------------------------------------------

def test_missing_form_field_is_400_naming_it(citizen_a, birth_procedure, agency_x):
    r = login(citizen_a).post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, {"ngay_sinh_tre": "01/02/2026"}))
    assert r.status_code == 400
    assert "ho_ten_tre" in [e["field"] for e in r.json()["errors"]]
    assert Dossier.objects.count() == 0


def test_missing_procedure_and_bad_form_json_are_400(citizen_a, birth_procedure, agency_x, good_form):
    citizen = login(citizen_a)
    r = citizen.post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form, procedure=""))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "procedure"
    r = citizen.post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form, form="{không phải json"))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "form"
    assert Dossier.objects.count() == 0


def test_official_cannot_submit_online(staff_x, birth_procedure, agency_x, good_form):
    r = login(staff_x["receiver"]).post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form))
    assert r.status_code == 403 and Dossier.objects.count() == 0


def test_exe_renamed_pdf_is_refused_by_content(citizen_a, birth_procedure, agency_x, good_form):
    exe = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")
    r = login(citizen_a).post(API + "/dossiers", data=submit_body(birth_procedure, agency_x, good_form,
                                                                  component_to_khai=exe))
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == "component_to_khai" and "kiểm tra nội dung" in err["message"]
    assert Dossier.objects.count() == 0


def test_exe_renamed_pdf_as_result_changes_nothing(received_x, staff_x):
    post_json(login(staff_x["specialist"]), f"/dossiers/{received_x.pk}/submit-approval", {})
    before = snapshot(received_x)
    exe = SimpleUploadedFile("ket-qua.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    r = login(staff_x["leader"]).post(f"{API}/dossiers/{received_x.pk}/approve", data={"result_file": exe})
    assert r.status_code == 400 and "PDF" in r.json()["detail"]
    assert snapshot(received_x) == before


@pytest.mark.parametrize("amount", [-5000, 0, None])
def test_non_positive_amount_is_400_and_changes_nothing(received_x, staff_x, amount):
    before = snapshot(received_x)
    r = post_json(login(staff_x["specialist"]), f"/dossiers/{received_x.pk}/request-payment", {"amount": amount})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "amount"
    assert "số nguyên dương" in r.json()["detail"]
    assert snapshot(received_x) == before


def test_refuse_without_reason_is_400(dossier_x, staff_x):
    before = snapshot(dossier_x)
    r = post_json(login(staff_x["receiver"]), f"/dossiers/{dossier_x.pk}/refuse", {"reason": "  "})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"
    assert snapshot(dossier_x) == before


def test_action_not_allowed_in_state_is_409_in_vietnamese(received_x, staff_x, citizen_a):
    before = snapshot(received_x)
    r = post_json(login(staff_x["receiver"]), f"/dossiers/{received_x.pk}/receive")
    assert r.status_code == 409
    assert r.json()["detail"] == "Không thể “Tiếp nhận hồ sơ” khi hồ sơ đang ở trạng thái “Được tiếp nhận”."
    r = post_json(login(citizen_a), f"/dossiers/{received_x.pk}/pay", {"reference": "FT1"})
    assert r.status_code == 409 and "Không thể" in r.json()["detail"]
    assert snapshot(received_x) == before


def test_apologize_without_new_date_names_the_field(received_x, staff_x):
    before = snapshot(received_x)
    r = post_json(login(staff_x["leader"]), f"/dossiers/{received_x.pk}/apologize", {"reason": "Chậm"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "new_due_at"
    assert snapshot(received_x) == before


def test_documents_not_yet_issued_are_404(dossier_x, staff_x):
    receiver = login(staff_x["receiver"])
    for kind in ("receipt", "refusal", "apology", "supplement", "control-slip", "khong-co"):
        assert receiver.get(f"{API}/dossiers/{dossier_x.pk}/documents/{kind}").status_code == 404, kind
    assert receiver.get(f"{API}/dossiers/{dossier_x.pk}/result").status_code == 404


def test_actions_without_options_need_no_body(dossier_x, staff_x):
    r = login(staff_x["receiver"]).post(f"{API}/dossiers/{dossier_x.pk}/receive", content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.RECEIVED
    r = login(staff_x["specialist"]).post(f"{API}/dossiers/{dossier_x.pk}/submit-approval",
                                          content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == State.PROCESSING
