"""Uploaded papers are checked by content (magic bytes) and size, and stored under a name we choose."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# file type -> (magic prefixes, extension, MIME type)
SIGNATURES: dict[str, tuple[tuple[bytes, ...], str, str]] = {
    "pdf": ((b"%PDF-",), "pdf", "application/pdf"),
    "jpg": ((b"\xff\xd8\xff",), "jpg", "image/jpeg"),
    "png": ((b"\x89PNG\r\n\x1a\n",), "png", "image/png"),
}
ALIASES = {"jpeg": "jpg"}


@dataclass
class CheckedFile:
    content: ContentFile
    kind: str
    content_type: str
    size: int
    sha256: str
    original_filename: str


def sniff(head: bytes) -> str | None:
    for kind, (prefixes, _ext, _mime) in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return kind
    return None


def check_upload(upload, *, accepted: list[str] | None, field_label: str) -> CheckedFile:
    """Read an uploaded file, refuse it unless its CONTENT is one of the accepted types and it fits."""
    accepted_kinds = [ALIASES.get(a.lower().lstrip("."), a.lower().lstrip(".")) for a in (accepted or ["pdf", "jpg", "png"])]
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Tệp “%(name)s” cho “%(field)s” lớn hơn %(mb)s MB. Hãy nén hoặc chụp lại với dung lượng nhỏ hơn.")
            % {"name": upload.name, "field": field_label, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Tệp “%(name)s” cho “%(field)s” lớn hơn %(mb)s MB. Hãy nén hoặc chụp lại với dung lượng nhỏ hơn.")
            % {"name": upload.name, "field": field_label, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if not data:
        raise ValidationError(_("Tệp “%(name)s” cho “%(field)s” trống.") % {"name": upload.name, "field": field_label})
    kind = sniff(data[:16])
    if kind is None or kind not in accepted_kinds:
        raise ValidationError(
            _("Tệp “%(name)s” cho “%(field)s” không phải là %(types)s (đã kiểm tra nội dung tệp, không chỉ phần đuôi). Hãy chọn đúng tệp.")
            % {"name": upload.name, "field": field_label, "types": ", ".join(t.upper() for t in accepted_kinds)}
        )
    _prefixes, ext, mime = SIGNATURES[kind]
    stored_name = f"{uuid.uuid4().hex}.{ext}"
    original = (upload.name or "").replace("/", "_").replace("\\", "_")[-150:]
    return CheckedFile(
        content=ContentFile(data, name=stored_name),
        kind=kind,
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_filename=original,
    )
