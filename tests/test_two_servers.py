"""What one server process does is seen at once by another, each with its own local cache: a
log-out, a changed time zone, an admin import's checked file, the per-address limits. (Several
gunicorn workers or nodes behave as these two processes do.)"""

import re
import secrets
import time
from datetime import datetime, timedelta

import pytest

from tests.two_servers import ADMIN_PASSWORD, Browser, TwoServers, bank_file

PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture(scope="module")
def servers(django_db_setup):
    pair = TwoServers(
        DJANGO_LOGIN_FAILURES_PER_ADDRESS="4",
        # Every test signs up from 127.0.0.1.
        DJANGO_SIGN_UPS_PER_ADDRESS="1000",
    )
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()
    print(pair.log())


def sign_up(browser: Browser, server: str, time_zone: str = "UTC") -> str:
    username = f"user{secrets.token_hex(4)}"
    browser.get(server, "/accounts/signup/")
    status, page = browser.post(
        server,
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": time_zone,
        },
    )
    assert status == 302, page
    return username


def test_a_log_out_through_one_server_ends_the_session_on_the_other(servers):
    browser = Browser()
    sign_up(browser, servers.a)
    assert browser.get(servers.b, "/accounts/")[0] == 200
    assert browser.get(servers.b, "/accounts/export/data.json")[0] == 200
    old_cookie = browser.cookies["sessionid"]

    assert browser.post(servers.a, "/accounts/logout/", {})[0] == 302
    assert "sessionid" not in browser.cookies
    # The old cookie, as someone who copied it would send it.
    browser.cookies["sessionid"] = old_cookie

    assert browser.get(servers.b, "/accounts/")[0] == 302
    assert browser.get(servers.b, "/accounts/export/data.json")[0] == 302
    assert browser.get(servers.a, "/accounts/")[0] == 302


def history_times(page: str) -> list[datetime]:
    found = re.findall(r"/summary/\">(\d+ \w+ \d{4}, \d\d:\d\d)</a>", page)
    return [datetime.strptime(text, "%d %b %Y, %H:%M") for text in found]


def test_a_time_zone_changed_through_one_server_shows_on_the_other(servers):
    browser = Browser()
    sign_up(browser, servers.a, time_zone="UTC")
    browser.get(servers.a, "/interviews/new/")
    status, _ = browser.post(
        servers.a,
        "/interviews/new/",
        {"question_count": 1, "timing_mode": "suggested", "order": "random"},
    )
    assert status == 302
    status, page = browser.get(servers.b, "/history/")
    assert status == 200
    [in_utc] = history_times(page)

    status, _ = browser.post(
        servers.a, "/accounts/settings/", {"time_zone": "Asia/Kathmandu", "show_streaks": "on"}
    )
    assert status == 302

    for _ in range(3):
        status, page = browser.get(servers.b, "/history/")
        assert history_times(page) == [in_utc + timedelta(hours=5, minutes=45)]


def test_an_import_checked_on_one_server_applies_on_the_other(servers):
    admin = Browser()
    admin.get(servers.a, "/admin/login/")
    status, _ = admin.post(
        servers.a,
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": ADMIN_PASSWORD, "next": "/admin/"},
    )
    assert status == 302
    import_page = "/admin/questions/question/import/"
    assert admin.get(servers.b, import_page)[0] == 200

    status, page = admin.post(
        servers.a, import_page, {}, files={"file": ("bank.json", bank_file())}
    )
    assert status == 200
    assert "1 to change" in page
    checked = re.search(r'name="checked" value="(\w+)"', page)[1]

    status, page = admin.post(servers.b, import_page, {"checked": checked})
    assert "no longer waiting" not in page
    assert status == 302
    status, page = admin.get(servers.b, "/questions/")
    assert "Which problem does machine learning solve, in one line?" in page


def test_one_address_is_throttled_at_the_limit_across_both_servers(servers):
    # At most 4 failed log-ins a minute from one address (set above). Two on each server:
    # the limit is reached, whichever server counted them.
    # The counts start again each minute: not so close to the next one that it could come
    # between them.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    browser = Browser()
    for server in (servers.a, servers.b, servers.a, servers.b):
        browser.get(server, "/accounts/login/")
        status, _ = browser.post(
            server, "/accounts/login/", {"username": "nobody", "password": "wrong"}
        )
        assert status == 200
    for server in (servers.a, servers.b):
        status, page = browser.post(
            server, "/accounts/login/", {"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert status == 429
        assert "Too many failed log-ins from your network" in page
