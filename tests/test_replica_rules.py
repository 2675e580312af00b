"""The incremental publish copies only new rows of the tables in ``replica.APPEND_ONLY``. This proves,
from the source, that nothing under ``pipeline/`` changes a row of those tables in place: every SQL
statement that updates, deletes, upserts, replaces or alters a table names another table (when the
table is a ``{placeholder}``, every call of the function passes a literal table that is not
append-only). Migrations are exempt: a new migration makes the publish copy the whole file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb

from pipeline.warehouse.migrations import migrate
from pipeline.warehouse.replica import APPEND_ONLY

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
EXEMPT = {"warehouse/migrations.py",  # migration SQL: a changed _migrations table means a whole copy
          "warehouse/replica.py"}  # writes the standby copy only, never the warehouse
_T = r"([^\s(;,]+)"  # any token: a name, "quoted", schema.name, {placeholder}, %s ...
IN_PLACE = [re.compile(p, re.IGNORECASE | re.DOTALL) for p in (
    rf"\bUPDATE\s+{_T}\s+SET\b", rf"\bDELETE\s+FROM\s+{_T}", rf"\bINSERT\s+OR\s+REPLACE\s+INTO\s+{_T}",
    rf"\bINSERT\s+INTO\s+{_T}[^;]*?\bDO\s+UPDATE\b", rf"\bTRUNCATE\s+(?:TABLE\s+)?{_T}",
    rf"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_T}", rf"\bALTER\s+TABLE\s+{_T}", rf"\bMERGE\s+INTO\s+{_T}",
    rf"\bCREATE\s+OR\s+REPLACE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+{_T}")]


def _text(node: ast.AST) -> str | None:
    """A string literal, with f-string fields as ``{expression}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                       for v in node.values)
    return None


def _table(token: str) -> str:
    """The table a statement names: the last part of a (quoted) dotted name, or the token as it is."""
    plain = token.replace('"', "")
    return plain.rsplit(".", 1)[-1] if re.fullmatch(r"[A-Za-z_][\w.]*", plain) else token


def _statements() -> list[tuple[str, str, str]]:
    """(file, enclosing function, target table) of every in-place change written in pipeline/."""
    found = []
    for path in sorted(PIPELINE.rglob("*.py")):
        rel = path.relative_to(PIPELINE).as_posix()
        if rel in EXEMPT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            text = _text(node)
            if text is None or isinstance(parent.get(node), ast.JoinedStr):
                continue
            func = parent.get(node)
            while func is not None and not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                func = parent.get(func)
            name = func.name if func is not None else "<module>"
            for pattern in IN_PLACE:
                found += [(rel, name, _table(m.group(1))) for m in pattern.finditer(text)]
    return sorted(set(found))


def _literal_args(func_name: str, param: str) -> list[str | None]:
    """What every call of ``func_name`` under pipeline/ passes as ``param`` (None: not a literal)."""
    out: list[str | None] = []
    for path in PIPELINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defs = [d for d in ast.walk(tree) if isinstance(d, ast.FunctionDef) and d.name == func_name]
        params = [a.arg for a in defs[0].args.args] if defs else []
        for call in (c for c in ast.walk(tree) if isinstance(c, ast.Call)):
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if callee != func_name:
                continue
            arg = next((k.value for k in call.keywords if k.arg == param), None)
            if arg is None and param in params and params.index(param) < len(call.args):
                arg = call.args[params.index(param)]
            out.append(arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None)
    return out


def test_no_append_only_table_is_changed_in_place():
    statements = _statements()
    literal = {t for _, _, t in statements if re.fullmatch(r"\w+", t)}
    # the scan sees the known in-place writers (it cannot silently find nothing)
    assert {"quarantine_rows", "exchange_members", "exchanges_state", "runs", "feed_state", "alerts",
            "incidents"} <= literal, literal
    assert not literal & set(APPEND_ONLY), [s for s in statements if s[2] in APPEND_ONLY]
    resolved = set()
    for rel, func, target in (s for s in statements if not re.fullmatch(r"\w+", s[2])):
        param = target[1:-1] if target.startswith("{") and target.endswith("}") else ""
        assert re.fullmatch(r"\w+", param), f"{rel}:{func}: cannot tell which table {target} is"
        tables = _literal_args(func, param)
        assert tables and None not in tables, f"{rel}:{func} is called with a table that is not a literal"
        assert not set(tables) & set(APPEND_ONLY), f"{rel}:{func} changes {tables} in place"
        resolved |= set(tables)
    assert "exchange_members" in resolved  # exchanges._upsert (exchanges_state: exchanges_state.upsert_states)


def test_every_append_only_table_exists_with_its_key():
    con = duckdb.connect()
    migrate(con)
    for table, keys in APPEND_ONLY.items():
        cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = ?", [table]).fetchall()}
        assert set(keys) <= cols, (table, keys, cols)
