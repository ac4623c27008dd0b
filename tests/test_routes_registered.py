"""Every view module is registered by name: one that nobody imports fails here instead of
silently having no pages."""

import ast
import importlib
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
AUDIENCES = ("auth", "participant", "staff")


def _adds_routes(path: Path) -> bool:
    """A module whose functions are decorated with its blueprint's route methods."""
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (
                    isinstance(call, ast.Attribute)
                    and isinstance(call.value, ast.Name)
                    and call.value.id == "bp"
                    and call.attr in ("route", "get", "post", "before_request")
                ):
                    return True
    return False


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_view_module_is_named_by_its_package(audience):
    package = importlib.import_module(f"portal.{audience}")
    named = {module.__name__ for module in package.VIEW_MODULES}
    with_routes = {
        _module_name(path)
        for path in (PORTAL / audience).rglob("*.py")
        if path.name != "blueprint.py" and _adds_routes(path)
    }
    assert with_routes, "the walk found no view modules"
    assert with_routes <= named, f"not registered: {sorted(with_routes - named)}"


def test_the_walk_sees_a_module_that_adds_routes(tmp_path):
    view = tmp_path / "view.py"
    view.write_text('@bp.get("/x")\ndef x():\n    pass\n')
    helper = tmp_path / "helper.py"
    helper.write_text("def x():\n    pass\n")
    assert _adds_routes(view)
    assert not _adds_routes(helper)
