"""Uploaded papers are checked by content (magic bytes) and size, images are decoded and re-encoded
(nothing but the pixels is kept: no EXIF/GPS, comments or trailing payload), and every file is stored
under a name we choose."""
from __future__ import annotations

import hashlib
import io
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Papers uploaded ahead of their submission (models.PaperUpload): kept this long for their owner, then purged.
UPLOAD_TTL = timedelta(hours=24)

# file type -> (magic prefixes, extension, MIME type)
SIGNATURES: dict[str, tuple[tuple[bytes, ...], str, str]] = {
    "pdf": ((b"%PDF-",), "pdf", "application/pdf"),
    "jpg": ((b"\xff\xd8\xff",), "jpg", "image/jpeg"),
    "png": ((b"\x89PNG\r\n\x1a\n",), "png", "image/png"),
}
ALIASES = {"jpeg": "jpg"}
MAX_IMAGE_PIXELS = 60_000_000  # larger images are refused before decoding (decompression bombs)
PILLOW_FORMATS = {"jpg": ({"JPEG", "MPO"}, "JPEG"), "png": ({"PNG"}, "PNG")}


@dataclass
class CheckedFile:
    content: ContentFile
    kind: str
    content_type: str
    size: int
    sha256: str
    original_filename: str


def max_pending_uploads() -> int:
    """How many unused uploaded papers one user may hold within UPLOAD_TTL (setting TINHSO_MAX_PENDING_UPLOADS; 0: no cap)."""
    return int(getattr(settings, "MAX_PENDING_UPLOADS", 100))


def new_upload_token() -> str:
    """The secret an uploaded paper is named by in the submission that attaches it (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def accepted_kinds(accepted: list[str] | None) -> list[str]:
    """The file kinds (pdf, jpg, png) a paper's accepted types name; every kind when it names none."""
    return [ALIASES.get(a.lower().lstrip("."), a.lower().lstrip(".")) for a in (accepted or ["pdf", "jpg", "png"])]


def sniff(head: bytes) -> str | None:
    for kind, (prefixes, _ext, _mime) in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return kind
    return None


def check_upload(upload, *, accepted: list[str] | None, field_label: str) -> CheckedFile:
    """Read an uploaded file, refuse it unless its CONTENT is one of the accepted types and it fits."""
    kinds = accepted_kinds(accepted)
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
    if kind is None or kind not in kinds:
        raise ValidationError(
            _("Tệp “%(name)s” cho “%(field)s” không phải là %(types)s (đã kiểm tra nội dung tệp, không chỉ phần đuôi). Hãy chọn đúng tệp.")
            % {"name": upload.name, "field": field_label, "types": ", ".join(t.upper() for t in kinds)}
        )
    if kind in PILLOW_FORMATS:
        data = reencode_image(data, kind=kind, name=upload.name, field_label=field_label)
    _prefixes, ext, mime = SIGNATURES[kind]
    stored_name = f"{uuid.uuid4().hex}.{ext}"
    # Kept only to be shown and offered as the download's name: never a path, no control characters.
    original = "".join(ch for ch in (upload.name or "") if ch.isprintable()).replace("/", "_").replace("\\", "_")[-150:]
    return CheckedFile(
        content=ContentFile(data, name=stored_name),
        kind=kind,
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_filename=original,
    )


def reencode_image(data: bytes, *, kind: str, name: str, field_label: str) -> bytes:
    """The image decoded and written again in its own format from its pixels alone (orientation applied);
    ValidationError when it cannot be decoded as that format or is too large."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    formats, out_format = PILLOW_FORMATS[kind]
    unreadable = ValidationError(
        _("Tệp “%(name)s” cho “%(field)s” không đọc được như ảnh %(type)s. Hãy chụp hoặc quét lại giấy tờ.")
        % {"name": name, "field": field_label, "type": kind.upper()})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in formats:
                raise unreadable
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("Ảnh “%(name)s” cho “%(field)s” có kích thước quá lớn. Hãy chụp hoặc quét ở độ phân giải thấp hơn.")
                    % {"name": name, "field": field_label})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            if out_format == "JPEG":
                mode = "L" if img.mode in ("1", "L", "LA") else "RGB"
            else:
                mode = "RGBA" if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info else (
                    "L" if img.mode in ("1", "L") else "RGB")
            pixels = img.convert(mode)
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())  # pixels only: no info, no profile
            out = io.BytesIO()
            if out_format == "JPEG":
                clean.save(out, format="JPEG", quality=90, optimize=True)
            else:
                clean.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    return out.getvalue()
