"""The two files a Polish bank imports a batch of transfers from: Elixir-O and pain.001.001.03.

Both are written from the same `Batch`, whose texts the caller has already checked with
`unfit_characters` and cut with `cut`: a writer never changes what it is given, so what the
file says is what the list showed (docs/elixir-o.md describes both layouts).
"""

import textwrap
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import xmlschema
from sepaxml import SepaTransfer
from stdnum import iban
from text_unidecode import unidecode

ELIXIR = "elixir"
SEPA = "sepa"
# Elixir-O: text fields are up to four lines of 35 characters, joined by "|".
LINE = 35
LINES = 4
ELIXIR_ENCODING = "cp1250"
# A record type 110 is an ordinary credit transfer; classification "51" an ordinary payment.
TRANSFER = "110"
ORDINARY = "51"
# pain.001: a party's name up to 70 characters (EPC), the unstructured remittance up to 140.
NAME = 70
TITLE = LINE * LINES
# Payments of 1 000 000 zł and more are settled one by one in SORBNET2, not in an Elixir batch.
MAX_GROSZE = 1_000_000_00 - 1
SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
# The EPC's basic Latin set, which every bank's XML channel carries.
_SEPA_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "
)
# The field delimiters of Elixir-O can never stand inside a text.
_ELIXIR_DELIMITERS = frozenset('"|')


@dataclass(frozen=True)
class Party:
    """Who pays or is paid: the name, the account (IBAN, "PL" and 26 digits), address lines."""

    name: str
    account: str
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transfer:
    reference: str  # unique in the file: the end-to-end id (at most 35 characters)
    payee: Party
    amount_grosze: int
    title: str


@dataclass(frozen=True)
class Batch:
    message_id: str  # at most 35 characters
    created_at: datetime  # local time, as the file states it
    execution_date: date
    payer: Party
    transfers: tuple[Transfer, ...]


def is_polish_iban(account: str) -> bool:
    """A valid IBAN of a Polish account (the NRB's check digits included)."""
    return account.startswith("PL") and len(account) == 28 and iban.is_valid(account)


def nrb(account: str) -> str:
    """The 26-digit domestic number of a Polish IBAN."""
    return account.removeprefix("PL")


def sort_code(account: str) -> str:
    """The bank's 8-digit sort code (numer rozliczeniowy): digits 3 to 10 of the NRB."""
    return nrb(account)[2:10]


def transliterated(text: str, file_format: str) -> str:
    """`text` with each character the format cannot carry replaced by its Latin look-alike
    (ł -> l in XML, ø -> o in both); whatever has none is left for `unfit_characters`."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    return "".join(
        char if _carried(char, file_format) else (unidecode(char) or char) for char in text
    )


def unfit_characters(text: str, file_format: str) -> str:
    """The characters of `text` the format cannot carry even transliterated, once each."""
    unfit: list[str] = []
    for char in transliterated(text, file_format):
        if not _carried(char, file_format) and char not in unfit:
            unfit.append(char)
    return "".join(unfit)


def _carried(char: str, file_format: str) -> bool:
    if file_format == SEPA:
        return char in _SEPA_CHARACTERS
    if char in _ELIXIR_DELIMITERS or not char.isprintable():
        return False
    try:
        char.encode(ELIXIR_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut after a whole word where one fits."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1].rsplit(" ", 1)[0]
    return head if 0 < len(head) <= limit else text[:limit]


def fitted_title(text: str) -> str:
    """A title both formats carry whole: at most 140 characters that break at spaces into at
    most four Elixir-O lines; a longer one loses its last words, never its first."""
    text = cut(" ".join(text.split()), TITLE)
    while len(textwrap.wrap(text, LINE, break_on_hyphens=False)) > LINES:
        text = cut(text, len(text) - 1)
    return text


def lines(text: str) -> list[str]:
    """A text as Elixir-O lines: broken at spaces, at most four of 35 characters."""
    return textwrap.wrap(text, LINE, break_on_hyphens=False)[:LINES] if text else []


def _field(parts: list[str]) -> str:
    padded = (parts + [""] * LINES)[:LINES]
    return '"' + "|".join(padded) + '"'


def elixir(batch: Batch) -> bytes:
    """The batch as an Elixir-O file: one record of type 110 a transfer, CRLF after each."""
    payer = batch.payer
    payer_lines = _party_lines(payer)
    records = []
    for transfer in batch.transfers:
        payee = transfer.payee
        fields = [
            TRANSFER,
            f"{batch.execution_date:%Y%m%d}",
            str(transfer.amount_grosze),
            sort_code(payer.account),
            "0",
            f'"{nrb(payer.account)}"',
            f'"{nrb(payee.account)}"',
            _field(payer_lines),
            _field(_party_lines(payee)),
            "0",
            sort_code(payee.account),
            _field(lines(transliterated(transfer.title, ELIXIR))),
            '""',
            '""',
            f'"{ORDINARY}"',
            '""',
        ]
        records.append(",".join(fields) + "\r\n")
    return "".join(records).encode(ELIXIR_ENCODING)


def _party_lines(party: Party) -> list[str]:
    """Two lines of the name, then the address: the four lines of a name-and-address field."""
    name = lines(transliterated(party.name, ELIXIR))[:2]
    address = [cut(transliterated(line, ELIXIR), LINE) for line in party.address]
    return (name + address)[:LINES]


def sepa(batch: Batch) -> bytes:
    """The batch as pain.001.001.03 (domestic: in PLN, no SEPA service level), made by sepaxml
    and checked against the schema it ships; its identifiers come from the batch, so the same
    batch always gives the same bytes."""
    payer = batch.payer
    transfer = SepaTransfer(
        {
            "name": cut(transliterated(payer.name, SEPA), NAME),
            "IBAN": payer.account,
            "batch": True,
            "currency": "PLN",
            "domestic": True,
        },
        schema=SCHEMA,
        clean=False,
    )
    for item in batch.transfers:
        transfer.add_payment(
            {
                "name": cut(transliterated(item.payee.name, SEPA), NAME),
                "IBAN": item.payee.account,
                "amount": item.amount_grosze,
                "execution_date": batch.execution_date,
                "description": cut(transliterated(item.title, SEPA), TITLE),
                "endtoend_id": item.reference,
            }
        )
    # Parsed to set its identifiers: the document sepaxml has just written, not outside input.
    document = ET.fromstring(transfer.export(validate=False))  # noqa: S314
    _set(document, "CstmrCdtTrfInitn/GrpHdr/MsgId", batch.message_id)
    _set(document, "CstmrCdtTrfInitn/GrpHdr/CreDtTm", f"{batch.created_at:%Y-%m-%dT%H:%M:%S}")
    _set(document, "CstmrCdtTrfInitn/PmtInf/PmtInfId", batch.message_id)
    ET.register_namespace("", NAMESPACE)  # the document's own namespace, without a prefix
    text = ET.tostring(document, encoding="unicode")
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode()
    schema().validate(body.decode())
    return body


def _set(document: ET.Element, path: str, value: str) -> None:
    qualified = "/".join(f"{{{NAMESPACE}}}{step}" for step in path.split("/"))
    for element in document.findall(qualified):
        element.text = value


@cache
def schema() -> Any:
    """The pain.001.001.03 schema shipped with sepaxml (loaded once)."""
    path = resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    with resources.as_file(path) as xsd:
        return xmlschema.XMLSchema(str(xsd))
