"""Settings of the benchmark server: the product's settings with the bench URLconf (bare baseline views).

Used only by bench/ (DJANGO_SETTINGS_MODULE=bench_settings, PYTHONPATH=bench). Never imported by the product."""
from tinhso.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_urls"
# The benchmarks send hundreds of dossiers and reports a second from one address and one account: the
# rate limits (tinhso.security.ratelimits) would answer 429 to most of them. TINHSO_RATELIMIT=0 does the
# same for a server started with the product's settings.
RATELIMIT_ENABLE = False
# The same for the cap on unused uploaded papers per account (bench/submission.py uploads thousands from one):
# 0 = no cap (and no count of the account's unused papers at each upload).
MAX_PENDING_UPLOADS = 0

# BENCH_NO_REPORT_HOOKS=1 (bench/reports_create.py --without-hooks): a diagnostic run without the hooks other
# domains register on report changes (feedback.hooks: scoring's rollups), to show what they cost.
import os as _os  # noqa: E402

if _os.environ.get("BENCH_NO_REPORT_HOOKS") == "1":
    INSTALLED_APPS = [*INSTALLED_APPS, "bench_nohooks.NoReportHooks"]  # noqa: F405 (last: after every ready())
