"""The officials' workspace pages: each official sees and acts only on their own agency's dossiers."""
import io

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierEvent, Warning
from tinhso.dossiers.states import State

from .conftest import vn

pytestmark = pytest.mark.django_db

ACTIONS = ["receive", "refuse", "assign", "forward", "submit_approval", "request_supplement", "request_payment",
           "stop", "approve", "return", "apologize"]


def login(client, user):
    if user.kind == "official":
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}})
    client.force_login(user)
    return client


def submit(citizen, proc, agency, form, files, at=None):
    return services.dossier_submit_online(actor=citizen, procedure=proc, agency=agency, form_data=form,
                                          files=files(), at=at)


@pytest.fixture
def dossier_x(citizen_a, birth_procedure, agency_x, good_form, good_files):
    return submit(citizen_a, birth_procedure, agency_x, good_form, good_files)


@pytest.fixture
def dossier_y(citizen_b, birth_procedure, agency_y, good_form, good_files):
    return submit(citizen_b, birth_procedure, agency_y, good_form, good_files)


def test_inbox_counts_and_list_show_only_own_agency(client, staff_x, staff_y, dossier_x, dossier_y):
    login(client, staff_y["receiver"])
    response = client.get(reverse("web:inbox"), {"hop": "new"})
    assert response.status_code == 200
    counts = {b["key"]: b["count"] for b in response.context["boxes"]}
    assert counts["new"] == 1
    assert [r["d"].pk for r in response.context["rows"]] == [dossier_y.pk]
    html = response.content.decode()
    assert "Trần Thị Bình" in html and "Nguyễn Văn An" not in html
    assert "Mới (chờ tiếp nhận)" in html


def test_inbox_search_without_diacritics_and_by_code(client, staff_x, dossier_x, birth_procedure):
    login(client, staff_x["receiver"])
    found = client.get(reverse("web:inbox"), {"hop": "all", "q": "dang ky khai sinh"})
    assert [r["d"].pk for r in found.context["rows"]] == [dossier_x.pk]
    missing = client.get(reverse("web:inbox"), {"hop": "all", "q": "ket hon"})
    assert missing.context["rows"] == []
    received = services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)
    by_code = client.get(reverse("web:inbox"), {"hop": "all", "q": received.code})
    assert [r["d"].pk for r in by_code.context["rows"]] == [dossier_x.pk]


def test_inbox_rows_show_due_time_and_timeliness_words(client, staff_x, dossier_x):
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)
    login(client, staff_x["receiver"])
    html = client.get(reverse("web:inbox"), {"hop": "all", "sap": "-due"}).content.decode()
    assert timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y") in html
    assert "Trong hạn" in html or "Sắp đến hạn" in html or "Quá hạn" in html


def test_dossier_page_shows_receive_to_receiver_not_to_specialist(client, staff_x, dossier_x):
    url = reverse("web:official_dossier", args=[dossier_x.pk])
    receive_url = reverse("web:official_dossier_receive", args=[dossier_x.pk])
    html = login(client, staff_x["receiver"]).get(url).content.decode()
    assert receive_url in html and "Tiếp nhận hồ sơ" in html
    assert reverse("web:official_dossier_assign", args=[dossier_x.pk]) not in html
    client.logout()
    response = login(client, staff_x["specialist"]).get(url)
    assert response.status_code == 200
    assert response.context["actions"] == []
    assert receive_url not in response.content.decode()


def test_other_agency_dossier_page_is_404(client, staff_y, dossier_x):
    login(client, staff_y["receiver"])
    assert client.get(reverse("web:official_dossier", args=[dossier_x.pk])).status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["other_agency", "citizen", "anonymous"])
def test_action_urls_refused_and_nothing_changes(client, staff_y, citizen_a, dossier_x, action, who):
    events_before = DossierEvent.objects.count()
    if who == "other_agency":
        login(client, staff_y["receiver"])
        expected = {404}
    elif who == "citizen":
        login(client, citizen_a)
        expected = {403}
    else:
        expected = {302}
    response = client.post(reverse(f"web:official_dossier_{action}", args=[dossier_x.pk]),
                           {"reason": "Lý do", "amount": "50000", "new_due_at": "01/01/2030 10:00"})
    assert response.status_code in expected
    if who == "anonymous":
        assert reverse("account_login") in response["Location"]
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.SUBMITTED and dossier_x.code is None
    assert DossierEvent.objects.count() == events_before


def test_specialist_cannot_receive_via_page(client, staff_x, dossier_x):
    login(client, staff_x["specialist"])
    response = client.post(reverse("web:official_dossier_receive", args=[dossier_x.pk]), follow=True)
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.SUBMITTED and dossier_x.code is None
    assert "vai trò" in response.content.decode()


def test_receive_via_page_assigns_code_and_shows_due_time(client, staff_x, dossier_x):
    login(client, staff_x["receiver"])
    response = client.post(reverse("web:official_dossier_receive", args=[dossier_x.pk]), follow=True)
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.RECEIVED and dossier_x.code
    html = response.content.decode()
    assert dossier_x.code in html
    assert timezone.localtime(dossier_x.due_at).strftime("%H:%M %d/%m/%Y") in html
    receipt = reverse("web:official_dossier_pdf", args=[dossier_x.pk, "giay-tiep-nhan"])
    assert receipt in html
    pdf = client.get(receipt)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf.content.startswith(b"%PDF")


def test_component_download_is_attachment_and_checked(client, staff_x, staff_y, dossier_x):
    comp = dossier_x.components.first()
    url = reverse("web:official_dossier_component", args=[dossier_x.pk, comp.pk])
    response = login(client, staff_x["specialist"]).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    client.logout()
    assert login(client, staff_y["receiver"]).get(url).status_code == 404


def test_request_supplement_via_page_pauses_the_dossier(client, staff_x, dossier_x):
    services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)
    login(client, staff_x["specialist"])
    client.post(reverse("web:official_dossier_request_supplement", args=[dossier_x.pk]),
                {"reason": "Giấy chứng sinh mờ", "items": ["giay_chung_sinh"]})
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.SUPPLEMENT
    assert dossier_x.supplement_requests.get().items == [{"key": "giay_chung_sinh", "name": "Giấy chứng sinh"}]


def test_refuse_without_reason_shows_error_and_changes_nothing(client, staff_x, dossier_x):
    login(client, staff_x["receiver"])
    response = client.post(reverse("web:official_dossier_refuse", args=[dossier_x.pk]), {"reason": " "}, follow=True)
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.SUBMITTED
    assert "lý do từ chối" in response.content.decode()


def test_apologize_with_bad_date_names_the_field(client, staff_x, dossier_x):
    services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)
    login(client, staff_x["specialist"])
    response = client.post(reverse("web:official_dossier_apologize", args=[dossier_x.pk]),
                           {"reason": "Chờ xác minh", "new_due_at": "31/02/2026"}, follow=True)
    dossier_x.refresh_from_db()
    assert not dossier_x.reappointed
    assert "Ngày giờ hẹn mới" in response.content.decode()


def test_desk_registration_creates_a_received_dossier(client, staff_x, citizen_a, birth_procedure, good_form):
    login(client, staff_x["receiver"])
    url = reverse("web:desk_register")
    page = client.get(url, {"thu_tuc": birth_procedure.code, "cccd": citizen_a.cccd})
    assert page.status_code == 200
    assert 'value="Nguyễn Văn An"' in page.content.decode()  # prefilled from the account
    data = {"thu_tuc": birth_procedure.code, "channel": "1", "return_method": "desk",
            "applicant_name": "Nguyễn Văn An", "applicant_cccd": citizen_a.cccd, "applicant_phone": "0912345678",
            **good_form}
    response = client.post(url, data)
    d = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:official_dossier", args=[d.pk])
    assert d.state == State.RECEIVED and d.channel == 1 and d.code and d.due_at
    assert d.applicant == citizen_a


def test_desk_registration_with_errors_changes_nothing(client, staff_x, birth_procedure):
    login(client, staff_x["receiver"])
    response = client.post(reverse("web:desk_register"), {"thu_tuc": birth_procedure.code, "channel": "1",
                                                         "applicant_name": ""})
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    html = response.content.decode()
    assert 'href="#id_applicant_name"' in html


def test_desk_registration_refused_to_specialist_and_citizen(client, staff_x, citizen_a):
    assert login(client, staff_x["specialist"]).get(reverse("web:desk_register")).status_code == 403
    client.logout()
    assert login(client, citizen_a).get(reverse("web:desk_register")).status_code == 403


def test_register_page_and_excel_export(client, staff_x, staff_y, dossier_x, dossier_y):
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x, at=vn(2026, 3, 2, 9, 0))
    services.dossier_receive(actor=staff_y["receiver"], dossier=dossier_y, at=vn(2026, 3, 2, 9, 0))
    login(client, staff_x["receiver"])
    params = {"tu_ngay": "01/03/2026", "den_ngay": "31/03/2026"}
    page = client.get(reverse("web:dossier_register"), params)
    assert page.status_code == 200
    assert [x.pk for x in page.context["dossiers"]] == [d.pk]
    xlsx = client.get(reverse("web:dossier_register"), {**params, "dinh_dang": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    codes = [row[1] for row in ws.iter_rows(min_row=6, values_only=True)]
    assert codes == [d.code]
    assert ws.cell(row=6, column=7).value == "09:00 02/03/2026"
    pdf = client.get(reverse("web:dossier_register"), {**params, "dinh_dang": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_register_page_refused_to_citizen_and_anonymous(client, citizen_a):
    assert client.get(reverse("web:dossier_register")).status_code == 302
    assert login(client, citizen_a).get(reverse("web:dossier_register")).status_code == 403


def test_warnings_page_lists_only_own_warnings_and_marks_read(client, staff_x, dossier_x):
    d = services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)
    mine = Warning.objects.create(dossier=d, kind="late", recipient=staff_x["specialist"], created_at=timezone.now(),
                                  due_at=d.due_at)
    other = Warning.objects.create(dossier=d, kind="due_soon", recipient=staff_x["leader"],
                                   created_at=timezone.now(), due_at=d.due_at)
    login(client, staff_x["specialist"])
    page = client.get(reverse("web:my_warnings"))
    assert [r["w"].pk for r in page.context["rows"]] == [mine.pk]
    inbox = client.get(reverse("web:inbox"))
    assert inbox.context["unread_warnings"] == 1
    assert client.post(reverse("web:warning_mark_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("web:warning_mark_read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_inbox_refused_to_citizen_and_anonymous(client, citizen_a):
    response = client.get(reverse("web:inbox"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert login(client, citizen_a).get(reverse("web:inbox")).status_code == 403


def test_full_handling_through_the_pages(client, staff_x, dossier_x):
    services.dossier_receive(actor=staff_x["receiver"], dossier=dossier_x)
    login(client, staff_x["specialist"])
    client.post(reverse("web:official_dossier_submit_approval", args=[dossier_x.pk]), {"note": "Đủ điều kiện"})
    client.logout()
    login(client, staff_x["leader"])
    page = client.get(reverse("web:official_dossier", args=[dossier_x.pk]))
    assert "approve" in [a["key"] for a in page.context["actions"]]
    client.post(reverse("web:official_dossier_approve", args=[dossier_x.pk]))
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.FINISHED and dossier_x.result_file
    client.logout()
    login(client, staff_x["receiver"])
    client.post(reverse("web:official_dossier_return", args=[dossier_x.pk]), {"method": "desk"})
    dossier_x.refresh_from_db()
    assert dossier_x.state == State.RETURNED and dossier_x.return_method == "desk"
    slip = client.get(reverse("web:official_dossier_pdf", args=[dossier_x.pk, "phieu-kiem-soat"]))
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
