from django.core.management.base import BaseCommand

from tinhso.demo.loader import load_demo, logins_text


class Command(BaseCommand):
    help = "Nạp tỉnh trình diễn (Thái Nguyên): cơ quan, thủ tục, tài khoản, hồ sơ mẫu. Chạy lại không tạo trùng."

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(self.style.SUCCESS("Đã nạp tỉnh trình diễn Thái Nguyên."))
        for line in result["dossiers"]:
            self.stdout.write(f"  hồ sơ mẫu: {line}")
        self.stdout.write(logins_text())
