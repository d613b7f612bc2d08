"""Load the 34 provinces and 3,321 communes of the 2025 structure from `vietnam-provinces` (bulk)."""
import re
import unicodedata

from django.db import migrations

_NON_WORD = re.compile(r"[^0-9a-z]+")

PROVINCE_TYPES = {"tỉnh": "tinh", "thành phố trung ương": "thanh_pho_trung_uong"}
COMMUNE_TYPES = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}


def _key(text):
    # Frozen copy of tinhso.places.text.search_key (a migration must not change when the app does).
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def load(apps, schema_editor):
    from vietnam_provinces import Province as VP, Ward as VW

    Province = apps.get_model("places", "Province")
    Commune = apps.get_model("places", "Commune")
    db = schema_editor.connection.alias
    provinces = [
        Province(code=f"{p.code.value:02d}", name=p.name, type=PROVINCE_TYPES[p.division_type.value], search_key=_key(p.name))
        for p in VP.iter_all()
    ]
    Province.objects.using(db).bulk_create(provinces, batch_size=500)
    communes = [
        Commune(
            code=f"{w.code.value:05d}",
            name=w.name,
            type=COMMUNE_TYPES[w.division_type.value],
            province_id=f"{w.province_code.value:02d}",
            search_key=_key(w.name),
        )
        for w in VW.iter_all()
    ]
    Commune.objects.using(db).bulk_create(communes, batch_size=500)


def unload(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("places", "Commune").objects.using(db).all().delete()
    apps.get_model("places", "Province").objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0002_search_keys_constraints")]
    operations = [migrations.RunPython(load, unload, elidable=False)]
