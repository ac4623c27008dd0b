"""The spreadsheet writers: formulas neutralised, numbers kept as numbers, and no character an XLSX
file cannot hold ever breaks a download."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from portal.services.common.exports import safe_cell, to_csv, to_xlsx


def test_text_that_looks_like_a_formula_is_neutralised_but_numbers_are_not():
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell(-1250) == "-1250"
    assert safe_cell(Decimal("-12.50")) == "-12.50"
    assert to_csv(["a"], [[-5]]).splitlines()[1] == "-5"


def test_an_xlsx_keeps_whole_numbers_and_drops_control_characters():
    data = to_xlsx("Arkusz", ["name", "count"], [["Nowak\x01\x0b", 3], ["@SUM(A1)", -2]])
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("Nowak", 3)
    assert rows[2] == ("'@SUM(A1)", -2)
