"""Numbered pages of a long list, so that a page's cost never grows with the centre.

The list's length comes from the database (a count in the page's aggregate statement); the page
asked for is clamped to the pages there are, so a page number past the end shows the last page
and never an offset the database would be asked to skip billions of rows for.
"""

from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import Select

# What every paginated staff list shows at once: a screenful to read, a short page to render.
PAGE_SIZE = 50
# Page links shown on each side of the current page (then a gap, then the first or last).
AROUND = 2

Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Pages:
    """Where one page sits in a list of `total` rows."""

    number: int  # from 1, never past `last`
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.last else None

    @property
    def first_row(self) -> int:
        """The 1-based position of the page's first row (0 for an empty list)."""
        return min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def several(self) -> bool:
        return self.last > 1

    def links(self) -> list[int | None]:
        """The page numbers to link: the first, the last and those around this one; None
        stands for a gap."""
        shown = {1, self.last, *range(self.number - AROUND, self.number + AROUND + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.last)
        links: list[int | None] = []
        for n in numbers:
            if links and links[-1] is not None and n - links[-1] > 1:
                links.append(None)
            links.append(n)
        return links

    def of(self, query: Select[*Ts]) -> Select[*Ts]:
        """The query limited to this page (it must already be ordered)."""
        return query.limit(self.size).offset(self.offset)


def page(total: int, asked: int | None, *, size: int = PAGE_SIZE) -> Pages:
    """Page `asked` (1 when not given) of a list of `total` rows, clamped to the pages there
    are."""
    last = max(1, -(-total // size))
    return Pages(number=min(max(asked or 1, 1), last), size=size, total=total)
