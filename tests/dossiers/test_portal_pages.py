"""The citizen portal pages: submitting online, following one's own dossiers, acting on them, and the
public tracking page (which must never show personal data)."""
from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.dossiers import services
from tinhso.dossiers.models import (
    Complaint,
    Dossier,
    DossierComponent,
    DossierEvent,
    PaperUpload,
    PaymentRequest,
    Rating,
    SupplementRequest,
)
from tinhso.dossiers.states import State

from .conftest import pdf

pytestmark = pytest.mark.django_db

SUCCESS = "Hồ sơ đã được gửi, đang chờ tiếp nhận"


def submit_data(agency, *, token="tok-1", form=None, files=None):
    form = {"ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh_tre": "01/02/2026"} if form is None else form
    data = {f"tk-{k}": v for k, v in form.items()}
    data.update({"co_quan": str(agency.pk), "hinh_thuc_nhan": "online", "submit_token": token})
    if files is None:
        files = {"to_khai": pdf("to-khai.pdf"), "giay_chung_sinh": pdf("chung-sinh.pdf")}
    data.update({f"tep_{k}": v for k, v in files.items()})
    return data


def with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


def submitted(citizen, proc, agency, good_form, good_files, token=None):
    return services.dossier_submit_online(actor=citizen, procedure=proc, agency=agency, form_data=good_form,
                                          files=good_files(), submit_token=token)


def received(citizen, proc, agency, staff, good_form, good_files):
    d = submitted(citizen, proc, agency, good_form, good_files)
    return services.dossier_receive(actor=staff["receiver"], dossier=d)


def in_state(state: str, citizen, proc, agency, staff, good_form, good_files) -> Dossier:
    """A dossier of `citizen` brought by the officials to the state in which the citizen can act."""
    d = received(citizen, proc, agency, staff, good_form, good_files)
    if state == "supplement":
        d = services.dossier_request_supplement(actor=staff["specialist"], dossier=d, reason="Ảnh giấy chứng sinh bị mờ",
                                                items=[{"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}])
    elif state == "payment":
        d = services.dossier_request_payment(actor=staff["specialist"], dossier=d, amount=8000)
    elif state == "finished":
        d = services.dossier_submit_for_approval(actor=staff["specialist"], dossier=d)
        d = services.dossier_approve(actor=staff["leader"], dossier=d)
    return Dossier.objects.get(pk=d.pk)


# --- 1. submission ----------------------------------------------------------------------------------

def test_submit_page_shows_essentials_form_components_and_a_token(client, citizen_a, birth_procedure, agency_x, agency_y):
    citizen_a.commune = agency_y.commune
    citizen_a.save()
    client.force_login(citizen_a)
    r = client.get(reverse("web:dossier_submit", args=[birth_procedure.code]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "5 ngày làm việc" in html
    assert "Họ, chữ đệm, tên của trẻ" in html and 'name="tk-ngay_sinh_tre"' in html
    assert 'name="tep_to_khai"' in html and 'accept=".pdf,application/pdf"' in html
    assert "Giấy chứng sinh" in html and "1 bản chính" in html
    assert f'<option value="{agency_y.pk}" selected>' in html  # the citizen's own commune
    token = r.context["choices"]["submit_token"].value()
    assert token and len(token) >= 32
    assert client.get(reverse("web:dossier_submit", args=[birth_procedure.code])).context["choices"][
        "submit_token"].value() != token


def test_submit_page_prefills_from_the_profile(client, citizen_a, birth_procedure, agency_x):
    from tinhso.catalog.models import FormField

    FormField.objects.create(procedure=birth_procedure, position=3, key="so_cccd", label="Số CCCD người yêu cầu",
                             type="cccd", required=True)
    client.force_login(citizen_a)
    r = client.get(reverse("web:dossier_submit", args=[birth_procedure.code]))
    assert 'value="019090001234"' in r.content.decode()


def test_anonymous_is_sent_to_sign_in_and_back(client, birth_procedure):
    url = reverse("web:dossier_submit", args=[birth_procedure.code])
    r = client.get(url)
    assert r.status_code == 302 and reverse("account_login") in r["Location"] and "next=" in r["Location"]


def test_successful_submission_creates_one_dossier_in_state_1_with_its_papers(client, citizen_a, birth_procedure,
                                                                            agency_x, agency_y):
    client.force_login(citizen_a)
    r = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]), submit_data(agency_x), follow=True)
    d = Dossier.objects.get()
    assert r.redirect_chain[-1][0] == reverse("web:my_dossier", args=[d.pk])
    assert SUCCESS in r.content.decode()
    assert d.state == State.SUBMITTED and d.applicant == citizen_a and d.agency == agency_x
    assert d.form_data == {"ho_ten_tre": "Nguyễn Minh Khôi", "ngay_sinh_tre": "2026-02-01"}
    assert sorted(d.components.values_list("key", flat=True)) == ["giay_chung_sinh", "to_khai"]


def test_missing_field_shows_the_message_and_saves_nothing(client, citizen_a, birth_procedure, agency_x):
    client.force_login(citizen_a)
    data = submit_data(agency_x, form={"ngay_sinh_tre": "01/02/2026"})
    r = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]), data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "Hãy nhập “Họ, chữ đệm, tên của trẻ”" in html
    assert 'href="#id_tk-ho_ten_tre"' in html  # the error summary links to the field
    assert Dossier.objects.count() == 0 and DossierComponent.objects.count() == 0
    # The papers sent with the refused form are kept, ticked: the corrected form need not carry them again.
    kept = {u.original_filename: u for u in PaperUpload.objects.filter(owner=citizen_a)}
    assert set(kept) == {"to-khai.pdf", "chung-sinh.pdf"}
    assert "hãy chọn lại tệp" not in html and "Đã tải lên: to-khai.pdf" in html
    assert f'name="giay_to_khai" id="id_giay_to_khai_1" value="{kept["to-khai.pdf"].token}" checked' in html
    again = submit_data(agency_x, files={})
    again.update({"giay_to_khai": kept["to-khai.pdf"].token, "giay_giay_chung_sinh": kept["chung-sinh.pdf"].token})
    r = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]), again)
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert sorted(c.original_filename for c in d.components.all()) == ["chung-sinh.pdf", "to-khai.pdf"]
    assert not PaperUpload.objects.exists()


def test_papers_uploaded_ahead_are_named_by_their_ticked_boxes(client, citizen_a, citizen_b, birth_procedure,
                                                              agency_x):
    """What static/tinhso/js/papers.js sends: the uploads API's tokens in giay_<key>; an unticked paper is not sent,
    and another citizen's token is refused with its component named, saving nothing."""
    client.force_login(citizen_a)
    mine = [services.paper_upload(actor=citizen_a, upload=pdf(f"{n}.pdf")) for n in ("a", "b", "c")]
    theirs = services.paper_upload(actor=citizen_b, upload=pdf("x.pdf"))
    url = reverse("web:dossier_submit", args=[birth_procedure.code])
    data = submit_data(agency_x, files={})
    data.update({"giay_to_khai": theirs.token, "giay_giay_chung_sinh": mine[1].token})
    r = client.post(url, data)
    assert r.status_code == 200 and Dossier.objects.count() == 0
    assert "Hãy tải lên lại" in r.content.decode() and 'href="#id_tep_to_khai"' in r.content.decode()
    assert PaperUpload.objects.count() == 4
    data.update({"giay_to_khai": mine[1].token})  # one paper ticked for two components
    r = client.post(url, data)
    assert r.status_code == 200 and Dossier.objects.count() == 0 and PaperUpload.objects.count() == 4
    assert "chỉ dùng được cho một thành phần" in r.content.decode()
    data.update({"giay_to_khai": mine[0].token})
    r = client.post(url, data)
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert sorted(c.original_filename for c in d.components.all()) == ["a.pdf", "b.pdf"]
    assert set(PaperUpload.objects.values_list("token", flat=True)) == {mine[2].token, theirs.token}


def test_executable_renamed_pdf_is_refused_and_nothing_saved(client, citizen_a, birth_procedure, agency_x):
    client.force_login(citizen_a)
    exe = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    data = submit_data(agency_x, files={"to_khai": exe, "giay_chung_sinh": pdf()})
    r = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]), data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "không phải là PDF" in html and 'href="#id_tep_to_khai"' in html
    assert Dossier.objects.count() == 0 and DossierComponent.objects.count() == 0 and DossierEvent.objects.count() == 0


def test_missing_mandatory_paper_is_named(client, citizen_a, birth_procedure, agency_x):
    client.force_login(citizen_a)
    r = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]),
                    submit_data(agency_x, files={"to_khai": pdf()}))
    assert "Hãy đính kèm “Giấy chứng sinh”" in r.content.decode()
    assert Dossier.objects.count() == 0


def test_the_same_form_sent_twice_is_one_dossier(client, citizen_a, birth_procedure, agency_x):
    client.force_login(citizen_a)
    url = reverse("web:dossier_submit", args=[birth_procedure.code])
    first = client.post(url, submit_data(agency_x, token="same-token"))
    second = client.post(url, submit_data(agency_x, token="same-token"))
    d = Dossier.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("web:my_dossier", args=[d.pk])


def test_an_official_cannot_submit_as_a_citizen(client, staff_x, birth_procedure, agency_x):
    client.force_login(with_totp(staff_x["receiver"]))
    r = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]), submit_data(agency_x))
    assert r.status_code == 403 and Dossier.objects.count() == 0


# --- 2. my dossiers ----------------------------------------------------------------------------------

def test_my_dossiers_lists_only_mine(client, citizen_a, citizen_b, birth_procedure, agency_x, staff_x, good_form, good_files):
    mine = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    waiting = submitted(citizen_a, birth_procedure, agency_x, good_form, good_files)
    theirs = received(citizen_b, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    html = client.get(reverse("web:my_dossiers")).content.decode()
    assert mine.code in html and "chưa có mã" in html
    assert reverse("web:my_dossier", args=[waiting.pk]) in html
    assert theirs.code not in html and reverse("web:my_dossier", args=[theirs.pk]) not in html
    assert html.index(reverse("web:my_dossier", args=[waiting.pk])) < html.index(reverse("web:my_dossier", args=[mine.pk]))


def test_my_dossier_page_shows_state_steps_and_no_officials_names(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                                  good_form, good_files):
    d = in_state("supplement", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    html = client.get(reverse("web:my_dossier", args=[d.pk])).content.decode()
    assert "Yêu cầu bổ sung giấy tờ" in html and d.code in html
    assert "Ảnh giấy chứng sinh bị mờ" in html  # the reason of the request
    assert "Xử lý, thẩm định" in html  # the steps
    assert agency_x.name in html
    for official in staff_x.values():
        assert official.full_name not in html


# --- 3. who may see and act ----------------------------------------------------------------------------

ACTIONS = {
    "portal_supply": ("supplement", {"supply-note": "Đã chụp lại"}),
    "portal_pay": ("payment", {"pay-reference": "FT123456"}),
    "portal_withdraw": ("received", {"withdraw-reason": "Không cần nữa", "withdraw-confirm": "on"}),
    "portal_rate": ("finished", {"rate-level": "satisfied"}),
    "portal_complain": ("received", {"complain-text": "Chậm quá"}),
}


@pytest.fixture
def intruders(citizen_b, staff_y):
    return {"anonymous": None, "other_citizen": citizen_b, "official_other_agency": with_totp(staff_y["receiver"])}


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "official_other_agency"])
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_others_cannot_act_on_my_dossier(client, who, name, intruders, citizen_a, birth_procedure, agency_x, staff_x,
                                         good_form, good_files):
    state, data = ACTIONS[name]
    d = in_state(state, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    before = (d.state, d.events.count(), Rating.objects.count(), Complaint.objects.count())
    if intruders[who] is not None:
        client.force_login(intruders[who])
    r = client.post(reverse(f"web:{name}", args=[d.pk]), data)
    if who == "anonymous":
        assert r.status_code == 302 and reverse("account_login") in r["Location"]
    else:
        assert r.status_code == 404
    d.refresh_from_db()
    assert (d.state, d.events.count(), Rating.objects.count(), Complaint.objects.count()) == before


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "official_other_agency"])
def test_others_cannot_see_my_dossier_or_its_files(client, who, intruders, citizen_a, birth_procedure, agency_x, staff_x,
                                                   good_form, good_files):
    d = in_state("finished", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    comp = d.components.first()
    if intruders[who] is not None:
        client.force_login(intruders[who])
    urls = [reverse("web:my_dossier", args=[d.pk]), reverse("web:portal_component_file", args=[d.pk, comp.pk]),
            reverse("web:portal_result", args=[d.pk]), reverse("web:portal_document", args=[d.pk, "phieu-tiep-nhan"])]
    for url in urls:
        r = client.get(url)
        if who == "anonymous":
            assert r.status_code == 302 and reverse("account_login") in r["Location"]
        else:
            assert r.status_code == 404, url


def test_owner_downloads_papers_as_attachments(client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = in_state("finished", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    comp = d.components.get(key="to_khai")
    r = client.get(reverse("web:portal_component_file", args=[d.pk, comp.pk]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    r = client.get(reverse("web:portal_result", args=[d.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment")
    r = client.get(reverse("web:portal_document", args=[d.pk, "phieu-tiep-nhan"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert r["Content-Disposition"].startswith("attachment")


def test_no_result_download_before_the_result(client, citizen_a, birth_procedure, agency_x, good_form, good_files):
    d = submitted(citizen_a, birth_procedure, agency_x, good_form, good_files)
    client.force_login(citizen_a)
    assert client.get(reverse("web:portal_result", args=[d.pk])).status_code == 404
    assert client.get(reverse("web:portal_document", args=[d.pk, "phieu-tiep-nhan"])).status_code == 404


# --- 4. the citizen's actions --------------------------------------------------------------------------

def test_answering_a_supplement_request_resumes_the_dossier(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                            good_form, good_files):
    d = in_state("supplement", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    page = client.get(reverse("web:my_dossier", args=[d.pk])).content.decode()
    assert 'name="supply-tep_giay_chung_sinh"' in page
    r = client.post(reverse("web:portal_supply", args=[d.pk]),
                    {"supply-note": "Gửi lại ảnh rõ nét", "supply-tep_giay_chung_sinh": pdf("chung-sinh-moi.pdf")},
                    follow=True)
    assert "hồ sơ tiếp tục được xử lý" in r.content.decode()
    d.refresh_from_db()
    assert d.state == State.PROCESSING and d.paused_at is None
    req = SupplementRequest.objects.get(dossier=d)
    assert req.answered_at is not None and req.answer_note == "Gửi lại ảnh rõ nét"
    assert d.components.filter(key="giay_chung_sinh", supplement_round=1).count() == 1


def test_a_refused_supplement_answer_keeps_the_good_papers(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                          good_form, good_files):
    """A wrong paper is refused; the right one sent with it comes back ticked and need not be chosen again; a paper
    uploaded ahead (the page's script) is named by its box."""
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    d = services.dossier_request_supplement(actor=staff_x["specialist"], dossier=d, reason="Thiếu chữ ký, ảnh mờ",
                                            items=[{"key": "to_khai", "name": "Tờ khai"},
                                                   {"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}])
    components = d.components.count()
    client.force_login(citizen_a)
    exe = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    url = reverse("web:portal_supply", args=[d.pk])
    r = client.post(url, {"supply-note": "Gửi lại", "supply-tep_to_khai": exe,
                          "supply-tep_giay_chung_sinh": pdf("chung-sinh-ro.pdf")})
    html = r.content.decode()
    assert r.status_code == 200 and "không phải là PDF" in html
    d.refresh_from_db()
    assert d.state == State.SUPPLEMENT and d.components.count() == components
    kept = PaperUpload.objects.get(owner=citizen_a)
    assert kept.original_filename == "chung-sinh-ro.pdf"
    assert f'name="supply-giay_giay_chung_sinh" id="id_supply-giay_giay_chung_sinh_1" value="{kept.token}" checked' in html
    ahead = services.paper_upload(actor=citizen_a, upload=pdf("to-khai-dung.pdf"))
    r = client.post(url, {"supply-note": "Gửi lại", "supply-giay_to_khai": ahead.token,
                          "supply-giay_giay_chung_sinh": kept.token}, follow=True)
    assert "hồ sơ tiếp tục được xử lý" in r.content.decode()
    d.refresh_from_db()
    assert d.state == State.PROCESSING
    assert sorted(d.components.filter(supplement_round=1).values_list("original_filename", flat=True)) == [
        "chung-sinh-ro.pdf", "to-khai-dung.pdf"]
    assert not PaperUpload.objects.exists()


def test_an_empty_supplement_answer_changes_nothing(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                    good_form, good_files):
    d = in_state("supplement", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    events = d.events.count()
    client.force_login(citizen_a)
    r = client.post(reverse("web:portal_supply", args=[d.pk]), {"supply-note": ""})
    assert r.status_code == 200
    assert "Hãy đính kèm giấy tờ được yêu cầu bổ sung hoặc ghi nội dung trả lời." in r.content.decode()
    d.refresh_from_db()
    assert d.state == State.SUPPLEMENT and d.events.count() == events


def test_paying_shows_the_vietqr_and_records_the_reference(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                           good_form, good_files, settings):
    d = in_state("payment", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    html = client.get(reverse("web:my_dossier", args=[d.pk])).content.decode()
    assert "8.000 đồng" in html and settings.PAYMENT_ACCOUNT_NUMBER in html and "<svg" in html
    assert "<?xml" not in html
    r = client.post(reverse("web:portal_pay", args=[d.pk]), {"pay-reference": ""})
    assert r.status_code == 200 and "Hãy nhập mã giao dịch chuyển khoản." in r.content.decode()
    d.refresh_from_db()
    assert d.state == State.PAYMENT
    r = client.post(reverse("web:portal_pay", args=[d.pk]), {"pay-reference": "FT2602130001"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == State.PROCESSING and d.paid_at is not None
    assert PaymentRequest.objects.get(dossier=d).payment_reference == "FT2602130001"


def test_rating_after_the_result(client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = in_state("finished", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    page = client.get(reverse("web:my_dossier", args=[d.pk])).content.decode()
    assert "Không phải đi lại nhiều lần" in page and 'name="rate-level"' in page
    r = client.post(reverse("web:portal_rate", args=[d.pk]),
                    {"rate-level": "acceptable", "rate-criteria": ["dung_hen", "khong_di_lai"], "rate-comment": "Nhanh"})
    assert r.status_code == 302
    rating = Rating.objects.get(dossier=d)
    assert rating.level == "acceptable" and rating.comment == "Nhanh"
    assert rating.criteria == {"dung_hen": True, "thai_do": False, "khong_di_lai": True, "huong_dan": False}
    assert 'name="rate-level"' not in client.get(reverse("web:my_dossier", args=[d.pk])).content.decode()


def test_rating_without_a_level_is_refused(client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = in_state("finished", citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    r = client.post(reverse("web:portal_rate", args=[d.pk]), {"rate-comment": "?"})
    assert r.status_code == 200 and "Hãy chọn mức" in r.content.decode()
    assert not Rating.objects.exists()


def test_withdrawal_needs_confirmation(client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    r = client.post(reverse("web:portal_withdraw", args=[d.pk]), {"withdraw-reason": "Nộp nhầm"})
    assert r.status_code == 200 and "xác nhận" in r.content.decode()
    d.refresh_from_db()
    assert d.state == State.RECEIVED
    r = client.post(reverse("web:portal_withdraw", args=[d.pk]), {"withdraw-reason": "Nộp nhầm", "withdraw-confirm": "on"})
    d.refresh_from_db()
    assert r.status_code == 302 and d.state == State.WITHDRAWN and d.state_note == "Nộp nhầm"


def test_complaint_about_my_dossier(client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    r = client.post(reverse("web:portal_complain", args=[d.pk]), {"complain-text": "Cán bộ hẹn sai ngày"}, follow=True)
    assert "Đã gửi phản ánh" in r.content.decode()
    assert Complaint.objects.get(dossier=d).text == "Cán bộ hẹn sai ngày"


def test_an_action_the_state_does_not_allow_shows_why(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                      good_form, good_files):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    client.force_login(citizen_a)
    r = client.post(reverse("web:portal_pay", args=[d.pk]), {"pay-reference": "FT1"})
    assert r.status_code == 200 and "Không thể" in r.content.decode()
    d.refresh_from_db()
    assert d.state == State.RECEIVED and d.paid_at is None


# --- 5. public tracking --------------------------------------------------------------------------------

def test_tracking_shows_state_and_no_personal_data(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                    good_form, good_files):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    r = client.get(reverse("web:track_code", args=[d.code]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Được tiếp nhận" in html and d.code in html and birth_procedure.name in html
    for secret in ("Nguyễn Văn An", "019090001234", "0912345678", "019090001234@dan.test", "Nguyễn Minh Khôi"):
        assert secret not in html


def test_tracking_form_goes_to_the_code_and_unknown_code_is_404(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                                good_form, good_files):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    r = client.get(reverse("web:track"), {"ma": f" {d.code} "})
    assert r.status_code == 302 and r["Location"] == reverse("web:track_code", args=[d.code])
    assert client.get(reverse("web:track_code", args=["000.31.19.H55-000000-9999"])).status_code == 404


def test_tracking_does_not_write_the_session(client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files,
                                             django_assert_max_num_queries):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    with django_assert_max_num_queries(3):
        r = client.get(reverse("web:track_code", args=[d.code]))
    assert r.status_code == 200 and "sessionid" not in r.cookies


def test_tracking_page_is_the_same_from_the_shared_frame_and_from_the_full_rendering(
        client, citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files, rf):
    """Anonymous visitors get base.html rendered once per language and day with the page pasted in
    (web/frame.py); what they see must be exactly what the full rendering of the same templates gives."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string
    from django.utils import translation

    from tinhso.dossiers.selectors import tracking_by_code
    from tinhso.web import frame
    from tinhso.web.portal.display import step_rows, when
    from tinhso.web.portal.track import track_code
    from tinhso.web.portal.track_html import tracking_body

    def anonymous_request():
        request = rf.get(reverse("web:track_code", args=[d.code]))
        request.user, request.session = AnonymousUser(), {}
        request._messages = FallbackStorage(request)
        return request

    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    for lang, word in (("vi", "Hồ sơ"), ("en", "Dossier")):
        with translation.override(lang):
            t = tracking_by_code(code=d.code)
            body = tracking_body(t, step_rows(t.steps), {
                k: when(getattr(t, f"{k}_at")) for k in ("submitted", "received", "due", "finished", "returned")})
            frame.frame_cache_clear()
            first = track_code(anonymous_request(), code=d.code).content.decode()
            second = track_code(anonymous_request(), code=d.code).content.decode()  # from the cached frame
            full = render_to_string("framed.html", {"frame_title": f"{word} {d.code}", "frame_body": body},
                                    request=anonymous_request())
            assert first == second == full
            assert f"<title>{word} {d.code} ·" in second and '<ol class="portal-steps">' in second


def test_tracking_page_for_a_signed_in_citizen_has_their_header(client, citizen_a, birth_procedure, agency_x, staff_x,
                                                               good_form, good_files):
    d = received(citizen_a, birth_procedure, agency_x, staff_x, good_form, good_files)
    anonymous = client.get(reverse("web:track_code", args=[d.code])).content.decode()
    client.force_login(citizen_a)
    mine = client.get(reverse("web:track_code", args=[d.code])).content.decode()
    assert "Đăng xuất" in mine and "Đăng xuất" not in anonymous
    main = lambda html: html.split("<main", 1)[1].split("</main>", 1)[0]  # noqa: E731
    assert main(mine) == main(anonymous) and d.code in main(mine)
