"""Web forms of the catalog administration pages. They only parse input; services validate and write."""
from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.catalog.models import STEP_ROLES, FieldType, Procedure, StepKind
from tinhso.places.models import Agency


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "level", "agency_kind", "agency", "agency_match", "online_level",
                  "legal_basis", "subjects", "result_name", "result_paper", "time_kind", "time_amount", "time_cutoff",
                  "time_note", "fee_note", "source_url", "source_document", "verified", "verification_note"]
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3}), "time_note": forms.Textarea(attrs={"rows": 2}),
                   "fee_note": forms.Textarea(attrs={"rows": 2}), "verification_note": forms.Textarea(attrs={"rows": 2}),
                   "time_cutoff": forms.TimeInput(format="%H:%M", attrs={"placeholder": "15:00"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True

    def _post_clean(self):
        # model validation happens in the service, inside its transaction
        pass


class FeeForm(forms.Form):
    description = forms.CharField(label=_("Nội dung phí, lệ phí"), max_length=500)
    amount = forms.IntegerField(label=_("Mức thu (đồng)"), min_value=0)


class ComponentForm(forms.Form):
    key = forms.CharField(label=_("Mã khóa"), max_length=40)
    name = forms.CharField(label=_("Tên giấy tờ"), max_length=500)
    count_original = forms.IntegerField(label=_("Số bản chính"), min_value=0, initial=0)
    count_certified = forms.IntegerField(label=_("Số bản sao chứng thực"), min_value=0, initial=0)
    count_copy = forms.IntegerField(label=_("Số bản sao"), min_value=0, initial=0)
    mandatory = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    file_types = forms.CharField(label=_("Loại tệp chấp nhận"), max_length=60, initial="pdf,jpg,png")
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class FormFieldForm(forms.Form):
    key = forms.CharField(label=_("Mã khóa"), max_length=40)
    label = forms.CharField(label=_("Nhãn"), max_length=255)
    type = forms.ChoiceField(label=_("Kiểu"), choices=FieldType.choices)
    required = forms.BooleanField(label=_("Bắt buộc"), required=False)
    regex = forms.CharField(label=_("Biểu thức kiểm tra"), max_length=255, required=False)
    regex_message = forms.CharField(label=_("Thông báo khi sai biểu thức"), max_length=255, required=False)
    min_value = forms.DecimalField(label=_("Giá trị nhỏ nhất"), required=False)
    max_value = forms.DecimalField(label=_("Giá trị lớn nhất"), required=False)
    max_length = forms.IntegerField(label=_("Độ dài tối đa"), min_value=1, required=False)
    choices = forms.CharField(label=_("Lựa chọn (mỗi dòng: giá trị|nhãn)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    help_text = forms.CharField(label=_("Hướng dẫn"), max_length=500, required=False)

    def clean_choices(self):
        out = []
        for line in (self.cleaned_data.get("choices") or "").splitlines():
            if not line.strip():
                continue
            value, _sep, label = line.partition("|")
            out.append({"value": value.strip(), "label": (label or value).strip()})
        return out

    @staticmethod
    def initial_from(row: dict) -> dict:
        row = dict(row)
        row["choices"] = "\n".join(f"{c['value']}|{c['label']}" for c in row.get("choices") or [])
        return row


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại bước"), choices=StepKind.choices)
    role = forms.ChoiceField(label=_("Vai trò thực hiện"), choices=STEP_ROLES)
    share_percent = forms.IntegerField(label=_("Tỷ lệ thời hạn (%)"), min_value=0, max_value=100)
    forward_agency_kind = forms.ChoiceField(label=_("Loại cơ quan nhận chuyển (chỉ bước chuyển)"),
                                            choices=[("", "—")] + list(Agency.Kind.choices), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp danh mục (.json hoặc .xlsx)"))


def rows_from_formset(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.initial:
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        if data:
            rows.append(data)
    return rows


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
