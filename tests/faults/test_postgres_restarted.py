"""PostgreSQL killed and restarted (`pg_ctl restart -m immediate`: crash recovery) twice during a burst
of submissions, on a private cluster of this test (never the shared server). The web server stays up:
its workers must reconnect by themselves (CONN_HEALTH_CHECKS), every acknowledged submission is
stored once with its code, codes stay gapless, and no dossier is half-written."""
import time

import pytest

from .conftest import Burst, Server, assert_burst_sound, probe, process_env

pytestmark = pytest.mark.faults

RESTARTS = 2


def test_acknowledged_submissions_survive_postgres_restarted_mid_burst(private_postgres, tmp_path):
    t0 = time.monotonic()
    env = process_env(tmp_path, private_postgres.url)
    probe(env, "migrate")
    setup = probe(env, "setup-burst")
    server = Server(env, tmp_path / "gunicorn.log")
    server.start()
    t_setup = time.monotonic() - t0
    burst = Burst(server.base, setup)
    acked_after_restart, downtimes = [], []
    try:
        burst.start()
        burst.wait_acks(12, at_most=20)
        for _ in range(RESTARTS):
            t = time.monotonic()
            private_postgres.restart()  # open transactions of the workers die with their connections
            downtimes.append(round(time.monotonic() - t, 1))
            before = burst.acked()
            burst.wait_acks(12, at_most=30)
            acked_after_restart.append(burst.acked() - before)
        assert server.proc.poll() is None, "gunicorn died with the database"
    finally:
        burst.finish()
        server.stop()
    t_burst = time.monotonic() - t0 - t_setup
    report = probe(env, "check-burst", str(burst.save(tmp_path / "acks.json")))
    print(f"postgresql (private cluster): set-up {t_setup:.0f} s, burst {t_burst:.0f} s "
          f"(restarts {downtimes} s);", report, dict(burst.errors))
    assert all(n > 0 for n in acked_after_restart), f"no acknowledgement after a restart: {acked_after_restart}"
    assert sum(n for k, n in burst.errors.items() if k.startswith("http:5")) > 0, "no request met the restart"
    assert_burst_sound(burst, report)
