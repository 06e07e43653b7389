"""The project part of a requirements spec: the target database, workload, conventions,
features and recovery objectives (:class:`dbdesign.readers.spec.Spec` holds it as ``project``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Recovery(_Model):
    """How much data and time a failure may cost (they decide backups and standbys)."""

    rpo_minutes: Annotated[float, Field(ge=0)] = Field(
        description="Recovery point objective: minutes of committed writes that may be lost "
        "(0: none)."
    )
    rto_minutes: Annotated[float, Field(gt=0)] = Field(
        description="Recovery time objective: minutes the database may be unavailable after "
        "losing its server."
    )


class Workload(_Model):
    type: Literal["oltp", "olap", "mixed"] = "oltp"
    read_write_ratio: Annotated[float, Field(gt=0)] = Field(
        10, description="Reads per write (10 = read-heavy)."
    )


class MultiTenancy(_Model):
    tenant: str = Field(description="The entity that is the tenant (e.g. organisation).")
    row_level_security: bool = Field(True, description="PostgreSQL: isolate tenants with RLS.")


class Conventions(_Model):
    keys: Literal["identity", "uuid"] = Field(
        "identity", description="Primary keys: bigint identity, or uuid."
    )
    enums: Literal["check", "native"] = Field(
        "check", description="Enumerations: text + CHECK (easy to change) or native enum types."
    )
    schema_name: str = Field("public", description="PostgreSQL schema for the tables.")


class Features(_Model):
    audit_columns: bool = Field(True, description="created_at/updated_at on every table.")
    soft_delete: bool = Field(False, description="deleted_at instead of DELETE.")
    optimistic_locking: bool = Field(False, description="A version column checked on update.")
    multi_tenancy: MultiTenancy | None = None
    full_text_search: bool = Field(True, description="Search over attributes marked searchable.")


class Project(_Model):
    name: str
    description: str | None = None
    database: Literal["auto", "postgresql", "mysql", "sqlite", "mongodb", "redis"] = "auto"
    workload: Workload = Field(default_factory=Workload)
    consistency: Literal["strong", "eventual"] = "strong"
    conventions: Conventions = Field(default_factory=Conventions)
    features: Features = Field(default_factory=Features)
    recovery: Recovery | None = Field(
        None, description="RPO and RTO; unstated: DESIGN.md assumes RPO 5 min and RTO 1 h."
    )
    scale_out: Literal["auto", "citus", "none"] = Field(
        "auto",
        description="Beyond one server (PostgreSQL): auto designs for Citus when the hot data "
        "or the stated writes pass what one node carries (DESIGN.md says where that line is), "
        "citus always, none never.",
    )

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out at its default, so the spec in an earlier design.json reads the same.
        out: dict[str, Any] = handler(self)
        if out.get("scale_out") == "auto":
            out.pop("scale_out")
        return out
