"""Adapter for the national population database (CSDL quốc gia về dân cư): identity checks over HTTP.

The real API is not reachable from here; this client speaks a plausible JSON API, served in the demo and
the tests by the stand-in `tools/registry_standin`:

    POST {TINHSO_REGISTRY_URL}/v1/citizens/verify
    Authorization: Bearer {TINHSO_REGISTRY_TOKEN}
    {"cccd": "019090001234", "full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-12"}
    → 200 {"match": true, "permanent_address": {"commune_code": "05443", "commune_name": "...",
                                                "province_code": "19", "province_name": "...",
                                                "street": "..."}}
    → 200 {"match": false, "permanent_address": null}

Timeouts per attempt, bounded retries with exponential backoff on connection errors, timeouts and 5xx,
all within a total time budget; anything else that goes wrong is a `RegistryUnavailable`.
When `TINHSO_REGISTRY_URL` is unset there is no registry: every check is "unavailable".
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings


class RegistryUnavailable(Exception):
    """The registry could not answer (not configured, unreachable, too slow, 5xx, bad reply)."""


@dataclass(frozen=True)
class RegistryAnswer:
    match: bool
    permanent_address: dict = field(default_factory=dict)


@dataclass
class PopulationRegistry:
    base_url: str
    token: str = ""
    timeout: float = 1.0  # seconds per attempt (connect and read)
    retries: int = 2  # further attempts after the first one
    backoff: float = 0.2  # seconds before the first retry; doubles each time
    budget: float = 3.0  # total seconds, retries included
    session: requests.Session | None = None

    def verify(self, *, cccd: str, full_name: str, date_of_birth: dt.date) -> RegistryAnswer:
        if not self.base_url:
            raise RegistryUnavailable("registry not configured (TINHSO_REGISTRY_URL unset)")
        url = self.base_url.rstrip("/") + "/v1/citizens/verify"
        payload = {"cccd": cccd, "full_name": full_name, "date_of_birth": date_of_birth.isoformat()}
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        session = self.session or requests.Session()
        deadline = time.monotonic() + self.budget
        delay = self.backoff
        last_error = "no attempt"
        for attempt in range(self.retries + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                break
            try:
                response = session.post(url, json=payload, headers=headers,
                                        timeout=min(self.timeout, remaining))
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code >= 500:
                    last_error = f"HTTP {response.status_code}"
                elif response.status_code != 200:
                    # 4xx will not get better by asking again (bad token, bad request).
                    raise RegistryUnavailable(f"HTTP {response.status_code}")
                else:
                    return _parse(response)
            if attempt < self.retries:
                pause = min(delay, deadline - time.monotonic() - 0.05)
                if pause <= 0:
                    break
                time.sleep(pause)
                delay *= 2
        raise RegistryUnavailable(last_error)


def _parse(response: requests.Response) -> RegistryAnswer:
    try:
        data = response.json()
    except ValueError as exc:
        raise RegistryUnavailable("reply is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("match"), bool):
        raise RegistryUnavailable("reply has no boolean 'match'")
    address = data.get("permanent_address") or {}
    if not isinstance(address, dict):
        raise RegistryUnavailable("'permanent_address' is not an object")
    return RegistryAnswer(match=data["match"], permanent_address=address if data["match"] else {})


def registry_default() -> PopulationRegistry:
    """The registry configured by the TINHSO_REGISTRY_* settings (base_url "" when unset)."""
    return PopulationRegistry(
        base_url=getattr(settings, "REGISTRY_URL", ""),
        token=getattr(settings, "REGISTRY_TOKEN", ""),
        timeout=getattr(settings, "REGISTRY_TIMEOUT", 1.0),
        retries=getattr(settings, "REGISTRY_RETRIES", 2),
        budget=getattr(settings, "REGISTRY_BUDGET", 3.0),
    )
