"""The dossier lifecycle as the law and the one-stop desk know it."""
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.dossiers import services
from tinhso.dossiers.models import Apology, Dossier, DossierEvent, Handover
from tinhso.dossiers.states import State, TransitionNotAllowed

from .conftest import pdf, vn

pytestmark = pytest.mark.django_db


def submit(citizen, proc, agency, form, files, at=None, token=None):
    return services.dossier_submit_online(actor=citizen, procedure=proc, agency=agency, form_data=form,
                                          files=files(), at=at, submit_token=token)


def test_received_friday_13_02_2026_due_friday_27_02_2026(citizen_a, birth_procedure, agency_x, staff_x,
                                                          good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files, at=vn(2026, 2, 13, 9, 0))
    assert d.state == State.SUBMITTED and d.code is None
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 2, 13, 10, 0))
    assert re.fullmatch(r"000\.31\.19\.H55-260213-0001", d.code)
    assert d.due_at == vn(2026, 2, 27, 10, 0)  # Tết (14/02–22/02/2026) counted out
    steps = list(d.steps.order_by("order"))
    assert [s.kind for s in steps] == ["receive", "process", "approve", "return"]
    assert steps[-1].due_at == d.due_at
    assert all(a.due_at <= b.due_at for a, b in zip(steps, steps[1:]))
    assert steps[1].status == "active" and d.current_step == 2
    ev = list(d.events.values_list("action", "from_state", "to_state"))
    assert ev == [("submit", None, 1), ("receive", 1, 2)]


def test_paused_two_working_days_is_due_two_working_days_later(citizen_a, birth_procedure, agency_x, staff_x,
                                                               good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files, at=vn(2026, 2, 13, 9, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 2, 13, 10, 0))
    d = services.dossier_request_supplement(actor=staff_x["specialist"], dossier=d, reason="Thiếu giấy chứng sinh bản rõ nét",
                                            items=[{"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}],
                                            at=vn(2026, 2, 25, 10, 0))
    assert d.state == State.SUPPLEMENT and d.paused_at is not None
    d = services.dossier_supply(actor=citizen_a, dossier=d, files={"giay_chung_sinh": [pdf("ro-net.pdf")]},
                                at=vn(2026, 2, 27, 10, 0))
    assert d.state == State.PROCESSING
    assert d.due_at == vn(2026, 3, 3, 10, 0)  # Fri 27/02 10:00 + 2 working days (Sat, Sun off)
    assert d.components.filter(supplement_round=1, key="giay_chung_sinh").count() == 1


def test_full_journey_to_result_and_rating(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files, at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 30))
    d = services.dossier_submit_for_approval(actor=staff_x["specialist"], dossier=d, note="Đủ điều kiện",
                                             at=vn(2026, 3, 3, 9, 0))
    d = services.dossier_approve(actor=staff_x["leader"], dossier=d, at=vn(2026, 3, 3, 14, 0))
    assert d.state == State.FINISHED and d.result_file
    assert d.result_file.read(5) == b"%PDF-"
    d = services.dossier_return_result(actor=staff_x["receiver"], dossier=d, method="online", at=vn(2026, 3, 3, 15, 0))
    assert d.state == State.RETURNED
    rating = services.dossier_rate(actor=citizen_a, dossier=d, level="satisfied", criteria={"thai_do": 5})
    assert rating.level == "satisfied"
    slip = list(Handover.objects.filter(dossier=d).values_list("step", "timeliness"))
    assert [s for s, _ in slip] == [1, 2, 3, 4]
    assert all(t in ("early", "on_time") for _, t in slip)
    with pytest.raises(ValidationError):
        services.dossier_rate(actor=citizen_a, dossier=d, level="satisfied")


def test_refusal_needs_a_reason_and_closes(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files)
    with pytest.raises(ValidationError):
        services.dossier_refuse(actor=staff_x["receiver"], dossier=d, reason="  ")
    d.refresh_from_db()
    assert d.state == State.SUBMITTED
    d = services.dossier_refuse(actor=staff_x["receiver"], dossier=d, reason="Không thuộc thẩm quyền của xã")
    assert d.state == State.REFUSED and d.code is None


def test_action_not_allowed_in_state_changes_nothing(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files)
    events = DossierEvent.objects.count()
    with pytest.raises(TransitionNotAllowed) as exc:
        services.dossier_approve(actor=staff_x["leader"], dossier=d)
    assert "Mới đăng ký" in str(exc.value)
    d.refresh_from_db()
    assert d.state == State.SUBMITTED and DossierEvent.objects.count() == events


@pytest.mark.parametrize("who", ["receiver_y", "specialist_x", "citizen_b", "owner"])
def test_reception_refused_to_anyone_but_this_agencys_receiver(who, citizen_a, citizen_b, birth_procedure, agency_x,
                                                               staff_x, staff_y, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files)
    actor = {"receiver_y": staff_y["receiver"], "specialist_x": staff_x["specialist"], "citizen_b": citizen_b,
             "owner": citizen_a}[who]
    events = DossierEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.dossier_receive(actor=actor, dossier=d)
    d.refresh_from_db()
    assert d.state == State.SUBMITTED and d.code is None and DossierEvent.objects.count() == events


def test_only_the_leader_approves(citizen_a, birth_procedure, agency_x, staff_x, staff_y, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files)
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d)
    d = services.dossier_submit_for_approval(actor=staff_x["specialist"], dossier=d)
    for actor in (staff_x["specialist"], staff_x["receiver"], staff_y["leader"], citizen_a):
        with pytest.raises(PermissionDenied):
            services.dossier_approve(actor=actor, dossier=d)
    d.refresh_from_db()
    assert d.state == State.PROCESSING and not d.result_file


def test_only_the_owner_withdraws(citizen_a, citizen_b, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files)
    for actor in (citizen_b, staff_x["receiver"]):
        with pytest.raises(PermissionDenied):
            services.dossier_withdraw(actor=actor, dossier=d)
    d.refresh_from_db()
    assert d.state == State.SUBMITTED
    d = services.dossier_withdraw(actor=citizen_a, dossier=d, reason="Nộp nhầm")
    assert d.state == State.WITHDRAWN


def test_apology_gives_one_new_appointment_only(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files, at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 0))
    first_due = d.due_at
    d = services.dossier_apologize(actor=staff_x["specialist"], dossier=d, reason="Chờ xác minh",
                                   new_due_at=vn(2026, 3, 12, 10, 0))
    assert d.due_at == vn(2026, 3, 12, 10, 0) and Apology.objects.get(dossier=d).previous_due_at == first_due
    with pytest.raises(ValidationError) as exc:
        services.dossier_apologize(actor=staff_x["leader"], dossier=d, reason="Lần hai", new_due_at=vn(2026, 3, 20, 10, 0))
    assert "một lần" in " ".join(exc.value.messages)
    d.refresh_from_db()
    assert d.due_at == vn(2026, 3, 12, 10, 0)


def test_payment_pauses_and_resumes_with_vietqr(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = submit(citizen_a, birth_procedure, agency_x, good_form, good_files, at=vn(2026, 3, 2, 8, 0))
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=d, at=vn(2026, 3, 2, 8, 0))
    due = d.due_at
    d = services.dossier_request_payment(actor=staff_x["specialist"], dossier=d, amount=8000, at=vn(2026, 3, 3, 8, 0))
    req = d.payment_requests.get()
    assert d.state == State.PAYMENT and req.qr_payload.startswith("000201") and "5404" + "8000" in req.qr_payload
    d = services.dossier_pay(actor=citizen_a, dossier=d, reference="FT26062123456", at=vn(2026, 3, 4, 8, 0))
    assert d.state == State.PROCESSING and d.due_at == vn(2026, 3, 10, 8, 0) and d.due_at > due


class TestBadInput:
    def test_executable_renamed_pdf_is_refused_and_nothing_saved(self, citizen_a, birth_procedure, agency_x, good_form):
        exe = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, content_type="application/pdf")
        with pytest.raises(ValidationError) as exc:
            services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                           form_data=good_form, files={"to_khai": [exe], "giay_chung_sinh": [pdf()]})
        assert "component_to_khai" in exc.value.message_dict
        assert "không phải là PDF" in exc.value.message_dict["component_to_khai"][0]
        assert Dossier.objects.count() == 0

    def test_file_over_the_limit_is_refused(self, citizen_a, birth_procedure, agency_x, good_form, settings):
        from tinhso.dossiers import uploads

        big = SimpleUploadedFile("lon.pdf", b"%PDF-" + b"0" * (uploads.MAX_UPLOAD_BYTES + 10))
        with pytest.raises(ValidationError) as exc:
            services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                           form_data=good_form, files={"to_khai": [big], "giay_chung_sinh": [pdf()]})
        assert "MB" in exc.value.message_dict["component_to_khai"][0]
        assert Dossier.objects.count() == 0

    def test_missing_required_field_and_paper(self, citizen_a, birth_procedure, agency_x):
        with pytest.raises(ValidationError) as exc:
            services.dossier_submit_online(actor=citizen_a, procedure=birth_procedure, agency=agency_x,
                                           form_data={"ngay_sinh_tre": "31/02/2026"}, files={})
        errors = exc.value.message_dict
        assert "ho_ten_tre" in errors and "ngay_sinh_tre" in errors
        assert Dossier.objects.count() == 0

    def test_same_form_submitted_twice_is_one_dossier(self, citizen_a, birth_procedure, agency_x, good_form, good_files):
        submit(citizen_a, birth_procedure, agency_x, good_form, good_files, token="tok-123")
        with pytest.raises(ValidationError) as exc:
            submit(citizen_a, birth_procedure, agency_x, good_form, good_files, token="tok-123")
        assert exc.value.code == "duplicate"
        assert Dossier.objects.count() == 1
