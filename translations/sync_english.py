"""The source strings are English: copy each msgid into the English catalogue's msgstr."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"
with path.open("rb") as handle:
    catalogue = read_po(handle, locale="en")
for message in catalogue:
    if not message.id:
        continue
    message.string = message.id
    message.flags.discard("fuzzy")
with path.open("wb") as handle:
    write_po(handle, catalogue, width=100, sort_by_file=True)
