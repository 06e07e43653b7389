"""Routines for the PostgreSQL DDL reader: functions and procedures, aggregates, triggers, and
collations (CREATE COLLATION arrives as the same DefineStmt as CREATE AGGREGATE).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Any

from dbdesign.model import Argument, Function, Trigger
from dbdesign.readers.ddl.pgast import deparse
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import Tree, arg_type, bool_value, int_value
from dbdesign.readers.ddl.pgcollation import collation_from_define
from dbdesign.readers.ddl.pgstate import ReaderState


class RoutineStatements(ReaderState):
    """CREATE FUNCTION / PROCEDURE / AGGREGATE / COLLATION / TRIGGER."""

    def _arg(self, p: Tree) -> Argument:
        mode = {
            "FUNC_PARAM_IN": "IN",
            "FUNC_PARAM_OUT": "OUT",
            "FUNC_PARAM_INOUT": "INOUT",
            "FUNC_PARAM_VARIADIC": "VARIADIC",
            "FUNC_PARAM_TABLE": "TABLE",
            "FUNC_PARAM_DEFAULT": "IN",
        }.get(p.get("mode", "FUNC_PARAM_IN"), "IN")
        dtype, _ = self._type(p["argType"])
        return Argument(
            name=p.get("name"),
            type=arg_type(dtype),
            mode=mode,  # type: ignore[arg-type]
            default=self._expr(p["defexpr"]) if p.get("defexpr") else None,
        )

    def _on_CreateFunctionStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["funcname"]))
        args = tuple(self._arg(p["FunctionParameter"]) for p in s.get("parameters") or ())
        fields, config = _function_options(s.get("options") or ())
        if s.get("sql_body"):  # SQL-standard body: BEGIN ATOMIC ... END or RETURN expr
            full = deparse(s, "CreateFunctionStmt")
            m = re.search(r"\b(BEGIN ATOMIC|RETURN)\b", full)
            fields["body"] = full[m.start() :] if m else full
        f = Function(
            schema=schema,
            name=name,
            arguments=args,
            returns=self._returns(s, args),
            kind="procedure" if s.get("is_procedure") else "function",
            config=tuple(config),
            origin=self._origin(),
            **fields,
        )
        self._define_function(f)

    def _returns(self, s: Tree, args: tuple[Argument, ...]) -> str | None:
        """What a function returns as the catalog prints it: RETURNS TABLE (...) from its TABLE
        arguments, else the type it names, else its one OUT argument's type or record."""
        table_args = [a for a in args if a.mode == "TABLE"]
        if table_args:
            return "TABLE(" + ", ".join(f"{a.name} {a.type}" for a in table_args) + ")"
        if s.get("returnType"):
            rt, _ = self._type(s["returnType"])
            return ("SETOF " if s["returnType"].get("setof") else "") + arg_type(rt)
        if not s.get("is_procedure"):
            outs = [a for a in args if a.mode in ("OUT", "INOUT")]
            return outs[0].type if len(outs) == 1 else "record"
        return None

    def _define_function(self, f: Function) -> None:
        """A new function, or OR REPLACE of one: that keeps its owner, grants and comment."""
        old = self.functions.get(f.key)
        if old is not None:
            f = dataclasses.replace(f, grants=old.grants, comment=old.comment)
        self.functions[f.key] = f
        if old is None:
            self._created(f"fn:{f.key}")

    def _on_DefineStmt(self, s: Tree) -> None:
        if s.get("kind") == "OBJECT_COLLATION":
            schema, name = self._qual_names(_names(s["defnames"]))
            if f"{schema}.{name}" in self.collations and s.get("if_not_exists"):
                return
            coll = collation_from_define(s, schema, name, self.collations, self._collation_key)
            self.collations[coll.key] = dataclasses.replace(coll, origin=self._origin())
            return
        if s.get("kind") != "OBJECT_AGGREGATE":
            self._warn(
                f"CREATE {s.get('kind', '').removeprefix('OBJECT_')} is not modelled; skipped"
            )
            return
        schema, name = self._qual_names(_names(s["defnames"]))
        arglist = s.get("args") or []
        params = arglist[0]["List"]["items"] if arglist and "List" in arglist[0] else []
        args = tuple(self._arg(p["FunctionParameter"]) for p in params)
        opts: dict[str, str] = {}
        for o in s.get("definition") or ():
            d = o["DefElem"]
            key, arg = d["defname"].lower(), d.get("arg")
            if arg is None:
                opts[key] = ""
            elif key in _AGG_FUNCS:
                names = (
                    _names(arg["TypeName"]["names"])
                    if "TypeName" in arg
                    else _names(arg["List"]["items"] if "List" in arg else [arg])
                )
                fschema, fname = self._qual_names(names)
                builtin = len(names) == 1 and not any(
                    f.schema == fschema and f.name == fname for f in self.functions.values()
                )
                opts[key] = fname if fschema == "pg_catalog" or builtin else f"{fschema}.{fname}"
            elif key in ("stype", "mstype"):
                opts[key] = arg_type(self._type(arg["TypeName"])[0])
            elif key in ("initcond", "minitcond"):
                opts[key] = "'" + str(int_value(arg)).replace("'", "''") + "'"
            elif key == "sortop":
                opts[key] = _names(arg["List"]["items"] if "List" in arg else [arg])[-1]
            else:
                opts[key] = str(int_value(arg))
        body = ", ".join(
            f"{k.upper()} = {opts[k]}" if opts[k] else k.upper() for k in _AGG_ORDER if k in opts
        )
        returns = opts.get("stype")
        if "finalfunc" in opts:
            final = next(
                (f for f in self.functions.values() if f"{f.schema}.{f.name}" == opts["finalfunc"]),
                None,
            )
            returns = final.returns if final else None
        f = Function(
            schema=schema,
            name=name,
            arguments=args,
            kind="aggregate",
            language="internal",
            returns=returns,
            body=body,
            volatility="IMMUTABLE",
            parallel=opts.get("parallel", "unsafe").upper(),  # type: ignore[arg-type]
            origin=self._origin(),
        )
        self._define_function(f)

    def _on_CreateTrigStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["relation"])
        timing = s.get("timing", 0)
        events_mask = s.get("events", 0)
        events = tuple(
            sorted(
                n
                for bit, n in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE"))
                if events_mask & bit
            )
        )
        fnames = _names(s["funcname"])
        fschema, fname = self._qual_names(fnames)
        if len(fnames) == 1:
            self.unqualified_calls.add((fschema, fname))
        trig = Trigger(
            schema=schema,
            table=table,
            name=s["trigname"],
            timing="INSTEAD OF" if timing & 64 else "BEFORE" if timing & 2 else "AFTER",
            events=events,
            level="ROW" if s.get("row") else "STATEMENT",
            function=f"{fschema}.{fname}",
            arguments=tuple(_names(s.get("args"))),
            columns=tuple(_names(s.get("columns"))),
            when=self._expr(s["whenClause"]) if s.get("whenClause") else None,
            constraint=bool(s.get("isconstraint")),
            deferrable=bool(s.get("deferrable")),
            initially_deferred=bool(s.get("initdeferred")),
            origin=self._origin(),
        )
        self.triggers[trig.key] = trig


# CREATE AGGREGATE options, in the order the catalog reader prints them.
_AGG_ORDER = (
    "sfunc",
    "stype",
    "sspace",
    "finalfunc",
    "finalfunc_extra",
    "combinefunc",
    "serialfunc",
    "deserialfunc",
    "initcond",
    "msfunc",
    "minvfunc",
    "mstype",
    "mfinalfunc",
    "minitcond",
    "sortop",
    "hypothetical",
)


_AGG_FUNCS = frozenset(
    {
        "sfunc",
        "finalfunc",
        "combinefunc",
        "serialfunc",
        "deserialfunc",
        "msfunc",
        "minvfunc",
        "mfinalfunc",
    }
)


def _function_options(options: Iterable[Tree]) -> tuple[dict[str, Any], list[str]]:
    """CREATE FUNCTION's options: the Function fields they give (language and body at least)
    and its SET configuration (``name=value``)."""
    fields: dict[str, Any] = {"language": "sql", "body": ""}
    config = []
    for o in options:
        d = o["DefElem"]
        n, arg = d["defname"], d.get("arg")
        if n == "set":
            v = arg["VariableSetStmt"]
            vals = ", ".join(str(int_value(a)) for a in v.get("args") or ())
            config.append(f"{v['name']}={vals}")
        elif n in _FUNCTION_FIELDS:
            field, value = _FUNCTION_FIELDS[n]
            fields[field] = value(arg)
    return fields, config


def _function_body(arg: Tree) -> str:
    """AS 'body', or AS 'object file', 'link symbol' (shown joined by ', ')."""
    parts = _names(arg["List"]["items"] if "List" in arg else arg)
    return parts[0] if len(parts) == 1 else ", ".join(parts)


# CREATE FUNCTION options kept as Function fields: option -> (field, its value from the option's).
_FUNCTION_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "as": ("body", _function_body),
    "language": ("language", lambda arg: str(int_value(arg)).lower()),
    "volatility": ("volatility", lambda arg: str(int_value(arg)).upper()),
    "strict": ("strict", lambda arg: bool(bool_value(arg))),
    "security": ("security_definer", lambda arg: bool(bool_value(arg))),
    "leakproof": ("leakproof", lambda arg: bool(bool_value(arg))),
    "parallel": ("parallel", lambda arg: str(int_value(arg)).upper()),
}
