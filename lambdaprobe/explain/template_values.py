"""Resolving a template's values: parameters (defaults, `--param`), mappings, and references to resources.

Intrinsic functions that need a deployed stack (Fn::If on conditions, Fn::ImportValue, pseudo
parameters such as AWS::AccountId) are not guessed: the value is unresolved and its key is reported.
Fn::Sub and Fn::Join stay lenient: an ARN built from pieces keeps its shape, with `${X}` where a piece
is unknown, which is all the readers need of it (the service and the name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lambdaprobe.explain.model import Location, Unresolved


@dataclass(frozen=True)
class ResourceRef:
    """A reference to a resource of the same template (Ref, or Fn::GetAtt with its attribute)."""

    logical_id: str
    attribute: str | None = None


class Unresolvable(Exception):
    def __init__(self, key: str | None, why: str) -> None:
        super().__init__(why)
        self.key = key
        self.why = why


MISSING: Any = object()
NO_VALUE: Any = object()  # Ref AWS::NoValue
ABSENT: Any = object()  # a default for `Resolver.get` that tells "absent" from "unresolved" (None)


def _intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = str(next(iter(node)))
    return key == "Ref" or key.startswith("Fn::")


def _scalar(value: Any) -> str:
    """How Fn::Equals compares: as text, YAML's true/false as CloudFormation spells them."""
    return str(value).lower() if isinstance(value, bool) else str(value)


_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
_WHOLE_SUB = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}")


def line_of(mapping: Any, key: str) -> int | None:
    """The 1-based line of `key` in a decoded mapping (the decoder keeps marks on keys)."""
    if isinstance(mapping, dict):
        for k in mapping:
            if k == key and hasattr(k, "start_mark"):
                return int(k.start_mark.line) + 1
    return None  # absent (an AWS default applies): the caller points at the resource instead


class Resolver:
    """Evaluates values of one template; collects what it could not resolve."""

    def __init__(self, template: dict[str, Any], params: dict[str, str], path: str) -> None:
        self.resources: dict[str, Any] = dict(template.get("Resources") or {})
        self.parameters: dict[str, Any] = dict(template.get("Parameters") or {})
        self.mappings: dict[str, Any] = dict(template.get("Mappings") or {})
        self.conditions: dict[str, Any] = dict(template.get("Conditions") or {})
        self.params = params
        self.path = path
        self.unresolved: list[Unresolved] = []
        self.used_params: set[str] = set()

    def location(self, logical_id: str, mapping: Any = None, key: str | None = None) -> Location:
        line = line_of(mapping, key) if mapping is not None and key is not None else None
        if line is None:
            line = line_of(self.resources, logical_id)
        return Location(resource=logical_id, file=self.path, line=line)

    def get(self, logical_id: str, props: Any, *path: str, default: Any = MISSING) -> Any:
        """The value at `path` under a resource's properties, resolved; `default` when absent; None
        (and an Unresolved entry) when present but unresolvable."""
        key = ".".join((logical_id, *path))
        if key in self.params:
            self.used_params.add(key)
            return self.params[key]
        node: Any = props
        parent: Any = None
        try:
            for part in path:
                if _intrinsic(node):
                    node = self.evaluate(node)  # e.g. an Fn::If that picks a whole mapping
                if not isinstance(node, dict) or part not in node:
                    return None if default is MISSING else default
                parent, node = node, node[part]
            value = self.evaluate(node)
        except Unresolvable as err:
            self.note(
                err.key or key, f"{key}: {err.why}", self.location(logical_id, parent, path[-1] if path else None)
            )
            return None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as err:  # a malformed intrinsic
            where = self.location(logical_id, parent, path[-1] if path else None)
            self.note(key, f"{key}: not a well-formed value ({type(err).__name__})", where)
            return None
        if value is NO_VALUE:  # AWS::NoValue: as if the property were absent
            return None if default is MISSING else default
        return value

    def number(self, logical_id: str, props: Any, *path: str, default: int | None = None) -> int | None:
        """An integer property: its default when absent, None (reported) when it is not a number."""
        value = self.get(logical_id, props, *path, default=default)
        if value is None:
            return None
        number = as_int(value)
        if number is None:
            key = ".".join((logical_id, *path))
            self.note(key, f"{key}: {value!r} is not a number", self.location(logical_id))
        return number

    def note(self, key: str, what: str, location: Location) -> None:
        if not any(u.key == key and u.what == what for u in self.unresolved):
            self.unresolved.append(Unresolved(key=key, what=what, location=location))

    def evaluate(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((fn, arg),) = node.items()
            if fn == "Ref":
                return self._ref(str(arg))
            if fn == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else list(arg)
                return ResourceRef(str(parts[0]), str(parts[1]) if len(parts) > 1 else None)
            if fn == "Fn::If":
                name, yes, no = arg
                return self.evaluate(yes if self.condition(str(name)) else no)
            if fn == "Fn::FindInMap":
                return self._find_in_map(arg)
            if fn == "Fn::Sub":
                whole = _WHOLE_SUB.fullmatch(arg) if isinstance(arg, str) else None
                if whole is not None and whole.group(1) in self.resources:
                    return ResourceRef(whole.group(1), whole.group(2))  # "${Queue.Arn}" is the queue itself
                return self._sub(arg)
            if fn == "Fn::Join":
                sep, items = arg
                return str(sep).join(self._text(self.evaluate(i)) for i in items)
            if fn == "Fn::Select":
                index, items = arg
                values = self.evaluate(items)
                return self.evaluate(values[int(self.evaluate(index))])
            if str(fn).startswith("Fn::") or fn == "Condition":
                raise Unresolvable(None, f"{fn} is not resolved offline")
        if isinstance(node, list):
            return [self.evaluate(i) for i in node]
        return node

    def condition(self, name: str) -> bool:
        """A template condition, from parameters' values: Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition."""
        if name not in self.conditions:
            raise Unresolvable(None, f"condition {name} is not defined")
        return self._truth(self.conditions[name])

    def _truth(self, expr: Any) -> bool:
        if not isinstance(expr, dict) or len(expr) != 1:
            raise Unresolvable(None, f"condition {expr!r} is not understood")
        ((fn, arg),) = expr.items()
        if fn == "Fn::Equals":
            first, second = (_scalar(self.evaluate(a)) for a in arg)
            return first == second
        if fn == "Fn::Not":
            return not self._truth(arg[0])
        if fn == "Fn::And":
            return all(self._truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(self._truth(a) for a in arg)
        if fn == "Condition":
            return self.condition(str(arg))
        raise Unresolvable(None, f"{fn} in a condition is not resolved offline")

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.params:
            self.used_params.add(name)
            return self.params[name]
        if name in self.parameters:
            declared = self.parameters[name] or {}
            if "Default" in declared:
                return declared["Default"]
            raise Unresolvable(name, f"parameter {name} has no default")
        if name in self.resources:
            return ResourceRef(name)
        base, _, suffix = name.rpartition(".")
        if suffix in ("Alias", "Version") and base in self.resources:
            return ResourceRef(base, suffix)  # SAM's !Ref Function.Alias: the function, through its alias
        raise Unresolvable(name, f"{name} is known only when deployed")

    def _find_in_map(self, arg: Any) -> Any:
        name, first, second = (self.evaluate(a) for a in arg)
        try:
            return self.mappings[str(name)][str(first)][str(second)]
        except (KeyError, TypeError) as err:
            raise Unresolvable(None, f"Fn::FindInMap {name}/{first}/{second} not found") from err

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def piece(match: re.Match[str]) -> str:
            var = match.group(1)
            try:
                if var in variables:
                    return self._text(self.evaluate(variables[var]))
                if "." in var:
                    logical, attribute = var.split(".", 1)
                    return self._text(ResourceRef(logical, attribute))
                return self._text(self._ref(var))
            except Unresolvable:
                return match.group(0)

        return _SUB_VAR.sub(piece, str(text))

    def _text(self, value: Any) -> str:
        if isinstance(value, ResourceRef):
            return f"${{{value.logical_id}{'.' + value.attribute if value.attribute else ''}}}"
        return str(value)

    def type_of(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id)
        return str(resource.get("Type", "")) if isinstance(resource, dict) else ""

    def props(self, logical_id: str) -> dict[str, Any]:
        resource = self.resources.get(logical_id)
        props = resource.get("Properties") if isinstance(resource, dict) else None
        return props if isinstance(props, dict) else {}


def as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool | ResourceRef):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)
