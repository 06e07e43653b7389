"""The opening of DESIGN.md for a design that has no relational schema (Redis, MongoDB): the
title block, the overview and the database choice, as the relational document has them."""

from __future__ import annotations

from dbdesign.design import Design
from dbdesign.design.document import choice_md


def header_md(d: Design, engine: str, kind: str, counts: str, generated_at: str) -> list[str]:
    p = d.spec.project
    return [
        "# Database Design Document",
        f"**Date:** {generated_at}",
        f"**Database:** {p.name}",
        f"**Type:** {engine} ({kind})",
        "",
        "## Overview",
        "",
        (p.description or f"The {p.name} data.").strip(),
        "",
        f"{counts}; {len(d.spec.access_patterns)} access patterns and "
        f"{len(d.spec.writes)} writes, {p.consistency} consistency.",
        "",
        *choice_md(d, engine),
    ]
