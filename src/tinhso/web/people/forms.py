"""Forms of the people pages. They parse input; the people services decide and write."""
from __future__ import annotations

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.people.cccd import cccd_validate
from tinhso.people.models import Role, User
from tinhso.people.services import citizen_register, phone_normalize

DATE_FORMATS = ["%d/%m/%Y"]


class CitizenSignupForm(SignupForm):
    """allauth's sign-up form for citizens: the CCCD number is the user name."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), input_formats=DATE_FORMATS, help_text=_("Theo dạng ngày/tháng/năm, ví dụ 05/09/1990."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "bday", "inputmode": "numeric"}),
        error_messages={"invalid": _("Ngày sinh: hãy nhập theo dạng dd/mm/yyyy, ví dụ 05/09/1990."),
                        "required": _("Ngày sinh: hãy nhập ngày sinh.")})
    gender = forms.ChoiceField(label=_("Giới tính"), choices=User.Gender.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Giới tính: hãy chọn Nam hoặc Nữ.")})
    phone = forms.CharField(label=_("Số điện thoại di động"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
                            error_messages={"required": _("Số điện thoại: hãy nhập số di động của bạn.")})

    field_order = ["username", "full_name", "date_of_birth", "gender", "phone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["username"].label = _("Số CCCD (căn cước, 12 chữ số)")
        f["username"].help_text = _("Số in trên thẻ căn cước. Bạn dùng số này để đăng nhập.")
        f["username"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "username", "placeholder": ""})
        f["username"].error_messages["required"] = _("Số CCCD: hãy nhập số in trên thẻ căn cước.")
        f["email"].label = _("Thư điện tử")
        f["email"].widget.attrs["placeholder"] = ""
        f["email"].error_messages["required"] = _("Thư điện tử: hãy nhập địa chỉ thư điện tử.")
        f["email"].error_messages["invalid"] = _("Thư điện tử: hãy nhập địa chỉ dạng ten@vidu.vn.")
        f["password1"].label = _("Mật khẩu")
        f["password1"].help_text = _("Ít nhất 10 ký tự, không chỉ gồm chữ số, không giống số CCCD hay họ tên.")
        f["password1"].widget.attrs["placeholder"] = ""
        f["password1"].error_messages["required"] = _("Mật khẩu: hãy nhập mật khẩu.")
        if "password2" in f:
            f["password2"].label = _("Nhập lại mật khẩu")
            f["password2"].widget.attrs["placeholder"] = ""
            f["password2"].error_messages["required"] = _("Nhập lại mật khẩu: hãy nhập lại mật khẩu.")
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("username")
        if number and "date_of_birth" not in self.errors and "gender" not in self.errors:
            try:
                cccd_validate(number=number, date_of_birth=cleaned.get("date_of_birth"), gender=cleaned.get("gender"))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for m in messages:
                        self.add_error("username" if field == "cccd" else field, m)
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = phone_normalize(cleaned["phone"])
            except ValidationError as exc:
                self.add_error("phone", exc.message_dict["phone"])
        if "password2" in self.errors:
            self.errors["password2"] = self.error_class([_("Nhập lại mật khẩu: hai mật khẩu phải giống nhau.")])
        return cleaned

    def save(self, request):
        data = self.cleaned_data
        return citizen_register(
            actor=None, cccd=data["username"], full_name=data["full_name"], date_of_birth=data["date_of_birth"],
            gender=data["gender"], phone=data["phone"], email=data["email"], password=data["password1"])


class CitizenLoginForm(LoginForm):
    login_label = _("Số CCCD")
    login_help = _("12 chữ số in trên thẻ căn cước.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = self.login_label
        self.fields["login"].help_text = self.login_help
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].error_messages["required"] = _("%(f)s: hãy nhập.") % {"f": self.login_label}
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].error_messages["required"] = _("Mật khẩu: hãy nhập mật khẩu.")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Ghi nhớ đăng nhập trên máy này")


class OfficialLoginForm(CitizenLoginForm):
    login_label = _("Tên đăng nhập cán bộ")
    login_help = _("Tên đăng nhập do quản trị cơ quan cấp.")


class OfficialCreateForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=40,
                               help_text=_("Chữ thường không dấu, ví dụ nguyen.van.an."))
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử công vụ"),
                             error_messages={"invalid": _("Thư điện tử: hãy nhập địa chỉ dạng ten@vidu.gov.vn.")})
    title = forms.CharField(label=_("Chức vụ"), max_length=100, required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=None,
                                    error_messages={"invalid_choice": _("Cơ quan: hãy chọn trong danh sách.")})
    roles = forms.MultipleChoiceField(label=_("Vai trò"), choices=Role.choices, widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Vai trò: hãy chọn ít nhất một vai trò.")})

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        for name in ("username", "full_name", "email"):
            self.fields[name].error_messages["required"] = _("%(f)s: hãy nhập.") % {"f": self.fields[name].label}


class OfficialRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Vai trò"), choices=Role.choices, widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Vai trò: hãy chọn ít nhất một vai trò.")})
