"""Catalog rows into the model: :class:`CatalogBuilder`.

:func:`dbdesign.readers.catalog.postgres.read.read_catalog` hands over the rows of every catalog
query, keyed by query name; the builder turns them into one :class:`~dbdesign.model.Schema`
following ``docs/model.md`` (canonical types, server-printed expressions, defaults left out).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, Literal, cast

from dbdesign.dialects.postgres import TYPE_RANGE, canonical_reloption, parse_type_string
from dbdesign.errors import Diagnostic
from dbdesign.model import (
    Argument,
    Check,
    Collation,
    Column,
    CompositeType,
    DatabaseInfo,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    ExclusionElement,
    Expr,
    Extension,
    ForeignKey,
    FrozenMap,
    Function,
    Generated,
    Grant,
    Identity,
    Index,
    Namespace,
    Origin,
    PartitionBy,
    Policy,
    PrimaryKey,
    Rule,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.model import Sequence as SequenceModel
from dbdesign.readers.catalog.postgres.printed import (
    index_element,
    paren_content,
    split_top_level,
    trigger_when,
)
from dbdesign.readers.ddl.pgast import is_null_text

Row = dict[str, Any]
Warn = Callable[[Diagnostic], None]

_ACTIONS: dict[str, str] = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
_MATCH: dict[str, str] = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
_VOLATILITY: dict[str, str] = {"i": "IMMUTABLE", "s": "STABLE", "v": "VOLATILE"}
_PARALLEL: dict[str, str] = {"s": "SAFE", "r": "RESTRICTED", "u": "UNSAFE"}
_ARG_MODES: dict[str, str] = {"i": "IN", "o": "OUT", "b": "INOUT", "v": "VARIADIC", "t": "TABLE"}
_KINDS: dict[str, str] = {"f": "function", "w": "function", "p": "procedure", "a": "aggregate"}
_RULE_EVENTS: dict[str, str] = {"1": "SELECT", "2": "UPDATE", "3": "INSERT", "4": "DELETE"}
_POLICY_COMMANDS: dict[str, str] = {
    "*": "ALL",
    "r": "SELECT",
    "a": "INSERT",
    "w": "UPDATE",
    "d": "DELETE",
}


# --------------------------------------------------------------------------- helpers


def _grants(raw: Any) -> frozenset[Grant]:
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return frozenset(
        Grant(grantee=g["grantee"], privilege=g["privilege"], grantable=bool(g["grantable"]))
        for g in items
    )


def _reloptions(options: Iterable[str]) -> tuple[str, ...]:
    """Storage parameters in the DDL reader's spelling and order (the server keeps each value
    as it was written)."""
    return tuple(sorted(canonical_reloption(o) for o in options))


def _expr(text: str | None) -> Expr | None:
    return Expr(text) if text is not None else None


def _canon_type(text: str) -> str:
    return str(parse_type_string(text))


def _seq_defaults(type_name: str, increment: int) -> tuple[int, int]:
    """Default (min, max) of a sequence of this type and direction."""
    lo, hi = TYPE_RANGE.get(type_name, TYPE_RANGE["bigint"])
    return (1, hi) if increment > 0 else (lo, -1)


class _IndexInfo:
    """One row of indexes.sql with its elements, split into keys and INCLUDE columns."""

    def __init__(self, row: Row, elements: list[Row], definition: str | None) -> None:
        self.row = row
        nkeys = int(row["nkeys"])
        texts: list[str] = []
        if definition:
            at = definition.find(f" USING {row['method']} (")
            if at != -1:
                texts = split_top_level(paren_content(definition, definition.index("(", at)))
        texts += [""] * (nkeys - len(texts))
        self.elements = tuple(
            index_element(e, t) for e, t in zip(elements[:nkeys], texts, strict=False)
        )
        self.include = tuple(str(e["column"]) for e in elements[nkeys:])
        self.where = _expr(row["predicate"])


# --------------------------------------------------------------------------- builder


class CatalogBuilder:
    def __init__(self, rows: dict[str, list[Row]], source: str, warn: Warn | None = None) -> None:
        self.rows = rows
        self.source = source
        self.warn: Warn = warn or (lambda d: None)
        self.columns: dict[int, list[Row]] = defaultdict(list)
        for r in rows["columns"]:
            self.columns[r["relid"]].append(r)
        self.table_constraints: dict[int, list[Row]] = defaultdict(list)
        self.domain_constraints: dict[int, list[Row]] = defaultdict(list)
        for r in rows["constraints"]:
            if r["relid"]:
                self.table_constraints[r["relid"]].append(r)
            elif r["typid"]:
                self.domain_constraints[r["typid"]].append(r)
        self.domain_names = {
            f"{r['schema']}.{r['name']}" for r in rows["types"] if r["typtype"] == "d"
        }
        self.attnames: dict[tuple[int, int], str] = {
            (r["relid"], r["attnum"]): r["name"] for r in rows["columns"]
        }
        elements: dict[int, list[Row]] = defaultdict(list)
        for r in rows["index_elements"]:
            elements[r["oid"]].append(r)
        definitions = {r["oid"]: r["definition"] for r in rows.get("index_definitions", ())}
        self.indexes: dict[int, _IndexInfo] = {
            r["oid"]: _IndexInfo(r, elements[r["oid"]], definitions.get(r["oid"]))
            for r in rows["indexes"]
        }

    @staticmethod
    def origin(catalog: str, oid: int) -> Origin:
        return Origin(catalog=f"{catalog}:{oid}")

    def build(self) -> Schema:
        tables = self.tables()
        views = self.views()
        relids = {r["oid"] for r in self.rows["tables"]} | {r["oid"] for r in self.rows["views"]}
        enums, domains, composites = self.types()
        return Schema(
            dialect="postgres",
            namespaces=FrozenMap((n.key, n) for n in self.namespaces()),
            extensions=FrozenMap((e.key, e) for e in self.extensions()),
            collations=FrozenMap((c.key, c) for c in self.collations()),
            tables=FrozenMap((t.key, t) for t in tables),
            views=FrozenMap((v.key, v) for v in views),
            indexes=FrozenMap((i.key, i) for i in self.standalone_indexes(relids)),
            sequences=FrozenMap((s.key, s) for s in self.sequences()),
            enums=FrozenMap((e.key, e) for e in enums),
            domains=FrozenMap((d.key, d) for d in domains),
            composite_types=FrozenMap((c.key, c) for c in composites),
            functions=FrozenMap((f.key, f) for f in self.functions()),
            triggers=FrozenMap((t.key, t) for t in self.triggers()),
            rules=FrozenMap((r.key, r) for r in self.rules()),
            policies=FrozenMap((p.key, p) for p in self.policies()),
            database=self.database(),
            source=self.source,
        )

    # -- the database, namespaces and extensions

    def database(self) -> DatabaseInfo | None:
        for r in self.rows["database"]:
            return DatabaseInfo(
                name=r["name"],
                encoding=r["encoding"] or None,
                origin=self.origin("pg_database", r["oid"]),
            )
        return None

    def namespaces(self) -> Iterable[Namespace]:
        for r in self.rows["namespaces"]:
            yield Namespace(
                name=r["name"],
                grants=_grants(r["grants"]),
                comment=r["comment"],
                origin=self.origin("pg_namespace", r["oid"]),
            )

    def extensions(self) -> Iterable[Extension]:
        for r in self.rows["extensions"]:
            yield Extension(
                name=r["name"],
                schema=r["schema"],
                version=r["version"],
                comment=r["comment"],
                origin=self.origin("pg_extension", r["oid"]),
            )

    def collations(self) -> Iterable[Collation]:
        for r in self.rows["collations"]:
            libc = r["provider"] == "libc"
            yield Collation(
                schema=r["schema"],
                name=r["name"],
                provider=r["provider"],
                locale=None if libc else r["locale"],
                lc_collate=r["lc_collate"] if libc else None,
                lc_ctype=r["lc_ctype"] if libc else None,
                deterministic=r["deterministic"],
                rules=r["rules"],
                version=r["version"],
                comment=r["comment"],
                origin=self.origin("pg_collation", r["oid"]),
            )

    # -- columns

    def column(self, r: Row) -> Column:
        dtype = parse_type_string(r["type"])
        identity = self.identity(r, dtype) if r["identity"] else None
        generated = None
        default = None
        if r["generated"]:
            generated = Generated(expr=Expr(r["default_expr"]), stored=r["generated"] == "s")
        elif not (
            r["default_expr"]
            and is_null_text(r["default_expr"])
            and f"{dtype.name}" not in self.domain_names
        ):
            default = _expr(r["default_expr"])  # NULL::varchar is no default, as DEFAULT NULL
        return Column(
            name=r["name"],
            type=dtype,
            nullable=not r["not_null"],
            default=default,
            identity=identity,
            generated=generated,
            collation=r["collation"],
            comment=r["comment"],
            origin=Origin(catalog=f"pg_attribute:{r['relid']}.{r['attnum']}"),
        )

    @staticmethod
    def identity(r: Row, dtype: DataType) -> Identity:
        always = r["identity"] == "a"
        if r["seqincrement"] is None:  # no sequence found (should not happen)
            return Identity(always=always)
        inc = int(r["seqincrement"])
        lo, hi = _seq_defaults(parse_type_string(r["seq_type"] or str(dtype)).name, inc)
        mn, mx, start = int(r["seqmin"]), int(r["seqmax"]), int(r["seqstart"])
        return Identity(
            always=always,
            start=None if start == (mn if inc > 0 else mx) else start,
            increment=None if inc == 1 else inc,
            min_value=None if mn == lo else mn,
            max_value=None if mx == hi else mx,
            cache=None if int(r["seqcache"]) == 1 else int(r["seqcache"]),
            cycle=bool(r["seqcycle"]),
        )

    # -- tables

    def tables(self) -> list[Table]:
        out = []
        for r in self.rows["tables"]:
            oid = r["oid"]
            pk, fks, uniques, checks, excls = self.constraints(oid)
            parents = tuple(r["parents"] or ())
            is_partition = bool(r["is_partition"])
            out.append(
                Table(
                    schema=r["schema"],
                    name=r["name"],
                    columns=tuple(self.column(c) for c in self.columns.get(oid, ())),
                    primary_key=pk,
                    foreign_keys=FrozenMap((f.name, f) for f in fks),
                    uniques=FrozenMap((u.name, u) for u in uniques),
                    checks=FrozenMap((c.name, c) for c in checks),
                    exclusions=FrozenMap((x.name, x) for x in excls),
                    partition_by=self.partition_by(r),
                    partition_of=parents[0] if is_partition and parents else None,
                    partition_bound=_expr(r["partition_bound"]) if is_partition else None,
                    inherits=() if is_partition else parents,
                    unlogged=bool(r["unlogged"]),
                    rls_enabled=bool(r["rls_enabled"]),
                    rls_forced=bool(r["rls_forced"]),
                    options=_reloptions(
                        [*(r["options"] or ()), *(f"toast.{o}" for o in r["toast_options"] or ())]
                    ),
                    grants=_grants(r["grants"]),
                    comment=r["comment"],
                    origin=self.origin("pg_class", oid),
                )
            )
        return out

    @staticmethod
    def partition_by(r: Row) -> PartitionBy | None:
        keydef = r["partkeydef"]
        if not keydef:
            return None
        strategy = keydef.split(None, 1)[0].upper()
        raw = r["partkey"] or []
        keys = json.loads(raw) if isinstance(raw, str) else raw
        exprs = iter(split_top_level(r["partexprs"]) if r["partexprs"] else [])
        at = keydef.find("(")
        texts = split_top_level(paren_content(keydef, at)) if at != -1 else []
        texts += [""] * (len(keys) - len(texts))
        elements = []
        for k, text in zip(keys, texts, strict=False):
            if k["column"] is None:
                k = {**k, "expr": next(exprs)}
            elements.append(index_element(k, text))
        return PartitionBy(
            strategy=cast(Literal["RANGE", "LIST", "HASH"], strategy), elements=tuple(elements)
        )

    def constraints(
        self, relid: int
    ) -> tuple[PrimaryKey | None, list[ForeignKey], list[Unique], list[Check], list[Exclusion]]:
        pk: PrimaryKey | None = None
        fks: list[ForeignKey] = []
        uniques: list[Unique] = []
        checks: list[Check] = []
        excls: list[Exclusion] = []
        for c in self.table_constraints.get(relid, ()):
            kind = c["contype"]
            origin = self.origin("pg_constraint", c["oid"])
            idx = self.indexes.get(c["indexid"]) if kind in "pux" else None
            common = {"name": c["name"], "comment": c["comment"], "origin": origin}
            # an exclusion constraint's expression elements are 0 in conkey (idx has them)
            columns = tuple(self.attnames[(relid, n)] for n in c["columns"] or () if n != 0)
            if kind == "p":
                pk = PrimaryKey(
                    columns=columns,
                    include=idx.include if idx else (),
                    deferrable=c["deferrable"],
                    initially_deferred=c["deferred"],
                    **common,
                )
            elif kind == "u":
                uniques.append(
                    Unique(
                        columns=columns,
                        include=idx.include if idx else (),
                        nulls_not_distinct=bool(idx.row["nulls_not_distinct"]) if idx else False,
                        deferrable=c["deferrable"],
                        initially_deferred=c["deferred"],
                        **common,
                    )
                )
            elif kind == "f":
                fks.append(
                    ForeignKey(
                        columns=columns,
                        ref_table=c["ref_table"],
                        ref_columns=tuple(c["ref_columns"]),
                        on_delete=cast(Any, _ACTIONS[c["on_delete"]]),
                        on_delete_columns=tuple(c["on_delete_columns"] or ()),
                        on_update=cast(Any, _ACTIONS[c["on_update"]]),
                        match=cast(Any, _MATCH[c["match"]]),
                        deferrable=c["deferrable"],
                        initially_deferred=c["deferred"],
                        validated=c["validated"],
                        **common,
                    )
                )
            elif kind == "c":
                checks.append(
                    Check(
                        expr=Expr(c["check_expr"]),
                        validated=c["validated"],
                        no_inherit=c["no_inherit"],
                        **common,
                    )
                )
            elif kind == "x" and idx is not None:
                ops = list(c["exclusion_ops"] or [])
                excls.append(
                    Exclusion(
                        method=idx.row["method"],
                        elements=tuple(
                            ExclusionElement(element=e, operator=op)
                            for e, op in zip(idx.elements, ops, strict=False)
                        ),
                        include=idx.include,
                        where=idx.where,
                        deferrable=c["deferrable"],
                        initially_deferred=c["deferred"],
                        **common,
                    )
                )
        return pk, fks, uniques, checks, excls

    # -- indexes

    def standalone_indexes(self, relids: set[int]) -> Iterable[Index]:
        for oid, info in self.indexes.items():
            r = info.row
            if r["backs_constraint"] or r["attached"]:
                continue
            if r["relid"] not in relids:
                continue  # on a table we do not model (an extension's)
            yield Index(
                name=r["name"],
                schema=r["schema"],
                table=r["table_name"],
                elements=info.elements,
                include=info.include,
                method=r["method"],
                unique=bool(r["is_unique"]),
                nulls_not_distinct=bool(r["nulls_not_distinct"]),
                where=info.where,
                comment=r["comment"],
                origin=self.origin("pg_class", oid),
            )

    # -- views

    def views(self) -> list[View]:
        out = []
        for r in self.rows["views"]:
            options: list[str] = []
            check_option: Literal["LOCAL", "CASCADED"] | None = None
            for opt in r["options"] or ():
                key, _, value = opt.partition("=")
                if key == "check_option":
                    check_option = "CASCADED" if value.lower() == "cascaded" else "LOCAL"
                else:
                    options.append(opt)
            query = (r["query"] or "").strip()
            if query.endswith(";"):
                query = query[:-1].rstrip()
            cols = self.columns.get(r["oid"], ())
            out.append(
                View(
                    schema=r["schema"],
                    name=r["name"],
                    query=Expr(query),
                    materialized=bool(r["materialized"]),
                    check_option=check_option,
                    options=_reloptions(options),
                    grants=_grants(r["grants"]),
                    comment=r["comment"],
                    column_comments=FrozenMap(
                        (c["name"], c["comment"]) for c in cols if c["comment"] is not None
                    ),
                    origin=self.origin("pg_class", r["oid"]),
                )
            )
        return out

    # -- sequences

    def sequences(self) -> Iterable[SequenceModel]:
        for r in self.rows["sequences"]:
            dtype = parse_type_string(r["type"])
            inc = int(r["increment"])
            lo, hi = _seq_defaults(dtype.name, inc)
            mn, mx = int(r["min_value"]), int(r["max_value"])
            yield SequenceModel(
                schema=r["schema"],
                name=r["name"],
                type=dtype,
                start=int(r["start"]),
                increment=inc,
                min_value=None if mn == lo else mn,
                max_value=None if mx == hi else mx,
                cache=int(r["cache"]),
                cycle=bool(r["cycle"]),
                owned_by=r["owned_by"],
                grants=_grants(r["grants"]),
                comment=r["comment"],
                origin=self.origin("pg_class", r["oid"]),
            )

    # -- types

    def types(self) -> tuple[list[EnumType], list[Domain], list[CompositeType]]:
        enums: list[EnumType] = []
        domains: list[Domain] = []
        composites: list[CompositeType] = []
        for r in self.rows["types"]:
            origin = self.origin("pg_type", r["oid"])
            if r["typtype"] == "r":
                self.warn(
                    Diagnostic(
                        f"range type {r['schema']}.{r['name']} is not modelled (nor its "
                        "multirange type and constructor functions); skipped",
                        file=self.source,
                    )
                )
                continue
            if r["typtype"] == "e":
                enums.append(
                    EnumType(
                        schema=r["schema"],
                        name=r["name"],
                        values=tuple(r["enum_values"] or ()),
                        comment=r["comment"],
                        origin=origin,
                    )
                )
            elif r["typtype"] == "d":
                checks = [
                    Check(
                        name=c["name"],
                        expr=Expr(c["check_expr"]),
                        validated=c["validated"],
                        no_inherit=c["no_inherit"],
                        comment=c["comment"],
                        origin=self.origin("pg_constraint", c["oid"]),
                    )
                    for c in self.domain_constraints.get(r["oid"], ())
                    if c["contype"] == "c"
                ]
                domains.append(
                    Domain(
                        schema=r["schema"],
                        name=r["name"],
                        type=parse_type_string(r["base_type"]),
                        nullable=not r["not_null"],
                        default=_expr(r["default_expr"]),
                        collation=r["collation"],
                        checks=FrozenMap((c.name, c) for c in checks),
                        comment=r["comment"],
                        origin=origin,
                    )
                )
            else:
                attrs = tuple(
                    (c["name"], parse_type_string(c["type"]))
                    for c in self.columns.get(r["relid"], ())
                )
                composites.append(
                    CompositeType(
                        schema=r["schema"],
                        name=r["name"],
                        attributes=attrs,
                        comment=r["comment"],
                        origin=origin,
                    )
                )
        return enums, domains, composites

    # -- functions

    def functions(self) -> Iterable[Function]:
        for r in self.rows["functions"]:
            types = [_canon_type(t) for t in r["arg_types"] or ()]
            n = len(types)
            modes = list(r["arg_modes"] or ["i"] * n)
            names = list(r["arg_names"] or [None] * n)
            defaults = list(r["arg_defaults"] or [None] * n)
            args = tuple(
                Argument(
                    name=(names[i] or None) if i < len(names) else None,
                    type=types[i],
                    mode=cast(Any, _ARG_MODES.get(modes[i], "IN")),
                    default=_expr(defaults[i] if i < len(defaults) else None),
                )
                for i in range(n)
            )
            kind = _KINDS.get(r["prokind"], "function")
            returns: str | None
            if kind == "procedure":
                returns = None
            elif (r["result"] or "").startswith("TABLE("):
                returns = r["result"]
            else:
                returns = ("SETOF " if r["retset"] else "") + _canon_type(r["rettype"])
            body = r["aggregate_options"] if kind == "aggregate" else (r["body"] or "")
            yield Function(
                schema=r["schema"],
                name=r["name"],
                arguments=args,
                returns=returns,
                kind=cast(Any, kind),
                language=r["language"],
                body=body,
                volatility=cast(Any, _VOLATILITY[r["volatility"]]),
                strict=bool(r["strict"]),
                security_definer=bool(r["security_definer"]),
                leakproof=bool(r["leakproof"]),
                parallel=cast(Any, _PARALLEL[r["parallel"]]),
                config=tuple(r["config"] or ()),
                public_execute=bool(r["public_execute"]),
                grants=_grants(r["grants"]),
                comment=r["comment"],
                origin=self.origin("pg_proc", r["oid"]),
            )

    # -- triggers, rules, policies

    def triggers(self) -> Iterable[Trigger]:
        for r in self.rows["triggers"]:
            t = int(r["tgtype"])
            timing = "INSTEAD OF" if t & 64 else "BEFORE" if t & 2 else "AFTER"
            events = sorted(
                e
                for bit, e in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE"))
                if t & bit
            )
            raw_args = bytes(r["args"] or b"")
            args = tuple(a.decode() for a in raw_args.split(b"\x00")[: int(r["nargs"])])
            when = trigger_when(r["definition"]) if r["has_when"] else None
            yield Trigger(
                schema=r["schema"],
                table=r["table_name"],
                name=r["name"],
                timing=cast(Any, timing),
                events=tuple(events),
                level="ROW" if t & 1 else "STATEMENT",
                function=r["function"],
                arguments=args,
                columns=tuple(r["columns"] or ()),
                when=_expr(when),
                constraint=bool(r["is_constraint"]),
                deferrable=bool(r["deferrable"]),
                initially_deferred=bool(r["deferred"]),
                enabled=r["enabled"],
                comment=r["comment"],
                origin=self.origin("pg_trigger", r["oid"]),
            )

    def rules(self) -> Iterable[Rule]:
        for r in self.rows["rules"]:
            definition = (r["definition"] or "").strip()
            if definition.endswith(";"):
                definition = definition[:-1].rstrip()
            yield Rule(
                schema=r["schema"],
                table=r["table_name"],
                name=r["name"],
                event=cast(Any, _RULE_EVENTS[r["ev_type"]]),
                definition=Expr(definition),
                comment=r["comment"],
                origin=self.origin("pg_rewrite", r["oid"]),
            )

    def policies(self) -> Iterable[Policy]:
        for r in self.rows["policies"]:
            yield Policy(
                schema=r["schema"],
                table=r["table_name"],
                name=r["name"],
                command=cast(Any, _POLICY_COMMANDS[r["command"]]),
                permissive=bool(r["permissive"]),
                roles=tuple(sorted(r["roles"] or ("PUBLIC",))),
                using=_expr(r["using_expr"]),
                with_check=_expr(r["check_expr"]),
                comment=r["comment"],
                origin=self.origin("pg_policy", r["oid"]),
            )
