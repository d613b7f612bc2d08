from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.places.models import Agency, Commune


class CommuneFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên (có hoặc không dấu)"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", _("Tất cả"))] + list(Commune.Type.choices))


class AgencyForm(forms.Form):
    code = forms.CharField(
        label=_("Mã định danh điện tử"), max_length=13,
        help_text=_("Dạng NNN.NN.NN.XNN, ví dụ 000.00.06.H56."),
    )
    name = forms.CharField(label=_("Tên cơ quan"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Loại cơ quan"), choices=Agency.Kind.choices)
    parent_code = forms.ChoiceField(label=_("Cơ quan cấp trên"), required=False)
    commune_code = forms.ChoiceField(label=_("Xã, phường (với UBND xã, phường)"), required=False)

    def __init__(self, *args, agencies=(), communes=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_code"].choices = [("", _("Không có (cơ quan cấp cao nhất)"))] + [
            (a.code, f"{a.code} · {a.name}") for a in agencies
        ]
        self.fields["commune_code"].choices = [("", _("Không gắn với xã, phường"))] + [
            (c.code, f"{c.name} ({c.code})") for c in communes
        ]
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Mã định danh không sửa được; muốn đổi mã, hãy tạo cơ quan mới.")


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách cơ quan (.csv UTF-8 hoặc .xlsx)"),
        help_text=_("Dòng đầu là tiêu đề: ma_dinh_danh, ten_co_quan, ten_viet_tat, loai, ma_co_quan_cap_tren, ma_xa_phuong, dang_hoat_dong. Tối đa 2 MB."),
    )
