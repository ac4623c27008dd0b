"""The base of every closed set of values: members with labels translated when shown."""

import enum
from collections.abc import Mapping

from flask_babel import LazyString


class LabelledEnum(enum.StrEnum):
    """A closed set of values whose labels are translated when shown, not when imported."""

    @property
    def label(self) -> str:
        return str(self._labels()[self])

    @classmethod
    def _labels(cls) -> "Labels":
        raise NotImplementedError

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


# Each member's label, translated when shown (lazy_gettext).
Labels = Mapping[LabelledEnum, LazyString]
