"""SMS adapters. `settings.SMS_BACKEND` names the class; `sms_send(phone=, text=)` uses it.

- ConsoleSmsBackend: prints the message (demo and development).
- HttpSmsBackend: POSTs JSON {"to", "text"} to settings.SMS_HTTP_URL with
  "Authorization: Bearer <settings.SMS_HTTP_TOKEN>", with connect/read timeouts
  (settings.SMS_HTTP_TIMEOUT, seconds, default 5). Any network error, timeout or non-2xx answer
  raises SmsError.
"""
from __future__ import annotations

import logging
import sys

import requests
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the SMS gateway."""


class ConsoleSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS tới {phone}] {text}\n")
        sys.stdout.flush()


class HttpSmsBackend:
    def __init__(self, *, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout if timeout is not None else float(getattr(settings, "SMS_HTTP_TIMEOUT", 5))

    def send(self, *, phone: str, text: str) -> None:
        if not self.url:
            raise SmsError("SMS_HTTP_URL is not set")
        try:
            response = requests.post(
                self.url,
                json={"to": phone, "text": text},
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                timeout=(self.timeout, self.timeout),
            )
        except requests.Timeout as exc:
            log.warning("SMS gateway timed out: %s", exc)
            raise SmsError("timeout") from exc
        except requests.RequestException as exc:
            log.warning("SMS gateway unreachable: %s", exc)
            raise SmsError("unreachable") from exc
        if not 200 <= response.status_code < 300:
            log.warning("SMS gateway answered %s: %s", response.status_code, response.text[:200])
            raise SmsError(f"HTTP {response.status_code}")


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, phone: str, text: str) -> None:
    sms_backend().send(phone=phone, text=text)
