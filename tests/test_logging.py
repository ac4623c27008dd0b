"""No PESEL in any log line, gunicorn's access log included (RELIABILITY.md, ASVS 7.1.1)."""

import logging

import pytest
import requests

from portal.log import PrivacyFilter

PESEL = "44051401359"


@pytest.mark.live
def test_a_pesel_in_an_address_never_reaches_the_access_log(app, server):
    for path in (f"/auth/login?q={PESEL}", f"/staff/participants?q={PESEL}", f"/{PESEL}"):
        requests.get(server + path, timeout=10, headers={"Referer": f"{server}/x?q={PESEL}"})
    log = server.log_path.read_text()
    assert "/auth/login?q=[pesel]" in log  # the access log is on, and masked
    assert PESEL not in log


def test_the_privacy_filter_masks_and_unbreaks_every_line():
    record = logging.LogRecord(
        "portal", logging.INFO, __file__, 1, "search %s\nforged %s", (PESEL, "line"), None
    )
    assert PrivacyFilter().filter(record)
    assert record.getMessage() == "search [pesel]\\nforged line"
