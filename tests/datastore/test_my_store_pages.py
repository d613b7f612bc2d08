"""The citizen's “Kho dữ liệu của tôi”: list, add (checked by content), remove (self-declared only), download."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.datastore.models import StoredDocument

from .conftest import login, pdf


def test_anonymous_is_sent_to_sign_in(client, db):
    for name in ("web:my_store", "web:who_used_my_data"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "next=" in response.url


def test_citizen_adds_lists_downloads_and_removes_a_self_declared_paper(father, client):
    login(client, father)
    response = client.post(reverse("web:my_store"), {
        "doc_type": "bang_cap", "title": "Bằng tốt nghiệp đại học", "number": "A123", "issuer": "Đại học Thái Nguyên",
        "issued_on": "05/03/2014", "valid_until": "", "file": pdf("bang.pdf")})
    assert response.status_code == 302
    doc = StoredDocument.objects.get(owner=father)
    assert (doc.origin, doc.doc_type, doc.issued_on.isoformat(), doc.verified) == ("self", "bang_cap", "2014-03-05", False)
    page = client.get(reverse("web:my_store")).content.decode()
    assert "Bằng tốt nghiệp đại học" in page and "05/03/2014" in page and "Tự khai" in page
    download = client.get(reverse("web:my_store_download", args=[doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.post(reverse("web:my_store_remove", args=[doc.pk])).status_code == 302
    doc.refresh_from_db()
    assert doc.removed_at is not None
    page = client.get(reverse("web:my_store")).content.decode()
    assert "<td>Bằng tốt nghiệp đại học<br>" not in page and "chưa có giấy tờ nào" in page


def test_a_renamed_executable_is_refused_and_nothing_saved(father, client):
    login(client, father)
    exe = SimpleUploadedFile("bang.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(reverse("web:my_store"), {"doc_type": "bang_cap", "title": "Bằng", "file": exe,
                                                     "issued_on": "31/02/2020"})
    body = response.content.decode()
    assert response.status_code == 400 and "Có lỗi cần sửa" in body
    assert "Ngày cấp: hãy nhập theo dạng ngày/tháng/năm" in body
    assert not StoredDocument.objects.exists()
    exe = SimpleUploadedFile("bang.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(reverse("web:my_store"), {"doc_type": "bang_cap", "title": "Bằng", "file": exe})
    assert "không phải là PDF" in response.content.decode() and not StoredDocument.objects.exists()


def test_issued_papers_cannot_be_removed(issued_birth_certificate, father, client):
    login(client, father)
    doc = StoredDocument.objects.get(owner=father)
    response = client.post(reverse("web:my_store_remove", args=[doc.pk]), follow=True)
    assert "chỉ xóa được giấy tờ bạn tự khai" in response.content.decode()
    doc.refresh_from_db()
    assert doc.removed_at is None


@pytest.mark.parametrize("who", ["other_citizen", "official"])
def test_nobody_else_downloads_or_removes_a_citizens_paper(issued_birth_certificate, father, stranger, staff_x,
                                                           client, who):
    doc = StoredDocument.objects.get(owner=father)
    login(client, stranger if who == "other_citizen" else staff_x["receiver"])
    expected = 404 if who == "other_citizen" else 403
    assert client.get(reverse("web:my_store_download", args=[doc.pk])).status_code == expected
    assert client.post(reverse("web:my_store_remove", args=[doc.pk])).status_code == expected
    doc.refresh_from_db()
    assert doc.removed_at is None
