from django.core.management.base import BaseCommand, CommandError

from tinhso.demo.accounts import current_code
from tinhso.people.models import User


class Command(BaseCommand):
    help = "In mã TOTP hiện tại của một tài khoản cán bộ trình diễn."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username.lower()).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        try:
            self.stdout.write(current_code(user))
        except Exception as exc:
            raise CommandError(f"Tài khoản “{username}” chưa có TOTP: {exc}") from exc
