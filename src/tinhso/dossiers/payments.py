"""VietQR payloads for fees: the citizen scans with any banking app (NAPAS VietQR, EMVCo)."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from vietnam_qr_pay import QRPay


def vietqr_payload(*, amount: int, code: str) -> str:
    # The purpose is written without diacritics: the standard counts characters, banks show ASCII.
    purpose = f"LE PHI HS {code}"[:50]
    qr = QRPay.init_viet_qr(bank_bin=settings.PAYMENT_BANK_BIN, bank_number=settings.PAYMENT_ACCOUNT_NUMBER,
                            amount=str(int(amount)), purpose=purpose)
    return qr.build()


def qr_svg(data: str) -> str:
    """An inline SVG of a QR code (no image file, nothing from outside)."""
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue().decode("utf-8")
