"""Which kind of database fits a spec: rule-based, scored, and always explained."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dbdesign.design.draft import PROJECTION_YEARS
from dbdesign.design.mongo_embed import homes
from dbdesign.design.redis_plan import brief, unservable
from dbdesign.readers.spec import Attribute, Entity, Spec
from dbdesign.readers.spec_patterns import AccessPattern

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
    # Ties: the kind with more separate reasons stated by the spec first (evidence from
    # several directions over one strong signal), then the general-purpose kind first.
    scores = sorted(
        (
            Score(k, sum(p for p, _ in v), tuple(w for _, w in v) or (why_not[k],))
            for k, v in score.items()
        ),
        key=lambda s: (-s.points, -len(score[s.kind]), KINDS.index(s.kind)),
    )
    best = scores[0]
    tied = [s.kind for s in scores[1:] if s.points == best.points]
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
    if target != "auto" and target != recommended:
        asked, fit = ENGINES[target], ENGINES[recommended]
        note = f"The spec asks for {asked}; the requirements fit {fit} best."
    reasons = list(best.reasons)
    if tied:
        reasons.append(
            f"tied on points with {', '.join(tied)}: chosen for its {len(score[best.kind])} "
            "separate reasons"
            + (" and as the general-purpose kind" if best.kind == KINDS[0] else "")
        )
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


# Lines the workload's shape draws (rules of thumb, not measured here).
TTL_DAYS = 30  # data kept at most this long expires like a cache entry (a TTL)
HOT_LOOKUPS_PER_S = 10_000  # key lookups a second past which a cache in memory pays
MEMORY_ROWS = 200_000_000  # rows in three years past which a store held in memory is costly
FAST_MS = 10  # p95 targets at or under this on every read: what memory serves
ROW_FLOOD_PER_S = 1_000  # inserts a second into an append-only entity: a time-series load


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
    # Bounded children read with their parent and never on their own live inside it in a
    # document (the MongoDB design's embed rules): no join to make, one atomic write.
    embedded = sorted(homes(spec).embedded)
    joined = len(rels) - len(embedded)
    if joined:
        add(
            "relational",
            2 * min(joined, 5),
            f"{joined} relationships: joins and foreign keys keep them consistent",
        )
    if embedded:
        add(
            "document",
            3 * min(len(embedded), 3),
            f"{', '.join(embedded)}: bounded, read with their parent and not on their own: "
            "embedded, a document is read and written whole",
        )
        _aggregates(spec, set(embedded), add)
    if spec.project.consistency == "strong":
        add("relational", 3, "strong consistency: ACID transactions across rows and tables")
    multi = [p for p in pats if p.range or p.sort or len(p.equal) > 1]
    if multi:
        add(
            "relational",
            min(len(multi), 5),
            f"{len(multi)} access patterns filter or sort on several fields: composite indexes",
        )
    rules = sum(
        len(e.unique) + len(e.no_overlap) + len(e.checks) + len(e.transitions) + len(e.sums)
        for e in ents.values()
    ) + sum(r.at_most is not None for r in rels)
    if rules:
        add(
            "relational",
            min(rules, 5),
            f"{rules} business rules the database can enforce",
        )
    json_attrs = sum(a.type == "json" for a in attrs)
    if json_attrs:
        add("document", 2 * json_attrs, f"{json_attrs} free-form JSON attributes")
    if not rels and spec.project.consistency == "eventual":
        add("document", 4, "no relationships and eventual consistency: self-contained documents")
    _key_value(spec, add)
    ts = [e for e in ents.values() if e.append_only and e.volume.growth_per_year]
    if ts:
        big = max(e.volume.growth_per_year for e in ts)
        add(
            "time-series",
            3 if big < 100_000_000 else 6,
            f"{len(ts)} append-only entities growing by up to {big:,} rows a year",
        )
        flood = sum(
            w.rate_per_second or 0
            for w in spec.writes
            if w.operation == "insert" and ents[w.entity].append_only
        )
        if flood >= ROW_FLOOD_PER_S:
            add("time-series", 2, f"{flood:,.0f} inserts/s into append-only entities")
    self_refs = [r for r in rels if r.parent and r.parent == r.child]
    m2m_self = [r for r in rels if r.between and r.between[0] == r.between[1]]
    if len(self_refs) + 2 * len(m2m_self) >= 3:
        add("graph", 2 * (len(self_refs) + 2 * len(m2m_self)), "many self-relationships")
    vectors = sum(a.type == "vector" for a in attrs)
    if vectors:
        add("vector", 3 * vectors, f"{vectors} embedding vectors (similarity search)")
    similar = [p for p in pats if p.similar_to]
    if similar:
        add(
            "vector",
            3 * min(len(similar), 3),
            f"{len(similar)} access patterns search by similarity (nearest neighbours)",
        )
    return score


def _key_value(spec: Spec, add: Callable[[str, int, str], None]) -> None:
    """A key-value store: reads by a unique key only, data that expires, lookups at a rate
    a cache in memory serves best; held back when the data is too big for memory."""
    pats = spec.access_patterns
    lookups = [p for p in pats if _key_lookup(spec, p)]
    if pats and len(lookups) == len(pats):
        add("key-value", 6, "every access pattern is a lookup by a unique key")
    elif (
        pats and any(_expires(e) for e in spec.entities.values()) and not any(map(unservable, pats))
    ):
        add(
            "key-value",
            6,
            "data that expires, and every access pattern served by a key-value store's "
            "structures (lookups by key, the top of a group by a score, counts in a time "
            "window, newest first)",
        )
    elif lookups and len(lookups) * 2 >= len(pats):
        add("key-value", 2, f"{len(lookups)} of {len(pats)} access patterns look up a unique key")
    else:
        return  # the reads are not a key-value store's: nothing else here speaks for one
    short = sorted(n for n, e in spec.entities.items() if _expires(e))
    day = sorted(n for n, e in spec.entities.items() if brief(e))
    if day:
        add("key-value", 2, f"{', '.join(day)} expire within a day of their last write")
    fast = [p for p in pats if p.latency_ms <= FAST_MS]
    if pats and len(fast) == len(pats):
        add("key-value", 2, f"every access pattern's p95 target is {FAST_MS:g} ms or less")
    if short:
        add("key-value", 3, f"{', '.join(short)} kept at most {TTL_DAYS} days: entries with a TTL")
    rate = sum(p.rate_per_second or 0 for p in lookups)
    if rate >= HOT_LOOKUPS_PER_S:
        add("key-value", 2, f"{rate:,.0f} key lookups/s: served from memory")
    rows = sum(
        e.volume.rows + PROJECTION_YEARS * e.volume.growth_per_year
        for e in spec.entities.values()
        if not _expires(e)
    )
    if rows > MEMORY_ROWS:
        add(
            "key-value",
            -4,
            f"{rows:,} rows in {PROJECTION_YEARS} years: too many to hold in memory",
        )


def _aggregates(spec: Spec, embedded: set[str], add: Callable[[str, int, str], None]) -> None:
    """Reads of a whole aggregate (a parent with embedded children, by a unique key) and
    writes that one document's atomicity covers speak for documents."""
    parents = {r.parent for r in spec.relationships if r.child in embedded and r.parent is not None}
    whole = [p for p in spec.access_patterns if p.entity in parents and _key_lookup(spec, p)]
    if whole:
        add(
            "document",
            3,
            f"{', '.join(p.name for p in whole)} read{'s' if len(whole) == 1 else ''} a whole "
            "aggregate by its key: one "
            "document instead of a join per embedded child",
        )
    if spec.project.consistency == "eventual":
        add(
            "document",
            2,
            "eventual consistency: a write within one aggregate is atomic in its document, "
            "and nothing asks for transactions across them",
        )


def _expires(e: Entity) -> bool:
    return bool(e.ttl_seconds or (e.retention_days and e.retention_days <= TTL_DAYS))


def _key_lookup(spec: Spec, p: AccessPattern) -> bool:
    """Whether ``p`` reads one row by a unique key (id, a unique attribute or group)."""
    if not p.equal or p.fixed or p.sort or p.limit or p.text_search or p.group_by or p.aggregates:
        return False
    if p.in_ or p.range or p.after or p.before or p.is_null or p.not_null or p.any_of:
        return False
    e = spec.entities[p.entity]
    keys = [
        {"id"},
        *({f} for f, a in e.attributes.items() if isinstance(a, Attribute) and a.unique),
    ]
    keys += [set(g) for g in e.unique_together]
    return any(k <= set(p.equal) for k in keys)
