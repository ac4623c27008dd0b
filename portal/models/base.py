"""Declarative base, naming convention, column types and mixins shared by every model."""

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from flask_babel import LazyString, get_locale
from sqlalchemy import BigInteger, DateTime, Enum, ForeignKey, TypeDecorator
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from portal.extensions import Model, db

# Every model derives from db.Model, which Flask-SQLAlchemy builds at run time from Model's body
# (sharing its registry and metadata). A type checker cannot take an attribute as a base class,
# so it is told the base is Model itself.
if TYPE_CHECKING:
    Base = Model
else:
    Base = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the portal stores aware UTC timestamps only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Money is integer grosze (1 zł = 100 gr): exact, and summable in SQL.
Grosze = BigInteger


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum's values as short strings with a CHECK constraint (portable, readable)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class CentreOwned:
    """A record that belongs to one centre; queries in a centre's session only ever see its own."""

    @declared_attr
    def centre_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("centres.id", ondelete="RESTRICT"), index=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# The base of every closed set of values: members with labels translated when shown.
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
