import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from tinhso.people import services
from tinhso.people.models import PhoneCode
from tinhso.people.sms import HttpSmsBackend, SmsError


class Gateway:
    """A stand-in SMS gateway on 127.0.0.1: answers with `status`, or hangs until released."""

    def __init__(self, status=200, hang=False):
        self.status, self.hang, self.requests = status, hang, []
        self.release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append((self.headers.get("Authorization"), json.loads(body)))
                if gateway.hang:
                    gateway.release.wait(10)
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_success_posts_json_with_bearer_token():
    with Gateway() as gw:
        HttpSmsBackend(url=gw.url, token="bi-mat", timeout=2).send(phone="0912345678", text="Mã 123456")
    assert gw.requests == [("Bearer bi-mat", {"to": "0912345678", "text": "Mã 123456"})]


def test_server_error_raises():
    with Gateway(status=503) as gw, pytest.raises(SmsError, match="503"):
        HttpSmsBackend(url=gw.url, token="t", timeout=2).send(phone="0912345678", text="x")


def test_timeout_raises():
    with Gateway(hang=True) as gw, pytest.raises(SmsError, match="timeout"):
        HttpSmsBackend(url=gw.url, token="t", timeout=0.2).send(phone="0912345678", text="x")


@pytest.mark.django_db
def test_failed_send_leaves_no_usable_code(citizen, settings):
    settings.SMS_BACKEND = "tinhso.people.sms.HttpSmsBackend"
    with Gateway(status=500) as gw:
        settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN, settings.SMS_HTTP_TIMEOUT = gw.url, "t", 2
        with pytest.raises(ValidationError, match="Chưa gửi được"):
            services.phone_code_send(actor=citizen)
    assert len(gw.requests) == 1
    pc = PhoneCode.objects.get(user=citizen)
    from django.utils import timezone
    assert pc.expires_at <= timezone.now()  # the code can no longer be used
