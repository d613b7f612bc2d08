"""The form engine: a Django form class built from a procedure's form definition (FormField rows).
Labels, help and error messages are Vietnamese and name the field; dates are typed dd/mm/yyyy."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _

from .models import FieldType, FormField, Procedure

CCCD_RE = r"^[0-9]{12}$"
PHONE_RE = r"^(0|\+84)[0-9]{9}$"


def _messages(label: str) -> dict[str, str]:
    return {
        "required": _("Hãy nhập “%(f)s”.") % {"f": label},
        "invalid": _("“%(f)s” không hợp lệ.") % {"f": label},
        "invalid_choice": _("Hãy chọn “%(f)s” trong danh sách.") % {"f": label},
        "max_length": _("“%(f)s” dài quá, tối đa %%(limit_value)d ký tự.") % {"f": label},
        "min_value": _("“%(f)s” phải từ %%(limit_value)s trở lên.") % {"f": label},
        "max_value": _("“%(f)s” phải không quá %%(limit_value)s.") % {"f": label},
        "max_digits": _("“%(f)s” có quá nhiều chữ số.") % {"f": label},
        "max_decimal_places": _("“%(f)s” có quá nhiều chữ số thập phân.") % {"f": label},
        "max_whole_digits": _("“%(f)s” có quá nhiều chữ số.") % {"f": label},
    }


def _field_for(ff: FormField) -> forms.Field:
    label = ff.label
    msgs = _messages(label)
    common = {"label": label, "required": ff.required, "help_text": ff.help_text, "error_messages": msgs}
    validators = []
    if ff.regex:
        validators.append(RegexValidator(ff.regex, ff.regex_message or _("“%(f)s” không đúng định dạng.") % {"f": label}, code="pattern"))
    t = ff.type
    if t in (FieldType.TEXT, FieldType.TEXTAREA):
        widget = forms.Textarea(attrs={"rows": 4}) if t == FieldType.TEXTAREA else forms.TextInput
        return forms.CharField(max_length=ff.max_length, widget=widget, validators=validators, **common)
    if t == FieldType.DATE:
        msgs["invalid"] = _("“%(f)s” phải là ngày dạng dd/mm/yyyy, ví dụ 02/09/1945.") % {"f": label}
        return forms.DateField(input_formats=["%d/%m/%Y"], widget=forms.DateInput(format="%d/%m/%Y",
                               attrs={"inputmode": "numeric", "placeholder": "dd/mm/yyyy"}), validators=validators, **common)
    if t == FieldType.NUMBER:
        msgs["invalid"] = _("“%(f)s” phải là một số.") % {"f": label}
        return forms.DecimalField(min_value=ff.min_value, max_value=ff.max_value, max_digits=18, decimal_places=4,
                                  validators=validators, **common)
    if t == FieldType.SELECT:
        choices = [("", _("— Chọn —"))] + [(c["value"], c["label"]) for c in ff.choices]
        return forms.ChoiceField(choices=choices, validators=validators, **common)
    if t == FieldType.CHECKBOX:
        msgs["required"] = _("Hãy đánh dấu “%(f)s”.") % {"f": label}
        return forms.BooleanField(**common)
    if t == FieldType.CCCD:
        validators.append(RegexValidator(CCCD_RE, _("“%(f)s” phải gồm đúng 12 chữ số.") % {"f": label}, code="cccd"))
        return forms.CharField(max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                               validators=validators, **common)
    if t == FieldType.PHONE:
        validators.append(RegexValidator(PHONE_RE, _("“%(f)s” phải là số điện thoại 10 chữ số bắt đầu bằng 0, ví dụ 0912345678.")
                                         % {"f": label}, code="phone"))
        return forms.CharField(max_length=15, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                               validators=validators, **common)
    if t == FieldType.EMAIL:
        msgs["invalid"] = _("“%(f)s” phải là địa chỉ thư điện tử, ví dụ ten@example.vn.") % {"f": label}
        return forms.EmailField(max_length=ff.max_length or 254, validators=validators, **common)
    raise ValueError(f"unknown form field type {t!r}")


class ProcedureApplicationForm(forms.Form):
    """Base of every generated form; `procedure` is set on the generated class."""

    procedure: Procedure | None = None


def form_class_for(procedure: Procedure) -> type[forms.Form]:
    """A Django form class for the procedure's application form, fields in their defined order."""
    fields = {ff.key: _field_for(ff) for ff in procedure.form_fields.all()}
    attrs = dict(fields, procedure=procedure)
    return type(f"Form_{procedure.code.replace('.', '_')}", (ProcedureApplicationForm,), attrs)


class _SharedFields(dict):
    """A validating form's fields, shared by its instances instead of deep-copied for each (a fifth of a
    submission's validation): validation never changes a field; only a form that is rendered needs its copy."""

    def __deepcopy__(self, memo):
        return self


def validator_class_for(procedure: Procedure) -> type[forms.Form]:
    """The procedure's form class for validating only (never rendered): the same fields, shared by its instances."""
    base = getattr(procedure, "form_class", None) or form_class_for(procedure)
    cls = type(f"{base.__name__}_Validator", (base,), {})
    cls.base_fields = _SharedFields(cls.base_fields)
    return cls


def json_safe(cleaned: dict) -> dict:
    """Cleaned data as JSON values: dates as YYYY-MM-DD, numbers as int or float."""
    out = {}
    for key, value in cleaned.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        out[key] = value
    return out
