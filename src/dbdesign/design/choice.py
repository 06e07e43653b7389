"""Which kind of database fits a spec: rule-based, scored, and always explained."""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.readers.spec import Attribute, Spec

KINDS = ("relational", "document", "key-value", "time-series", "graph", "vector")
ENGINES = {
    "postgresql": "PostgreSQL",
    "mysql": "MySQL / MariaDB",
    "sqlite": "SQLite",
    "mongodb": "MongoDB",
    "redis": "Redis",
}


@dataclass(frozen=True, slots=True)
class Score:
    kind: str
    points: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    kind: str  # the best-fitting kind of database
    engine: str  # the target the design is produced for
    recommended_engine: str
    reasons: tuple[str, ...]
    scores: tuple[Score, ...]  # every kind, best first
    note: str | None  # when the design's target differs from the recommendation


def choose(spec: Spec) -> Choice:
    score = _evidence(spec)
    why_not = {
        "document": "no free-form JSON attributes, or relationships that need joins",
        "key-value": "access patterns filter or sort beyond lookups by key",
        "time-series": "no append-only entity that grows by time",
        "graph": "few self-relationships to traverse",
        "vector": "no embeddings to search by similarity",
    }
    scores = sorted(
        (
            Score(k, sum(p for p, _ in v), tuple(w for _, w in v) or (why_not[k],))
            for k, v in score.items()
        ),
        key=lambda s: (-s.points, KINDS.index(s.kind)),
    )
    best = scores[0]
    recommended = {
        "relational": "postgresql",
        "document": "mongodb",
        "key-value": "redis",
        # PostgreSQL with time partitioning (or TimescaleDB) / pgvector covers these while
        # keeping joins and constraints for the rest of the data.
        "time-series": "postgresql",
        "graph": "postgresql",
        "vector": "postgresql",
    }[best.kind]
    target = spec.project.database
    engine = recommended if target == "auto" else target
    note = None
    if engine in ("mongodb", "redis"):
        note = (
            f"{ENGINES[engine]} designs are not produced yet: the relational design below "
            "(PostgreSQL) is the fallback."
        )
        engine = "postgresql"
    elif target != "auto" and target != recommended:
        asked, fit = ENGINES[target], ENGINES[recommended]
        note = f"The spec asks for {asked}; the requirements fit {fit} best."
    reasons = list(best.reasons)
    if best.kind == "time-series":
        reasons.append("PostgreSQL with range partitioning by time keeps joins to the rest")
    if best.kind == "vector":
        reasons.append("PostgreSQL with pgvector keeps vectors next to the relational data")
    return Choice(
        kind=best.kind,
        engine=engine,
        recommended_engine=recommended,
        reasons=tuple(reasons),
        scores=tuple(scores),
        note=note,
    )


def _evidence(spec: Spec) -> dict[str, list[tuple[int, str]]]:
    """What in the spec speaks for each kind of database: (points, why) per kind."""
    rels = spec.relationships
    ents = spec.entities
    attrs = [a for e in ents.values() for a in e.attributes.values() if isinstance(a, Attribute)]
    pats = spec.access_patterns
    score: dict[str, list[tuple[int, str]]] = {k: [] for k in KINDS}

    def add(kind: str, pts: int, why: str) -> None:
        score[kind].append((pts, why))

    add("relational", 2, "a general-purpose default: any query, constraints, transactions")
    if rels:
        add(
            "relational",
            2 * min(len(rels), 5),
            f"{len(rels)} relationships: joins and foreign keys keep them consistent",
        )
    if spec.project.consistency == "strong":
        add("relational", 3, "strong consistency: ACID transactions across rows and tables")
    multi = [p for p in pats if p.range or p.sort or len(p.equal) > 1]
    if multi:
        add(
            "relational",
            min(len(multi), 5),
            f"{len(multi)} access patterns filter or sort on several fields: composite indexes",
        )
    json_attrs = sum(a.type == "json" for a in attrs)
    if json_attrs:
        add("document", 2 * json_attrs, f"{json_attrs} free-form JSON attributes")
    if not rels and spec.project.consistency == "eventual":
        add("document", 4, "no relationships and eventual consistency: self-contained documents")
    key_only = [p for p in pats if list(p.equal) == ["id"] and not p.range and not p.sort]
    if pats and len(key_only) == len(pats):
        add("key-value", 6, "every access pattern is a lookup by key")
    ts = [e for e in ents.values() if e.append_only and e.volume.growth_per_year]
    if ts:
        big = max(e.volume.growth_per_year for e in ts)
        add(
            "time-series",
            3 if big < 100_000_000 else 6,
            f"{len(ts)} append-only entities growing by up to {big:,} rows a year",
        )
    self_refs = [r for r in rels if r.parent and r.parent == r.child]
    m2m_self = [r for r in rels if r.between and r.between[0] == r.between[1]]
    if len(self_refs) + 2 * len(m2m_self) >= 3:
        add("graph", 2 * (len(self_refs) + 2 * len(m2m_self)), "many self-relationships")
    vectors = sum(a.type == "vector" for a in attrs)
    if vectors:
        add("vector", 3 * vectors, f"{vectors} embedding vectors (similarity search)")
    return score
