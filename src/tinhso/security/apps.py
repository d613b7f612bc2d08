from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "tinhso.security"
    label = "security"
    verbose_name = "An toàn: giới hạn tần suất, tiêu đề bảo mật"
