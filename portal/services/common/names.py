"""What a person's name may hold: letters of any alphabet, spaces, hyphens and apostrophes.

One rule for every place a name is typed or imported (a participant, a family member, a member
of staff, someone asking for an account). Polish centres record Ukrainian, Belarusian and
other names as written, so any script's letters count; a digit or a symbol is a typing mistake
(or someone testing the form) and is refused beside the field.
"""

import unicodedata

# The apostrophes people type: ASCII, the typographic one word processors put in
# (O’Brien), and the opening quote some keyboards substitute. The Ukrainian apostrophe ʼ (U+02BC)
# is a letter (Lm) and passes with them.
APOSTROPHES = frozenset("'’‘")
HYPHENS = frozenset("-‐")  # hyphen-minus and the hyphen proper


def _allowed(character: str, *, after_letter: bool) -> bool:
    category = unicodedata.category(character)
    if category.startswith("L"):
        return True
    # A combining mark (a diacritic typed as a separate character, as some keyboards and
    # copies from PDFs do, or a vowel sign of an Indic script) belongs to the letter before it.
    if category.startswith("M"):
        return after_letter
    return character == " " or character in APOSTROPHES or character in HYPHENS


def is_name(text: str, *, separators: str = "") -> bool:
    """Whether `text` is a name (or, with `separators` such as ",", a list of names): only
    letters, spaces, hyphens and apostrophes, and at least one letter."""
    has_letter = False
    after_letter = False
    for character in text:
        if character in separators:
            after_letter = False
            continue
        if not _allowed(character, after_letter=after_letter):
            return False
        is_letter = unicodedata.category(character)[0] in "LM"
        has_letter = has_letter or is_letter
        after_letter = is_letter
    return has_letter
