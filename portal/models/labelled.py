"""The base of every closed set of values: members with labels translated when shown."""

import enum
from collections.abc import Mapping
from functools import cache

from flask_babel import LazyString, get_locale


class LabelledEnum(enum.StrEnum):
    """A closed set of values whose labels are translated when shown, not when imported."""

    @property
    def label(self) -> str:
        # The class is part of the key: members of two sets with the same value are equal strings.
        return _translated(type(self), self.value, str(get_locale()))

    @classmethod
    def _labels(cls) -> "Labels":
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


@cache
def _translated(kind: type[LabelledEnum], value: str, locale: str) -> str:
    """A member's label in one language, translated once: a list shows one on every row, and each
    translation looks the request's catalogue up through several context lookups (a payment
    list of 2 000 instalments spent half its time there)."""
    return str(kind._labels()[kind(value)])


# Each member's label, translated when shown (lazy_gettext).
Labels = Mapping[LabelledEnum, LazyString]
