"""Online submission asks the population registry without depending on it (people's part B contract)."""
from unittest import mock

import pytest
from django.urls import reverse

from tinhso.dossiers.models import Dossier

from .conftest import login, pdf


@pytest.mark.parametrize("answer, words", [
    ("unavailable", "Hồ sơ của bạn vẫn được gửi và lưu đầy đủ"),
    ("mismatch", "không khớp với Cơ sở dữ liệu quốc gia về dân cư"),
])
def test_registry_answer_never_blocks_submission(father, birth_procedure, agency_x, client, answer, words):
    login(client, father)
    with mock.patch("tinhso.people.services.citizen_identity_check", return_value=answer) as check:
        response = client.post(reverse("web:dossier_submit", args=[birth_procedure.code]), {
            "tk-ho_ten_tre": "Nguyễn Minh Khôi", "hinh_thuc_nhan": "online", "submit_token": f"id-{answer}",
            "tep_to_khai": pdf(), "tep_giay_chung_sinh": pdf()}, follow=True)
    check.assert_called_once()
    d = Dossier.objects.get()
    assert d.applicant == father and d.components.count() == 2
    assert d.events.get().data["identity_check"] == answer
    body = response.content.decode()
    assert "Hồ sơ đã được gửi, đang chờ tiếp nhận." in body and words in body


def test_registry_not_configured_marks_the_account_unverified(father, birth_procedure, agency_x):
    from tinhso.dossiers import services

    d = services.dossier_submit_online(actor=father, procedure=birth_procedure, agency=agency_x,
                                       form_data={"ho_ten_tre": "Nguyễn Minh Khôi"},
                                       files={"to_khai": [pdf()], "giay_chung_sinh": [pdf()]})
    assert d.identity_check == "unavailable" and Dossier.objects.count() == 1
    father.refresh_from_db()
    assert father.identity_status != "verified"
