"""Another website cannot act as a signed-in official: the app served as a ministry serves it, HTTPS on a
hostname behind a TLS proxy (Debian's nginx, `deploy/nginx-briefing.conf`, a self-signed certificate made
here), signed in to by an admin in headless Chromium that allows third-party cookies, then pages on
other origins try to read a restricted answer (`/ask`) and to create an admin (`/set_user`).

- `attacker.example`: another site altogether;
- `wiki.ministry.test`: another origin on the app's own site (a compromised intranet page), which a
  SameSite cookie alone does not stop;
- `portal.ministry.test`: listed in `BRIEFING_ALLOWED_ORIGINS`, so its calls go through; this also
  shows that the attack page's code works and fails only where the app refuses it.

The same served site then shows the official's own frame in the browser: a throttled log-in told when
to try again, who is signed in, and log-out.

Real `briefing serve`, real nginx, real Chromium (host names mapped to 127.0.0.1 by
`--host-resolver-rules`); nothing is faked.
"""

import json

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from conftest import users_in
from test_access import QUESTION, leaks
from test_browser import CHROMIUM, CHROMIUM_ARGS, REPO
from test_security import PASSWORDS, running_site
from test_ui import free_port
from tls_proxy import tls_proxy


pytestmark = pytest.mark.slow
APP = "briefing.ministry.test"
ATTACKER = "attacker.example"
WIKI = "wiki.ministry.test"
PORTAL = "portal.ministry.test"
FAILED_TRIES = REPO / "test-output" / "cross-site"
ATTACK_PAGE = """<!doctype html><title>Cheap flights</title>
<script>
const APP = %(app)s;
async function call(name, data) {
  const start = await fetch(`${APP}/gradio_api/call/${name}`, {method: "POST", credentials: "include",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({data})});
  if (!start.ok) return `refused: HTTP ${start.status}`;
  const {event_id} = await start.json();
  const events = await fetch(`${APP}/gradio_api/call/${name}/${event_id}`, {credentials: "include"});
  return await events.text();
}
async function attempt(name, data) {
  try { return await call(name, data); } catch (error) { return `blocked: ${error}`; }
}
async function attack(newAdmin) {
  return {ask: await attempt("ask", [%(question)s, [], []]),
          set_user: await attempt("set_user", [newAdmin, "mallory-pass-1", "restricted", "admin"])};
}
</script><p>Loading offers…</p>
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The site of test_security (ada: restricted admin) behind nginx on a hostname; yields (site, proxy)."""
    port = free_port()
    with running_site(tmp_path_factory, BRIEFING_ALLOWED_ORIGINS=f"https://{PORTAL}:{port}") as site:
        with tls_proxy(site.root / "proxy", port, APP, site.url.rstrip("/"), [ATTACKER, WIKI, PORTAL]) as proxy:
            (proxy.pages / "offers.html").write_text(
                ATTACK_PAGE % {"app": json.dumps(proxy.app_url), "question": json.dumps(QUESTION)}, encoding="utf-8")
            yield site, proxy


def users_of(site):
    return users_in(site.home)


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium with the test's host names mapped to 127.0.0.1 and third-party cookies allowed.

    A persistent profile, not Playwright's usual incognito-like context (which blocks third-party
    cookies), with cookie controls set to allow them, as an official's own browser may."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": 0,
                                                                           "block_third_party_cookies": False}}))
    rules = ",".join(f"MAP {host} 127.0.0.1" for host in (APP, ATTACKER, WIKI, PORTAL))
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
            ignore_https_errors=True, viewport={"width": 1280, "height": 900})
        yield context
        context.close()


def open_log_in(page, url: str, tries: int = 3):
    """Open the log-in form. Once in a full CI run (not reproduced in isolation) the form had not appeared 30 s after
    the page loaded; a try that fails keeps a screenshot and the page's text under test-output/cross-site/ and loads
    the page again, so a slow start does not fail the cross-site checks while a page that never shows the form
    still does."""
    for attempt in range(1, tries + 1):
        page.goto(url)
        try:
            page.get_by_label("username").wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            if attempt == tries:
                raise
            FAILED_TRIES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(FAILED_TRIES / f"log-in-try-{attempt}.png"))
            (FAILED_TRIES / f"log-in-try-{attempt}.txt").write_text(page.content(), encoding="utf-8")


def sign_in(page, url: str, name: str):
    open_log_in(page, url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Login").click()
    page.locator("#question textarea").wait_for(timeout=60_000)
    return page


def test_pages_on_other_origins_cannot_ask_or_add_users_as_the_signed_in_admin(served, browser):
    site, proxy = served
    violations: list[str] = []
    app = browser.new_page()
    app.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    sign_in(app, proxy.app_url, "ada")
    app.locator("#question textarea").fill(QUESTION)
    app.locator("#ask").click()
    app.locator("#chat").get_by_text("3 March 2024", exact=False).first.wait_for(timeout=60_000)
    app.locator("#sources mark").get_by_text("zebrafinch protocol", exact=False).wait_for(timeout=10_000)
    assert violations == []  # the app works through the proxy, under its own security policy
    app.evaluate("url => { const image = new Image(); image.src = url; document.body.append(image); }",
                 f"{proxy.url(ATTACKER)}/beacon.png")
    app.wait_for_timeout(1000)
    assert any("img-src" in v and "beacon.png" in v for v in violations), violations  # no remote image loads

    results = {}
    for host in (ATTACKER, WIKI, PORTAL):
        page = browser.new_page()
        page.goto(f"{proxy.url(host)}/offers.html")
        results[host] = page.evaluate("name => attack(name)", f"admin-from-{host.split('.')[0]}")
    print(json.dumps(results, indent=1)[:3000])
    users = users_of(site)
    assert leaks(results[PORTAL]["ask"]) and users.role("admin-from-portal") == "admin"  # the allowed origin may
    for host in (ATTACKER, WIKI):
        assert not leaks(results[host]["ask"]), results[host]
        with pytest.raises(ValueError, match="no user"):
            users.role(f"admin-from-{host.split('.')[0]}")


@pytest.fixture(scope="module")
def https(served):
    """Raw HTTPS to the proxy, as a browser on `APP` would send it (Host names the app's host and port)."""
    _, proxy = served
    with httpx.Client(base_url=f"https://127.0.0.1:{proxy.port}", verify=False, timeout=60,
                      headers={"Host": f"{APP}:{proxy.port}"}) as client:
        yield client, proxy


def test_a_foreign_origin_is_refused_and_never_echoed(https):
    client, proxy = https
    evil = "https://evil.example"
    preflight = client.options("/gradio_api/call/list_documents", headers={
        "Origin": evil, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    login = client.post("/login", data={"username": "ada", "password": PASSWORDS["ada"]}, headers={"Origin": evil})
    assert login.status_code == 403 and "set-cookie" not in login.headers
    assert "BRIEFING_ALLOWED_ORIGINS" in login.text
    for headers in ({"Referer": f"{evil}/page.html"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        assert client.get("/gradio_api/info", headers=headers).status_code == 403, headers
    portal = f"https://{PORTAL}:{proxy.port}"
    allowed = client.options("/gradio_api/call/list_documents", headers={
        "Origin": portal, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == portal
    assert allowed.headers["access-control-allow-credentials"] == "true"


def test_session_cookies_are_same_site_and_the_app_cannot_be_framed(https):
    client, proxy = https
    own = f"https://{APP}:{proxy.port}"
    login = client.post("/login", data={"username": "ada", "password": PASSWORDS["ada"]}, headers={"Origin": own})
    assert login.status_code == 200
    cookies = login.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("samesite=lax" in c.lower() for c in cookies), cookies
    page = client.get("/")
    assert page.headers["x-frame-options"] == "DENY"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert client.get("/gradio_api/info").status_code == 200  # a script with the cookie and no Origin is no browser


def test_the_official_is_told_when_to_retry_sees_who_they_are_and_can_log_out(served, browser):
    """The official's own frame, on the same site: a throttled log-in says when to try again, the header names the
    signed-in user with role and clearance, and Log out ends the session."""
    _, proxy = served
    page = browser.new_page()
    page.goto(proxy.app_url)
    statuses = []
    for attempt in range(6):
        page.get_by_label("username").fill("rex")
        page.get_by_label("password").fill(f"wrong-password-{attempt}")
        with page.expect_response(lambda response: response.url.endswith("/login")) as response:
            page.get_by_role("button", name="Login").click()
        statuses.append(response.value.status)
    assert statuses == [400] * 5 + [429]
    notice = page.locator("#login-notice")
    notice.wait_for(timeout=10_000)
    assert "Too many failed log-ins: try again in" in notice.inner_text() and "seconds" in notice.inner_text()

    sign_in(page, proxy.app_url, "ada")
    who = page.locator("#who-am-i")
    who.get_by_text("ada", exact=False).wait_for(timeout=30_000)
    assert "Signed in as ada: admin, cleared for restricted documents" in who.inner_text()
    page.locator("#log-out").click()
    page.get_by_label("username").wait_for(timeout=30_000)
    page.goto(proxy.app_url)
    page.get_by_label("username").wait_for(timeout=30_000)  # still signed out: the session has ended
