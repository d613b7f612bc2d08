from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from tinhso.demo.loader import load_demo, logins_text


class Command(BaseCommand):
    help = "Nạp tỉnh trình diễn (Thái Nguyên): cơ quan, thủ tục, tài khoản, hồ sơ mẫu. Chạy lại không tạo trùng."

    def handle(self, *args, **options):
        # The notices the demo's own actions trigger (alerts to officials) are not real: keep them off the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            result = load_demo()
        self.stdout.write(self.style.SUCCESS("Đã nạp tỉnh trình diễn Thái Nguyên."))
        for line in result["dossiers"]:
            self.stdout.write(f"  mẫu: {line}")
        self.stdout.write(logins_text())
