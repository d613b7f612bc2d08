"""Compile every django.po under src/tinhso/locale into django.mo with polib (no gettext tools needed)."""
from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "src" / "tinhso" / "locale"
for po_path in root.glob("*/LC_MESSAGES/django.po"):
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(root)}: {po.percent_translated()}% translated")
