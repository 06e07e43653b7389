"""Advice that needs a database: query plans (EXPLAIN), latency, and later index advice."""

from dbdesign.advise.explain import Latency, Plan, PlanNode, explain, latency, parse_plan

__all__ = ["Latency", "Plan", "PlanNode", "explain", "latency", "parse_plan"]
