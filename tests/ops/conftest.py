"""Fixtures of the backup tests: an installation with rows in many apps and uploaded files, and helpers
that read EVERY row of EVERY table and EVERY file, to compare a restored installation with its source."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.catalog.models import Component, Field, FormField, Procedure, Step
from tinhso.datastore.services import document_add
from tinhso.dossiers.services import dossier_submit_online
from tinhso.people.models import User
from tinhso.places.models import Agency
from tinhso.places.services import demo_agencies_load

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(i: int) -> bytes:
    """A real PNG (uploaded images are decoded and re-encoded), different for each i."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (i * 40 % 256, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def pdf(name: str, extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def make_citizen(cccd: str, name: str) -> User:
    return User.objects.create_user(username=cccd, cccd=cccd, password="Mat-khau-rat-dai-1", kind="citizen",
                                    full_name=name, email=f"{cccd}@dan.test", phone="0912345678",
                                    date_of_birth=dt.date(1990, 5, 1), gender="nam")


def make_procedure() -> Procedure:
    field, _ = Field.objects.get_or_create(code="ho_tich_saoluu", defaults={"name": "Hộ tịch (sao lưu)"})
    proc = Procedure.objects.create(
        code="9.000099", name="Đăng ký khai sinh (kiểm thử sao lưu)", field=field, level="commune",
        agency_kind="ubnd_xa", online_level="toan_trinh", legal_basis="Luật Hộ tịch 2014",
        subjects="Công dân Việt Nam", result_name="Giấy khai sinh", time_kind="working_days", time_amount=5,
        source_document="Luật Hộ tịch 2014", published=True)
    Component.objects.create(procedure=proc, position=1, key="to_khai", name="Tờ khai đăng ký khai sinh",
                             count_original=1, mandatory=True, file_types="pdf")
    Component.objects.create(procedure=proc, position=2, key="giay_chung_sinh", name="Giấy chứng sinh",
                             count_original=1, mandatory=True, file_types="pdf,jpg,png")
    FormField.objects.create(procedure=proc, position=1, key="ho_ten_tre", label="Họ, chữ đệm, tên của trẻ",
                             type="text", required=True, max_length=100)
    for pos, (kind, role, share) in enumerate(
            [("receive", "receiver", 5), ("process", "specialist", 70), ("approve", "leader", 20),
             ("return", "receiver", 5)], start=1):
        Step.objects.create(procedure=proc, position=pos, kind=kind, role=role, share_percent=share)
    return proc


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media-nguon"
    return settings.MEDIA_ROOT


@pytest.fixture
def installation(media_root):
    """Rows in places, people, catalog, dossiers, datastore and events, and uploaded files on disk."""
    demo_agencies_load()
    agency = Agency.objects.filter(kind="ubnd_xa", active=True).order_by("code").first()
    proc = make_procedure()
    an = make_citizen("019090001234", "Nguyễn Văn An")
    binh = make_citizen("019190004321", "Trần Thị Bình")
    dossiers = []
    for i, who in enumerate([an, binh, an]):
        dossiers.append(dossier_submit_online(
            actor=who, procedure=proc, agency=agency, form_data={"ho_ten_tre": f"Nguyễn Minh Khôi {i}"},
            files={"to_khai": [pdf(f"to-khai-{i}.pdf", b"%d" % i)],
                   "giay_chung_sinh": [SimpleUploadedFile(f"chung-sinh-{i}.png", png(i),
                                                          content_type="image/png")]}))
    document_add(actor=binh, doc_type="cccd", title="Căn cước công dân", upload=pdf("cccd.pdf", b"cccd"))
    return {"citizens": [an, binh], "dossiers": dossiers, "agency": agency, "procedure": proc}


# --- reading a whole installation --------------------------------------------------------------------

def model_tables() -> set[str]:
    return {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}


def all_rows(cursor, tables) -> dict[str, tuple[list[str], list[tuple]]]:
    """{table: (column names, every row sorted)}."""
    out = {}
    for table in sorted(tables):
        cursor.execute('SELECT * FROM "%s"' % table.replace('"', '""'))
        columns = [d[0] for d in cursor.description]
        out[table] = (columns, sorted((tuple(r) for r in cursor.fetchall()), key=repr))
    return out


def all_files(root: Path) -> dict[str, str]:
    """{path relative to root: sha256} of every file under root."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def tinhso(*args: str, var_dir: Path, database_url: str) -> subprocess.CompletedProcess:
    """Run the `tinhso` command in a separate process, as an operator would, on another installation."""
    env = dict(os.environ, TINHSO_VAR_DIR=str(var_dir), DATABASE_URL=database_url)
    return subprocess.run([sys.executable, "-m", "tinhso.cli", *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300, check=False)
