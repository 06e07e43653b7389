"""Operations on the objects defined by SQL text or attached to a table by name: views
(materialized or not), functions and procedures, triggers, rules and row-level security
policies."""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.diff.ops_base import Operation
from dbdesign.model import Function, Policy, Rule, Trigger, View

# --------------------------------------------------------------------------- views


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateView(Operation):
    """CREATE [MATERIALIZED] VIEW with its comments and grants."""

    view: View

    @property
    def subject(self) -> str:
        return self.view.key

    def describe(self) -> str:
        return f"create {'materialized view' if self.view.materialized else 'view'} {self.subject}"

    def inverse(self) -> Operation:
        return DropView(view=self.view)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropView(Operation):
    view: View

    @property
    def subject(self) -> str:
        return self.view.key

    def describe(self) -> str:
        return f"drop {'materialized view' if self.view.materialized else 'view'} {self.subject}"

    def inverse(self) -> Operation:
        return CreateView(view=self.view)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceView(Operation):
    """CREATE OR REPLACE VIEW: the existing output columns are unchanged (names, order,
    expressions); new ones may follow them (the server appends them)."""

    old: View
    new: View

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return ReplaceView(old=self.new, new=self.old)


# --------------------------------------------------------------------------- routines


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateFunction(Operation):
    function: Function

    @property
    def subject(self) -> str:
        return self.function.key

    def describe(self) -> str:
        return f"create {self.function.kind} {self.subject}"

    def inverse(self) -> Operation:
        return DropFunction(function=self.function)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropFunction(Operation):
    function: Function

    @property
    def subject(self) -> str:
        return self.function.key

    def describe(self) -> str:
        return f"drop {self.function.kind} {self.subject}"

    def inverse(self) -> Operation:
        return CreateFunction(function=self.function)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceFunction(Operation):
    """CREATE OR REPLACE: same signature, result and argument names."""

    old: Function
    new: Function

    @property
    def subject(self) -> str:
        return self.new.key

    def describe(self) -> str:
        return f"replace {self.new.kind} {self.subject}"

    def inverse(self) -> Operation:
        return ReplaceFunction(old=self.new, new=self.old)


# --------------------------------------------------------------------------- triggers, rules,
# policies


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTrigger(Operation):
    trigger: Trigger

    @property
    def subject(self) -> str:
        return self.trigger.key

    def inverse(self) -> Operation:
        return DropTrigger(trigger=self.trigger)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropTrigger(Operation):
    trigger: Trigger

    @property
    def subject(self) -> str:
        return self.trigger.key

    def inverse(self) -> Operation:
        return CreateTrigger(trigger=self.trigger)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTriggerEnabled(Operation):
    """ALTER TABLE ... ENABLE [REPLICA|ALWAYS] | DISABLE TRIGGER."""

    old: Trigger
    new: Trigger

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return SetTriggerEnabled(old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRule(Operation):
    rule: Rule

    @property
    def subject(self) -> str:
        return self.rule.key

    def inverse(self) -> Operation:
        return DropRule(rule=self.rule)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropRule(Operation):
    rule: Rule

    @property
    def subject(self) -> str:
        return self.rule.key

    def inverse(self) -> Operation:
        return CreateRule(rule=self.rule)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePolicy(Operation):
    policy: Policy

    @property
    def subject(self) -> str:
        return self.policy.key

    def inverse(self) -> Operation:
        return DropPolicy(policy=self.policy)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropPolicy(Operation):
    policy: Policy

    @property
    def subject(self) -> str:
        return self.policy.key

    def inverse(self) -> Operation:
        return CreatePolicy(policy=self.policy)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterPolicy(Operation):
    """ALTER POLICY: roles, USING, WITH CHECK (the command and permissiveness are fixed)."""

    old: Policy
    new: Policy

    @property
    def subject(self) -> str:
        return self.new.key

    def inverse(self) -> Operation:
        return AlterPolicy(old=self.new, new=self.old)
