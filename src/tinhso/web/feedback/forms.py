"""Forms of the report pages. They only render and carry raw values: every rule is checked by
`feedback.services`, whose errors (keyed by field) are put back on these forms."""
from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from tinhso.feedback import selectors
from tinhso.feedback.models import Report


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def category_choices():
    return [("", _("— Chọn lĩnh vực —"))] + selectors.category_choices()  # kept by the process (refcache)


def commune_choices(empty=_("— Chọn xã, phường —")):
    return [("", empty)] + selectors.commune_choices()  # kept by the process for a few minutes


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Lĩnh vực"), required=True)
    description = forms.CharField(
        label=_("Nội dung phản ánh"), required=True, help_text=_("Sự việc gì, ở đâu, từ khi nào. Tối đa 4.000 ký tự."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}))
    photos = forms.FileField(
        label=_("Ảnh chụp (không bắt buộc)"), required=False,
        help_text=_("Tối đa 5 ảnh, mỗi ảnh không quá 10 MB. Thông tin ẩn trong ảnh (vị trí, máy chụp) sẽ được xóa."),
        widget=MultiFileInput(attrs={"accept": "image/*", "multiple": True}))
    lat = forms.CharField(label=_("Vĩ độ"), required=False, help_text=_("Ví dụ 21.592477"),
                          widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    long = forms.CharField(label=_("Kinh độ"), required=False, help_text=_("Ví dụ 105.848174"),
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    address = forms.CharField(label=_("Địa chỉ hoặc mô tả vị trí"), required=False, max_length=300,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    commune = forms.ChoiceField(label=_("Xã, phường"), required=False)
    urgency = forms.ChoiceField(label=_("Mức độ"), choices=Report.Urgency.choices, initial="normal",
                                widget=forms.RadioSelect, required=True)
    dossier = forms.ChoiceField(label=_("Phản ánh này về hồ sơ của tôi (không bắt buộc)"), required=False,
                                help_text=_("Chọn hồ sơ thủ tục hành chính bạn đã nộp nếu phản ánh liên quan đến việc giải quyết hồ sơ đó."))

    def __init__(self, *args, dossiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["commune"].choices = commune_choices()
        if dossiers:
            self.fields["dossier"].choices = [("", _("— Không liên quan đến hồ sơ nào —"))] + [
                (d.code, f"{d.code} · {d.procedure_name}") for d in dossiers]
        else:
            del self.fields["dossier"]


def _question_field(attr) -> forms.Field:
    """The input of one question (Open311 attribute) for its datatype; the label is the question."""
    common = {"label": attr.description, "required": attr.required, "help_text": attr.datatype_description or ""}
    choices = [(str(v.get("key")), v.get("name") or str(v.get("key"))) for v in (attr.values or [])]
    if attr.datatype == "singlevaluelist":
        return forms.ChoiceField(choices=[("", _("— Chọn —"))] + choices, **common)
    if attr.datatype == "multivaluelist":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if attr.datatype == "number":
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **common)
    if attr.datatype == "datetime":
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if attr.datatype == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}), **common)
    return forms.CharField(widget=forms.TextInput(attrs={"maxlength": 1000}), **common)


class QuestionsForm(forms.Form):
    """The extra questions of one category (Open311 service definition attributes) on the report form.

    Every category's questions are on the page, each in a fieldset with `data-category` (feedback.js shows
    and enables only the chosen category's; without JS all are shown). So the inputs are named
    `q.<category code>.<question code>`: both codes are slugs, so the dot keeps two categories' inputs
    apart. Only the chosen category's answers are read (`answers()`) and checked, by the services, with
    the Open311 path's rules; like the other forms of these pages this one never validates by itself.
    A question with `variable` false is information only (Open311): shown as a note, never an input."""

    def __init__(self, data=None, *, category, attributes, **kwargs):
        super().__init__(data, prefix=f"q.{category.code}", **kwargs)
        self.category = category
        self.notes = [a.description for a in attributes if not a.variable]
        for a in attributes:
            if a.variable:
                self.fields[a.code] = _question_field(a)
        if self.is_bound:  # errors come from the services only (apply_errors)
            self._errors = ErrorDict()
            self.cleaned_data = {}

    def add_prefix(self, field_name):
        return f"{self.prefix}.{field_name}"

    def answers(self) -> dict:
        """The answers as posted, `{question code: value}` (a list for a multi-value list), unchecked."""
        data = self.data if self.is_bound else {}
        out = {}
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field, forms.MultipleChoiceField):
                out[name] = data.getlist(key) if hasattr(data, "getlist") else list(data.get(key) or [])
            else:
                out[name] = data.get(key, "")
        return out


def question_forms(data=None, *, reference=None) -> list[QuestionsForm]:
    """One QuestionsForm per active category that has questions, in the categories' order."""
    return [QuestionsForm(data, category=c, attributes=attrs)
            for c, attrs in selectors.category_questions(reference=reference)]


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do không tiếp nhận"), choices=Report.RejectReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Giải thích cho người phản ánh"), widget=forms.Textarea(attrs={"rows": 3}))
    duplicate_of = forms.CharField(label=_("Mã phản ánh bị trùng (nếu trùng)"), required=False,
                                   help_text=_("Ví dụ PA-2611-000123"))


class RerouteForm(forms.Form):
    agency = forms.ChoiceField(label=_("Cơ quan xử lý"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— Chọn cơ quan —"))] + [
            (a.pk, a.name) for a in selectors.agencies_active()]


class AcceptForm(forms.Form):
    commune = forms.ChoiceField(label=_("Xã, phường (nếu phản ánh chưa có)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = commune_choices(_("— Giữ như phản ánh —"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời (công khai)"), widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("Câu trả lời được công khai cùng phản ánh."))


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Bạn đánh giá câu trả lời thế nào?"), choices=Report.Rating.choices,
                               widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Nhận xét (không bắt buộc)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Vì sao bạn chưa hài lòng?"), widget=forms.Textarea(attrs={"rows": 3}))


class RouteForm(forms.Form):
    category = forms.ChoiceField(label=_("Lĩnh vực"))
    commune = forms.ChoiceField(label=_("Xã, phường"), required=False)
    agency = forms.ChoiceField(label=_("Cơ quan xử lý"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["commune"].choices = commune_choices(_("Mọi xã, phường (mặc định)"))
        self.fields["agency"].choices = [("", _("— Chọn cơ quan —"))] + [
            (a.pk, a.name) for a in selectors.agencies_active()]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Tên ứng dụng dùng khóa"), max_length=100,
                           help_text=_("Ví dụ: Ứng dụng Thái Nguyên số. Khóa chỉ hiện một lần sau khi tạo."))


class DutyForm(forms.Form):
    commune = forms.ChoiceField(label=_("Xã, phường"))
    user = forms.ChoiceField(label=_("Cán bộ trực"))

    def __init__(self, *args, officials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = commune_choices()
        self.fields["user"].choices = [("", _("— Chọn cán bộ —"))] + [
            (u.pk, f"{u.full_name or u.username} · {u.official.agency.name}") for u in officials]


class CategoryForm(forms.Form):
    code = forms.CharField(label=_("Mã lĩnh vực (service_code)"), max_length=40,
                           help_text=_("Chữ thường không dấu, số và dấu gạch ngang, ví dụ giao-thong."))
    name = forms.CharField(label=_("Tên lĩnh vực"), max_length=200)
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline_working_days = forms.CharField(label=_("Thời hạn xử lý (ngày làm việc)"), initial="15",
                                            help_text=_("Từ 1 đến 90 ngày làm việc; mặc định 15."),
                                            widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    active = forms.BooleanField(label=_("Đang dùng (người dân chọn được)"), required=False, initial=True)


class AttributeForm(forms.Form):
    code = forms.CharField(label=_("Mã câu hỏi"), max_length=40, help_text=_("Ví dụ muc-do."))
    question = forms.CharField(label=_("Câu hỏi cho người phản ánh"), max_length=300)
    datatype = forms.ChoiceField(label=_("Kiểu câu trả lời"), choices=[
        ("string", _("Một dòng chữ")), ("text", _("Đoạn văn")), ("number", _("Số")),
        ("singlevaluelist", _("Chọn một trong danh sách"))])
    values_text = forms.CharField(label=_("Các lựa chọn (nếu chọn trong danh sách)"), required=False,
                                  help_text=_("Mỗi lựa chọn một dòng, dạng mã: tên, ví dụ nang: Nặng."),
                                  widget=forms.Textarea(attrs={"rows": 3}))
    required = forms.BooleanField(label=_("Bắt buộc trả lời"), required=False)


ATTRIBUTE_ERROR = re.compile(r"^attribute\[([^\[\]]+)\]$")


def apply_errors(form: forms.Form, exc: ValidationError, *, questions: QuestionsForm | None = None) -> None:
    """Put a service's errors on the form: on the field when the form has it, else on the form. The errors
    of the answers (`attribute[<code>]`) go to their question on `questions` (the chosen category's)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            m = ATTRIBUTE_ERROR.match(field)
            if m and questions is not None and m.group(1) in questions.fields:
                for e in errors:
                    questions.add_error(m.group(1), e)
                continue
            target = field if field in form.fields else None
            if field in ("location",):
                target = "lat" if "lat" in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def error_summary(form: forms.Form) -> list[dict]:
    items = []
    for field, errors in form.errors.items():
        for e in errors:
            if field == "__all__" or field not in form.fields:
                items.append({"text": e, "href": ""})
            else:
                bf = form[field]
                widget = bf.field.widget
                anchor = f"{bf.auto_id}_0" if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)) else bf.auto_id
                # a message that quotes its question already says which field it is about
                text = str(e) if f"“{bf.label}”" in str(e) else f"{bf.label}: {e}"
                items.append({"text": text, "href": f"#{anchor}"})
    return items
