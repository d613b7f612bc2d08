"""The web server SIGKILLed (master and workers at once) during a burst of submissions, twice, and
restarted: every submission acknowledged to a client is stored once with the code it was told, codes
stay gapless per agency and day, and no dossier is half-written (SQLite or PostgreSQL: the suite's)."""
import time

import pytest

from .conftest import Burst, Server, assert_burst_sound, probe, process_env

pytestmark = pytest.mark.faults

KILLS = 2


def test_acknowledged_submissions_survive_the_server_killed_mid_burst(fault_db, tmp_path):
    url, label = fault_db
    t0 = time.monotonic()
    env = process_env(tmp_path, url)
    setup = probe(env, "setup-burst")
    server = Server(env, tmp_path / "gunicorn.log")
    server.start()
    t_setup = time.monotonic() - t0
    burst = Burst(server.base, setup)
    acked_after_restart, restarts = [], []
    try:
        burst.start()
        burst.wait_acks(12, at_most=20)
        for _ in range(KILLS):
            server.kill()  # requests in flight are cut off mid-transaction
            t = time.monotonic()
            server.start()
            restarts.append(round(time.monotonic() - t, 1))
            before = burst.acked()
            burst.wait_acks(12, at_most=25)
            acked_after_restart.append(burst.acked() - before)
    finally:
        burst.finish()
        server.stop()
    t_burst = time.monotonic() - t0 - t_setup
    report = probe(env, "check-burst", str(burst.save(tmp_path / "acks.json")))
    print(f"{label}: set-up {t_setup:.0f} s, burst {t_burst:.0f} s (restarts {restarts} s);", report, dict(burst.errors), f"desk requests in doubt: {len(burst.in_doubt_desk)}")
    assert all(n > 0 for n in acked_after_restart), f"no acknowledgement after a restart: {acked_after_restart}"
    assert sum(n for k, n in burst.errors.items() if k.startswith("connection")) > 0, "no request was cut off"
    assert_burst_sound(burst, report)
