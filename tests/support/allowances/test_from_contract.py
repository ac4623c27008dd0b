"""The allowance form opened from a contract has that contract chosen, and names the contracts'
dates as every other page does, never in ISO."""

import re

import pytest

from tests.helpers import email


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_form_opened_from_a_contract_has_it_chosen(app, office, login_as, lang):
    worker = login_as(email(app, office.worker), fresh=True)
    detail = worker.get(f"/staff/contracts/{office.contract}?lang={lang}").get_data(as_text=True)
    link = f"/staff/participants/{office.person}/allowances/new?contract={office.contract}"
    assert f'href="{link}"' in detail.replace("&amp;", "&")
    page = worker.get(f"{link}&lang={lang}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{office.contract}"', page) or re.search(
        rf'<option value="{office.contract}" selected', page
    )
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split('name="contract_id"')[1][:400])
    # Opened without a contract, or with one that is not this person's: none chosen.
    for query in ("", "?contract=999999", "?contract=x"):
        other = worker.get(f"/staff/participants/{office.person}/allowances/new{query}")
        assert other.status_code == 200
        assert f'selected value="{office.contract}"' not in other.get_data(as_text=True)
