"""The suite's own conventions: one way to sign a test client in.

Tests sign in with the `login_as` fixture (or `tests.helpers.sign_in`, for an app of the test's
own); a module with a sign-in helper of its own drifts from it (another password, no check that
the sign-in worked). Only the modules below post the login form from a helper.
"""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).parent

# Where a helper may sign in by hand: the shared way itself, the other transports (a live server
# over HTTP, a real browser), and the tests of the sign-in itself (its pages, two-factor, text
# kept over a sign-in, the limit on attempts, the language chosen before it).
ALLOWED = (
    "accounts/",
    "conftest.py",
    "helpers.py",
    "kept_pages.py",
    "live.py",
    "browser/pages.py",
    "browser/test_language_at_sign_in.py",
    "test_proxy_limits.py",
    "test_production.py",
    "test_test_conventions.py",
)

SIGN_IN_NAME = re.compile(r"^_*((log_?in(_as)?|sign_?in|signs_in|signed_in)(_|$)|as$)")


def _posts_to_login(node: ast.AST) -> bool:
    """A call of `.post(...)` (a test client, requests) with the login address among its
    arguments."""
    for call in ast.walk(node):
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "post"
        ):
            continue
        for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
            for part in ast.walk(argument):
                if isinstance(part, ast.Constant) and "/auth/login" in str(part.value):
                    return True
    return False


def _private_sign_ins(tree: ast.Module) -> list[str]:
    """The helpers of a module that sign in: named for it, or posting the login form."""
    methods = {
        id(item) for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for item in node.body
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("test_"):
            continue  # a test may post the form when signing in is part of what it checks
        # A method may be named for someone else's interface (a fake SMTP server's `login`).
        named = id(node) not in methods and SIGN_IN_NAME.search(node.name)
        if named or _posts_to_login(node):
            found.append(node.name)
    return found


def test_no_module_outside_the_allowed_ones_signs_in_its_own_way():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(TESTS).as_posix()
        if relative.startswith(ALLOWED):
            continue
        source = path.read_text(encoding="utf-8")
        offenders += [f"{relative}: {name}" for name in _private_sign_ins(ast.parse(source))]
        if re.search(r"""["']_user_id["']""", source):
            offenders.append(f"{relative}: sets Flask-Login's session key by hand")
    assert not offenders, "sign in with the login_as fixture instead:\n" + "\n".join(offenders)


def test_the_check_finds_a_helper_of_either_kind():
    source = """
def _as(app, email):
    return app.test_client()

def _open_as(client, email):
    client.post("/auth/login", data={"email": email, "password": "x"})

class FakeSMTP:
    def login(self, user, password):
        pass

def test_the_login_page(client):
    client.post(f"/auth/login?next={'/staff/'}")
"""
    assert _private_sign_ins(ast.parse(source)) == ["_as", "_open_as"]
