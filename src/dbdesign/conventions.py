"""Names dbdesign's designs use and its reviews look for, in one place: the setting a
row-level-security policy reads the current tenant from, and the column names that hold a
tenant's key."""

from __future__ import annotations

# The session setting a tenant policy compares its table's tenant column with (the design's
# policies: USING (tenant_id = current_setting('app.tenant_id')::bigint)).
TENANT_SETTING = "app.tenant_id"

# Column names that hold a tenant's key in multi-tenant tables.
TENANT_COLUMNS = (
    "tenant_id",
    "org_id",
    "organization_id",
    "organisation_id",
    "account_id",
    "workspace_id",
    "company_id",
    "customer_id",
)
