"""A guard over the whole code base: every ``select_for_update`` outside the tests names
the rows it locks (``of=``), so that a lock added later cannot take joined rows silently.
The per-service tests beside this one check the SQL each service sends."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "migrations", "node_modules", ".git"}


def locking_calls():
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "select_for_update"
            ):
                yield path.relative_to(ROOT), node


def test_every_select_for_update_says_which_rows_it_locks():
    calls = list(locking_calls())
    assert len(calls) >= 10, "the walk should find the lock modules"
    unnamed = [
        f"{path}:{node.lineno}"
        for path, node in calls
        if not any(keyword.arg == "of" for keyword in node.keywords)
    ]
    assert not unnamed, "select_for_update without of=: " + ", ".join(unnamed)
