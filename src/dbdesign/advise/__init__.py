"""Advice that needs a database: query plans (EXPLAIN), latency, and later index advice."""

from dbdesign.advise.explain import Latency, explain, latency
from dbdesign.databases.plans import PlanNode, QueryPlan, parse_plan

__all__ = ["Latency", "PlanNode", "QueryPlan", "explain", "latency", "parse_plan"]
