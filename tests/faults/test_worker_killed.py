"""The background job consumer SIGKILLed in the middle of the warnings sweep, then again in the middle
of sending its e-mails, and restarted: afterwards the warnings are exactly the set owed (none lost,
none written twice) and every warning's e-mail went out, one Message-ID per warning.

E-mail is written by Django's file backend (TINHSO_EMAIL_URL=file://...), one file per connection: what
a mail server would have received. Exactly-once delivery over a network cannot exist (the process can
die after the mail server took a message and before it records that): the sender claims a batch, sends
each message and marks it sent at once, so a kill can interrupt at most the ONE message being handed
over, and that message goes out again with the same Message-ID, which mail systems show once. The test
checks that bound: at most one re-sent message per kill that fell during the sending, never a second
distinct e-mail for a warning, never a warning without its e-mail."""
import time

import pytest

from .conftest import Consumer, count_rows, probe, process_env, wait_for
from .probe import read_mail_dir

pytestmark = pytest.mark.faults

DOSSIERS = 800  # 400 late, 400 due within hours; each warns 3 people for itself and 3 for its step: 4,800


def test_worker_killed_mid_sweep_loses_no_warning_and_sends_none_twice(fault_db, tmp_path):
    url, label = fault_db
    mail_dir = tmp_path / "mail"
    env = process_env(tmp_path, url, TINHSO_WARNINGS_EMAIL_LEASE="3")
    t0 = time.monotonic()
    setup = probe(env, "setup-warnings", str(DOSSIERS))
    expected = setup["expected_warnings"]
    assert expected == DOSSIERS * 6
    warnings = lambda: count_rows(url, "SELECT COUNT(*) FROM dossiers_warning")  # noqa: E731
    emails = lambda: len(read_mail_dir(mail_dir)) if mail_dir.exists() else 0  # noqa: E731
    consumer = Consumer(env, tmp_path / "jobs.log")
    kills = []
    try:
        # 1. Killed while the sweep writes the warnings (or, on a fast machine, just after).
        consumer.start()
        probe(env, "enqueue-sweep")
        wait_for(lambda: warnings() > 0, timeout=180, interval=0.02, what="the sweep's first warnings")
        consumer.kill()
        kills.append({"warnings": warnings(), "emails": emails()})
        # 2. Restarted (the sweep's lock, left behind, must not block it), killed while sending e-mails.
        consumer.start()
        probe(env, "enqueue-sweep")
        wait_for(lambda: emails() >= expected * 0.4, timeout=300, interval=0.02, what="40 % of the e-mails")
        consumer.kill()
        kills.append({"warnings": warnings(), "emails": emails()})
        # 3. Restarted: the periodic sweep (enqueued here every few seconds) finishes the job, taking over
        #    the claims of the killed sender once their lease (3 s here, 10 min by default) has passed.
        consumer.start()
        deadline = time.monotonic() + 300
        while True:
            probe(env, "enqueue-sweep")
            done = probe(env, "progress")
            if done["warnings"] >= expected and done["emailed"] >= done["warnings"]:
                break
            assert time.monotonic() < deadline, f"the sweep did not finish: {done}"
            time.sleep(2)
    finally:
        consumer.stop()
    report = probe(env, "check-warnings", str(mail_dir))
    print(f"{label}: {time.monotonic() - t0:.0f} s; kills at {kills};", report)
    assert kills[0]["warnings"] < expected or kills[0]["emails"] < expected, "first kill came after the sweep"
    assert kills[1]["emails"] < expected, "second kill came after the e-mails"
    assert not report["problems"], "\n".join(report["problems"][:20])
    assert report["warnings"] == report["distinct_emails"] == expected
    during_sending = sum(1 for k in kills if 0 < k["warnings"] and k["emails"] < expected)
    assert len(report["sent_again"]) <= during_sending and report["most_copies"] <= 2, report["sent_again"]
