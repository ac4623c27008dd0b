"""Money typed by people becomes exact integer grosze, or a clear message next to its field."""

import pytest
from flask_babel import force_locale
from wtforms import IntegerField

from config import TestConfig
from portal import create_app
from portal.forms import PortalForm, amount_field
from portal.services.money.money import MAX_GROSZE, InvalidAmount, parse, to_text
from tests.helpers import translated

OTHER_DIGITS_MSGID = (
    "Type the amount with the digits 0-9 (not full-width or other scripts' digits)."
)


@pytest.fixture(scope="module")
def app():
    """The app for its messages only: parsing touches no database, so none is prepared."""
    config = type("MoneyConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return create_app(config)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("text", "grosze"),
    [
        ("1234,56", 123456),
        ("1234.56", 123456),
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),  # a no-break space, as spreadsheets copy it
        ("1234", 123400),
        ("0,5", 50),
        ("0,01", 1),
        ("12,30", 1230),
        (" 450,00 zł", 45000),
        ("1000000,00", 100_000_000),
        ("100000000", MAX_GROSZE),  # the largest amount accepted: 100 million zł
    ],
)
def test_accepted_amounts_are_exact_grosze(ctx, text, grosze):
    value = parse(text)
    assert value == grosze
    assert isinstance(value, int)


def test_float_arithmetic_is_never_involved(ctx):
    # 0.1 + 0.2 != 0.3 in binary floating point; grosze add up exactly.
    assert parse("0,10") + parse("0,20") == parse("0,30") == 30
    assert parse("19,99") * 3 == 5997


def _refusal(app, text, msgid, **kwargs):
    with pytest.raises(InvalidAmount) as refused:
        parse(text, **kwargs)
    assert str(refused.value.message) == translated(app, msgid, html=False)
    return refused.value


@pytest.mark.parametrize("text", ["-1", "-0,01", "-1234,56", " -5 zł"])
def test_negative_amounts_are_refused(app, ctx, text):
    _refusal(app, text, "The amount cannot be negative.")


@pytest.mark.parametrize("text", ["0", "0,00", "0.0", "-0"])
def test_zero_is_refused_unless_allowed(app, ctx, text):
    _refusal(app, text, "The amount must be more than zero.")
    assert parse(text, allow_zero=True) == 0


@pytest.mark.parametrize("text", ["1,234", "1.234", "0,001", "1,500", "1,230", "12,3456"])
def test_more_than_two_decimals_is_refused(app, ctx, text):
    # "1,234" and "1,500" are not thousands: a Polish decimal comma with three decimals.
    # Refusing them even when the extra digit is 0 is what keeps "1,500" from becoming 1,50 zł.
    _refusal(app, text, "Use at most two digits after the comma (grosze).")


@pytest.mark.parametrize(
    "text", ["abc", "12a", "1,2,3", "1.234,56", "1e5", "12,", ",5", "+5", "5 zł 50", "0x10"]
)
def test_what_is_not_a_number_is_refused(app, ctx, text):
    _refusal(app, text, "Enter an amount in złoty, for example 1234,56.")


@pytest.mark.parametrize(
    "text",
    ["１２３", "１２３,４５", "12,３４", "²", "1²", "٣", "१००", "½"],
    ids=lambda text: repr(text),
)
def test_only_ascii_digits_are_read(app, ctx, text):
    # Python's \d and Decimal() read full-width, Arabic-Indic or Devanagari digits as numbers;
    # an amount is typed with 0-9 only, anything else is a message, never a silent value.
    _refusal(app, text, OTHER_DIGITS_MSGID)


class _AmountAndCount(PortalForm):
    amount = amount_field("Amount")
    count = IntegerField("Count")


@pytest.mark.parametrize("locale", ["pl", "en"])
@pytest.mark.parametrize("text", ["１２３", "٣٤", "12,３４", "²"], ids=lambda text: repr(text))
def test_a_money_field_and_a_number_field_refuse_other_digits_beside_the_field(app, locale, text):
    # int() would read "１２３" as 123; both fields say what to type instead, in the person's
    # language, before any service sees the value.
    sent = {"amount": text, "count": text}
    with app.test_request_context(method="POST", data=sent), force_locale(locale):
        form = _AmountAndCount(meta={"csrf": False})
        assert not form.validate()
        assert form.amount.errors == [
            translated(app, OTHER_DIGITS_MSGID, locale=locale, html=False)
        ]
        number = translated(app, "Type the number with the digits 0-9.", locale=locale, html=False)
        assert form.count.errors == [number]
    with app.test_request_context(method="POST", data={"amount": " 1 234,56 ", "count": "12"}):
        form = _AmountAndCount(meta={"csrf": False})
        assert form.validate(), form.errors


@pytest.mark.parametrize("text", ["", "   ", None, "zł"])
def test_empty_is_refused(app, ctx, text):
    _refusal(app, text, "Enter the amount.")


@pytest.mark.parametrize("text", ["100000000,01", "1000000000", "9" * 40, "99999999999999,99"])
def test_absurd_sizes_are_refused(app, ctx, text):
    _refusal(app, text, "This amount is too large. Check the number of digits.")


@pytest.mark.parametrize(
    "text", ["-1", "0", "1,234", "abc", "", "100000000,01"], ids=lambda text: repr(text)
)
def test_the_refusal_names_the_field(app, ctx, text):
    with pytest.raises(InvalidAmount) as refused:
        parse(text, field="max_purpose")
    assert refused.value.field == "max_purpose"
    with pytest.raises(InvalidAmount) as refused:
        parse(text)
    assert refused.value.field == "amount"


@pytest.mark.parametrize(
    ("grosze", "text"),
    [
        (0, "0,00"),
        (1, "0,01"),
        (50, "0,50"),
        (100, "1,00"),
        (123456, "1234,56"),
        (MAX_GROSZE, "100000000,00"),
    ],
)
def test_to_text_writes_a_form_value_that_parses_back(ctx, grosze, text):
    assert to_text(grosze) == text
    assert parse(to_text(grosze), allow_zero=True) == grosze


@pytest.mark.parametrize(("grosze", "text"), [(-1, "-0,01"), (-5050, "-50,50"), (-100, "-1,00")])
def test_to_text_writes_a_correction_downwards_with_its_sign(grosze, text):
    assert to_text(grosze) == text


def test_round_trip_over_many_amounts(ctx):
    for grosze in [*range(0, 1001), 99_999, 100_000, 123_456_789, MAX_GROSZE - 1]:
        assert parse(to_text(grosze), allow_zero=True) == grosze
