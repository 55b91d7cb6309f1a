"""One rule for the client's address (TRUSTED_PROXY_COUNT), the same for axes, allauth and DRF.

0 proxies: X-Forwarded-For is the client's own words and is ignored, so changing it
escapes nothing. 1 proxy: the address our proxy appended identifies the client, so an
attacker behind the same proxy as the victim cannot lock the victim out.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from portal.client_ip import client_ip
from portal.tests.test_settings import PRODUCTION_ENV, run_manage

PROXY = "10.0.0.2"  # our nginx, as Django sees it
ATTACKER = "198.51.100.66"
VICTIM = "203.0.113.5"


def request_from(remote_addr: str, xff: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote_addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("count", "remote_addr", "xff", "expected"),
    [
        (0, VICTIM, None, VICTIM),
        (0, ATTACKER, "1.2.3.4", ATTACKER),  # no proxy: the header is never believed
        (1, PROXY, ATTACKER, ATTACKER),
        (1, PROXY, f"1.2.3.4, {ATTACKER}", ATTACKER),  # the client's own prefix is ignored
        (1, PROXY, f"1.2.3.4,{ATTACKER}:51234", ATTACKER),
        (1, PROXY, "2001:db8::7", "2001:db8::7"),
        (1, PROXY, None, PROXY),  # not relayed (e.g. a health check): the peer
        (1, PROXY, "not-an-ip", PROXY),
        (2, PROXY, f"9.9.9.9, {VICTIM}, 10.0.0.1", VICTIM),
        (2, PROXY, VICTIM, PROXY),  # fewer hops than proxies: only the peer is certain
    ],
)
def test_client_ip(settings: Any, count: int, remote_addr: str, xff: str | None, expected: str) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from(remote_addr, xff)) == expected


def test_every_component_uses_the_one_setting(settings: Any) -> None:
    from allauth.account.adapter import get_adapter
    from axes.helpers import get_client_ip_address
    from rest_framework.settings import api_settings

    from portal.api.throttling import AuthRateThrottle

    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(PROXY, f"1.2.3.4, {ATTACKER}")
    assert get_client_ip_address(request) == ATTACKER
    assert get_adapter(request).get_client_ip(request) == ATTACKER
    assert AuthRateThrottle().get_ident(request) == ATTACKER
    # Any DRF throttle without our get_ident would still never trust the raw header.
    assert api_settings.NUM_PROXIES is not None


def test_the_old_per_library_settings_fail_loudly() -> None:
    result = run_manage("check", env={**PRODUCTION_ENV, "AXES_PROXY_COUNT": "1"})
    assert result.returncode != 0
    assert "replaced by TRUSTED_PROXY_COUNT" in result.stderr


def test_trusted_proxy_count_reaches_allauth_and_drf() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    result = run_manage("shell", "-c", code, env={**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["1", "1", "1"]


# --- web login lockout (axes) -----------------------------------------------------


def fail_logins(client: Client, email: str, times: int, **extra: Any) -> Any:
    for _ in range(times):
        response = client.post(reverse("account_login"), {"login": email, "password": "wrong"}, **extra)
    return response


@pytest.mark.django_db
def test_behind_one_proxy_an_attacker_cannot_lock_the_victim_out(
    settings: Any, owner: Any, password: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = fail_logins(
        Client(), owner.email, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    assert attacker.status_code == 429
    victim = Client().post(
        reverse("account_login"),
        {"login": owner.email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=VICTIM,
    )
    assert victim.status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_a_forged_header_does_not_escape_the_lockout(
    settings: Any, owner: Any, password: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("account_login"),
            {"login": owner.email, "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": owner.email, "password": password},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


# --- API sign-in throttle (DRF) -----------------------------------------------------


def token_attempts(count: int, **extra: Any) -> list[int]:
    client = APIClient()
    body = {"email": "nobody@example.com", "password": "wrong"}
    return [
        client.post("/api/v1/auth/token/", body, format="json", **extra).status_code for _ in range(count)
    ]


@pytest.fixture
def two_a_minute(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/minute"},
    }


@pytest.mark.django_db
def test_api_without_a_proxy_changing_the_header_is_still_throttled(
    settings: Any, two_a_minute: None
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    body = {"email": "nobody@example.com", "password": "wrong"}
    codes = [
        client.post(
            "/api/v1/auth/token/",
            body,
            format="json",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        ).status_code
        for i in range(3)
    ]
    assert codes == [400, 400, 429]


@pytest.mark.django_db
def test_api_behind_one_proxy_clients_are_throttled_separately(settings: Any, two_a_minute: None) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert token_attempts(3, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER) == [400, 400, 429]
    # Same proxy, another client: its own budget (before, everyone shared the proxy's).
    assert token_attempts(1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=VICTIM) == [400]
    # The attacker prefixing a made-up address changes nothing.
    assert token_attempts(1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.9, {ATTACKER}") == [429]


# --- allauth rate limits ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("count", "attacker_headers", "other_headers"),
    [
        # No proxy: the attacker forging X-Forwarded-For is still the same address.
        (0, [{"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": f"192.0.2.{i}"} for i in range(3)], None),
        # One proxy: the attacker's limit is not everyone's.
        (
            1,
            [{"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ATTACKER}] * 3,
            {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": VICTIM},
        ),
    ],
)
def test_allauth_limits_follow_the_same_rule(
    settings: Any, count: int, attacker_headers: list[dict], other_headers: dict | None
) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    data = {"email": "", "password1": "x", "password2": "x"}  # invalid: only the limit matters
    codes = [Client().post(reverse("account_signup"), data, **h).status_code for h in attacker_headers]
    assert codes == [200, 200, 429]
    if other_headers is not None:
        assert Client().post(reverse("account_signup"), data, **other_headers).status_code == 200
