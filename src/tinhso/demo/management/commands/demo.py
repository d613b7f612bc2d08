from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from tinhso.demo.loader import DEMO_SIMULATION_DOSSIERS, load_demo, logins_text


class Command(BaseCommand):
    help = ("Nạp tỉnh trình diễn (Thái Nguyên): cơ quan, thủ tục, tài khoản, hồ sơ mẫu và một năm mô phỏng. "
            "Chạy lại không tạo trùng.")

    def add_arguments(self, parser):
        parser.add_argument("--simulate", type=int, default=DEMO_SIMULATION_DOSSIERS,
                            help="số hồ sơ của năm mô phỏng, chỉ lần nạp đầu (0: không mô phỏng)")

    def handle(self, *args, simulate, **options):
        # The notices the demo's own actions trigger (alerts to officials) are not real: keep them off the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            result = load_demo(simulate_dossiers=max(0, simulate))
        self.stdout.write(self.style.SUCCESS("Đã nạp tỉnh trình diễn Thái Nguyên."))
        for line in result["dossiers"]:
            self.stdout.write(f"  mẫu: {line}")
        sim = result["simulation"]
        if sim is not None:
            n = lambda v: f"{v:,}".replace(",", ".")  # noqa: E731 - Vietnamese thousands separator
            self.stdout.write(f"  mô phỏng năm {sim.year}: {n(sim.dossiers)} hồ sơ, {n(sim.reports)} phản ánh "
                              f"trong {sim.seconds:.1f} giây")
        self.stdout.write(logins_text())
