"""Origins and the origin guard's verdicts, header by header (fast; the served app is attacked in
test_cross_site.py), and the SameSite rewrite of Gradio's log-in cookie."""

import pytest
from conftest import make_settings
from starlette.datastructures import Headers

from assistant.config.origins import origin_of, parse_origins
from assistant.surfaces.ui.browser_policy import same_site_lax
from assistant.surfaces.ui.origin_guard import OriginGuard

APP = {"type": "http", "scheme": "https", "method": "POST", "path": "/gradio_api/call/ask"}


def test_origins_are_normalised_and_bad_ones_named(tmp_path):
    assert origin_of("HTTPS://Portal.Example.org:443/page?x=1") == "https://portal.example.org"
    assert origin_of("http://10.0.0.5:8080/") == "http://10.0.0.5:8080"
    assert origin_of("javascript:alert(1)") is None and origin_of("null") is None
    assert make_settings(tmp_path, BRIEFING_ALLOWED_ORIGINS="https://a.example.org, http://b.example.org:8080/"
                         ).allowed_origins == ("https://a.example.org", "http://b.example.org:8080")
    for bad in ("portal.example.org", "https://a.example.org/path", "ftp://a.example.org"):
        with pytest.raises(ValueError, match="BRIEFING_ALLOWED_ORIGINS takes origins"):
            parse_origins(bad, "BRIEFING_ALLOWED_ORIGINS")


@pytest.mark.parametrize("headers, allowed", [
    ({"host": "briefing.example.org", "origin": "https://briefing.example.org"}, True),
    ({"host": "briefing.example.org:8443", "origin": "https://briefing.example.org:8443"}, True),
    ({"host": "briefing.example.org", "origin": "https://evil.example"}, False),
    ({"host": "briefing.example.org", "origin": "http://briefing.example.org"}, False),  # another scheme, another origin
    ({"host": "briefing.example.org", "origin": "null"}, False),
    ({"host": "briefing.example.org", "origin": "https://portal.example.org"}, True),  # allowed
    ({"host": "briefing.example.org", "referer": "https://evil.example/offers.html"}, False),
    ({"host": "briefing.example.org", "referer": "https://briefing.example.org/"}, True),
    ({"host": "127.0.0.1:7860", "origin": "https://briefing.example.org", "sec-fetch-site": "same-origin"}, True),
    ({"host": "briefing.example.org", "sec-fetch-site": "cross-site"}, False),
    ({"host": "briefing.example.org", "sec-fetch-site": "same-site"}, False),
    ({"host": "briefing.example.org", "sec-fetch-site": "none"}, True),  # typed into the address bar
    ({"host": "briefing.example.org"}, True),  # no browser page: a script with its own session
])
def test_the_guard_lets_through_only_the_apps_own_pages_and_allowed_origins(headers, allowed):
    guard = OriginGuard(app=None, allowed=("https://portal.example.org",))
    assert guard.allows(APP, Headers(headers))[0] is allowed


def test_gradios_same_site_none_cookie_becomes_lax():
    cookie = "access-token-x=abc; HttpOnly; Path=/; SameSite=none; Secure"
    assert same_site_lax(cookie) == "access-token-x=abc; HttpOnly; Path=/; Secure; SameSite=Lax"
    assert same_site_lax("a=b; Path=/") == "a=b; Path=/; SameSite=Lax"
