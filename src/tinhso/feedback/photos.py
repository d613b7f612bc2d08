"""Photos of reports: checked by content with Pillow, re-encoded to JPEG without any metadata."""
from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 5
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2048
# A large JPEG is decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling, `Image.draft`) when
# that still leaves at least this many pixels on its long side: a 12 MP phone photo (4032 px) is decoded
# at 2016 px instead of decoded whole then resized, about 5x less work (bench/reports_create.py --photo).
MIN_DECODED_SIDE = 1600
MAX_PIXELS = 60_000_000  # larger images are refused before decoding (decompression bombs)
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("Ảnh “%(name)s” lớn hơn 10 MB: hãy chọn ảnh nhỏ hơn.") % {"name": _name(upload)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Ảnh “%(name)s” lớn hơn 10 MB: hãy chọn ảnh nhỏ hơn.") % {"name": _name(upload)})
    return data


def _name(upload) -> str:
    return str(getattr(upload, "name", "") or _("không tên"))[:80]


def _decode_smaller(img: Image.Image) -> None:
    """Ask the JPEG decoder for the smallest scale (1/8, 1/4, 1/2) whose long side stays >= MIN_DECODED_SIDE."""
    if img.format not in ("JPEG", "MPO"):
        return
    width, height = img.size
    for scale in (8, 4, 2):
        if max(width, height) // scale >= MIN_DECODED_SIDE:
            img.draft(None, (width // scale, height // scale))
            return


def reencode(upload) -> tuple[ContentFile, int, int]:
    """The photo as a fresh JPEG (no EXIF, no GPS, no comments), at most 2048 px a side (a large JPEG:
    1600–2048 px on its long side, see MIN_DECODED_SIDE).

    Raises ValidationError when the content is not an image, too large, or cannot be decoded."""
    data = _read(upload)
    not_image = _("Tệp “%(name)s” không phải là ảnh (JPEG, PNG, WebP...): hãy chọn một tệp ảnh.") % {"name": _name(upload)}
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise ValidationError(not_image)
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("Ảnh “%(name)s” có kích thước quá lớn: hãy chụp ở độ phân giải thấp hơn.")
                                      % {"name": _name(upload)})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            _decode_smaller(img)
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation, then drop every tag
            if img.mode not in ("RGB", "L"):
                background = Image.new("RGB", img.size, (255, 255, 255))
                rgba = img.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                img = background
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            clean = Image.new(img.mode, img.size)
            clean.paste(img)
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85)  # optimize=True: ~3 % smaller, ~25 % more time
            width, height = clean.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(not_image) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), width, height
