"""The app's routes as the access tests walk them, read from its url_map.

A test that walks the url_map checks a new route the day it is added; one that lists URLs by
hand does not. A placeholder the test has no value for fails it by name instead of going
unchecked.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import pytest
from flask import Flask

# <name>, <int:name>, <path:name>, <int(signed=True):name>: the converter, then the name.
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
NOT_ROUTED = frozenset({"HEAD", "OPTIONS"})  # answered by Werkzeug itself, never by a view


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    method: str
    module: str  # where the view function is defined
    arguments: frozenset[str]
    ids: frozenset[str]  # the arguments taken with <int:…>

    @property
    def takes_only_ids(self) -> bool:
        return self.arguments == self.ids


def routes(app: Flask, where: Callable[[Route], bool] = lambda _route: True) -> list[Route]:
    """Every route and method (but HEAD and OPTIONS) for which `where` holds, in url_map order."""
    return [route for route in _all(app) if where(route)]


def _all(app: Flask) -> Iterator[Route]:
    for rule in app.url_map.iter_rules():
        converters = {name: kind for kind, name in PLACEHOLDER.findall(rule.rule)}
        for method in sorted(rule.methods - NOT_ROUTED):
            yield Route(
                endpoint=rule.endpoint,
                rule=rule.rule,
                method=method,
                module=app.view_functions[rule.endpoint].__module__,
                arguments=frozenset(rule.arguments),
                ids=frozenset(name for name, kind in converters.items() if kind == "int"),
            )


def fill(rule: str, values: Mapping[str, object], *, ids_only: bool = False) -> str:
    """`rule` with each placeholder replaced by its value; a missing value fails the test.

    With `ids_only`, only <int:…> placeholders are filled and the others are sent as written:
    enough for a check that answers before the view reads them (a role refused outright).
    """

    def substitute(match: re.Match[str]) -> str:
        kind, name = match.groups()
        if ids_only and kind != "int":
            return match.group(0)
        if name not in values:
            pytest.fail(f"{rule}: no value for <{name}> in the test's records; add one")
        return str(values[name])

    return PLACEHOLDER.sub(substitute, rule)
