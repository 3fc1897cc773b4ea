"""The QoL standard document (format ``qadam-qol-standard/1``): parse, validate, write back.

``parse_standard`` turns the mapping loaded from YAML into frozen dataclasses and
collects every problem it finds; each is named by its path in the document
(``components[2].indicators[0].goalposts: low (5) must be below high (5)``) so an
editor can find it without reading code. ``Standard.to_document`` gives the mapping
back: ``to_document(parse_standard(doc)) == doc`` for every valid document, including
one that leaves optional keys out (the parsed standard remembers which it left out).

Optional keys and their defaults: ``description`` ({}), ``aggregation``
(``across_components: geometric``, ``within_components: arithmetic``), ``verdict``
(``max_failed_components: 0``, ``index_rule: threshold-region``), ``missing``
(``min_coverage: 0.5``, ``carry_forward_years: 0``), a component's ``weight`` (1) and
``threshold`` (null: derived), an indicator's ``transform`` (none), ``weight`` (1),
``floor`` (null) and ``rationale`` ({}). ``source`` is the data layer's business: it
must say which ``dataset`` and ``indicator``, and its other keys pass through as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeGuard

FORMAT = "qadam-qol-standard/1"
DIRECTIONS = ("higher-is-better", "lower-is-better")
TRANSFORMS = ("none", "log")
AGGREGATIONS = ("arithmetic", "geometric")
INDEX_RULES = ("threshold-region",)
MAX_INDICATORS = 3  # a component is a small, readable bundle: more belongs in two components

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_INDICATOR_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

_TOP_KEYS = (
    "format",
    "code",
    "title",
    "description",
    "aggregation",
    "verdict",
    "missing",
    "components",
)
_COMPONENT_KEYS = ("code", "name", "weight", "threshold", "indicators")
_INDICATOR_KEYS = (
    "code",
    "name",
    "source",
    "direction",
    "transform",
    "goalposts",
    "threshold",
    "weight",
    "floor",
    "rationale",
)
_DEFAULTS: dict[str, Any] = {
    "description": {},
    "aggregation.across_components": "geometric",
    "aggregation.within_components": "arithmetic",
    "verdict.max_failed_components": 0,
    "verdict.index_rule": "threshold-region",
    "missing.min_coverage": 0.5,
    "missing.carry_forward_years": 0,
    "weight": 1.0,
    "threshold": None,
    "transform": "none",
    "floor": None,
    "rationale": {},
}
_SECTIONS = {
    "aggregation": ("across_components", "within_components"),
    "verdict": ("max_failed_components", "index_rule"),
    "missing": ("min_coverage", "carry_forward_years"),
}

Texts = Mapping[str, str]


class StandardError(ValueError):
    """A standard document that cannot be used; ``errors`` lists every problem found,
    each starting with its path in the document."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: where its data come from and how a raw value becomes a 0–1 score.

    ``low``/``high`` are the goalposts in raw units; ``direction`` says which end is best.
    """

    code: str
    name: Texts
    source: Mapping[str, Any]
    direction: str
    transform: str
    low: float
    high: float
    threshold: float
    weight: float = 1.0
    floor: float | None = None
    rationale: Texts = field(default_factory=lambda: MappingProxyType({}))
    omitted: frozenset[str] = frozenset()  # optional keys the document left out

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher-is-better"

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "code": self.code,
            "name": dict(self.name),
            "source": _thaw(self.source),
            "direction": self.direction,
        }
        _emit(doc, "transform", self.transform, self.omitted)
        doc["goalposts"] = {"low": self.low, "high": self.high}
        doc["threshold"] = self.threshold
        _emit(doc, "weight", self.weight, self.omitted)
        _emit(doc, "floor", self.floor, self.omitted)
        _emit(doc, "rationale", dict(self.rationale), self.omitted)
        return doc


@dataclass(frozen=True)
class Component:
    """A dimension of quality of life, scored from its one to three indicators.

    ``threshold`` None: the score of a region sitting exactly at its indicators'
    thresholds (see ``compute.component_thresholds``)."""

    code: str
    name: Texts
    indicators: tuple[IndicatorSpec, ...]
    weight: float = 1.0
    threshold: float | None = None
    omitted: frozenset[str] = frozenset()

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"code": self.code, "name": dict(self.name)}
        _emit(doc, "weight", self.weight, self.omitted)
        _emit(doc, "threshold", self.threshold, self.omitted)
        doc["indicators"] = [indicator.to_document() for indicator in self.indicators]
        return doc


@dataclass(frozen=True)
class Standard:
    """A parsed, valid standard. Indicator order (``indicator_codes``) is the order of
    the document: components in turn, their indicators in turn; panels follow it."""

    code: str
    title: Texts
    components: tuple[Component, ...]
    description: Texts = field(default_factory=lambda: MappingProxyType({}))
    across_components: str = "geometric"
    within_components: str = "arithmetic"
    max_failed_components: int = 0
    index_rule: str = "threshold-region"
    min_coverage: float = 0.5
    carry_forward_years: int = 0
    omitted: frozenset[str] = frozenset()

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return tuple(i for component in self.components for i in component.indicators)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(indicator.code for indicator in self.indicators)

    @property
    def component_codes(self) -> tuple[str, ...]:
        return tuple(component.code for component in self.components)

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": FORMAT, "code": self.code, "title": dict(self.title)}
        _emit(doc, "description", dict(self.description), self.omitted)
        for section, keys in _SECTIONS.items():
            part: dict[str, Any] = {}
            for key in keys:
                _emit(part, key, getattr(self, key), self.omitted, f"{section}.{key}")
            if part or section not in self.omitted:
                doc[section] = part
        doc["components"] = [component.to_document() for component in self.components]
        return doc


def parse_standard(doc: object) -> Standard:
    """The standard in ``doc`` (a mapping loaded from YAML), or StandardError naming
    every problem by its path."""
    errors = _Errors()
    standard = _standard(doc, errors)
    if errors.messages or standard is None:
        raise StandardError(errors.messages or ["document: not a valid standard"])
    return standard


def what_if(
    standard: Standard,
    *,
    weights: Mapping[str, float] | None = None,
    thresholds: Mapping[str, float | None] | None = None,
    aggregation: str | Mapping[str, str] | None = None,
    max_failed_components: int | None = None,
) -> Standard:
    """A validated copy of ``standard`` with some choices changed, for "what if" views.

    ``weights`` and ``thresholds`` are keyed by component or indicator code (an
    indicator threshold in raw units; a component threshold a 0–1 score, or None to
    derive it). ``aggregation`` is the across-components method, or a mapping with
    ``across_components``/``within_components``. The original is left untouched."""
    doc = standard.to_document()
    places = _places(doc)
    for key, weight in (weights or {}).items():
        _place(places, key, "weights")["weight"] = weight
    for key, threshold in (thresholds or {}).items():
        _place(places, key, "thresholds")["threshold"] = threshold
    if aggregation is not None:
        methods = (
            {"across_components": aggregation} if isinstance(aggregation, str) else aggregation
        )
        doc.setdefault("aggregation", {}).update(methods)
    if max_failed_components is not None:
        doc.setdefault("verdict", {})["max_failed_components"] = max_failed_components
    return parse_standard(doc)


def _places(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Component and indicator mappings of ``doc`` by code (a code may name both)."""
    places: dict[str, list[dict[str, Any]]] = {}
    for component in doc["components"]:
        places.setdefault(component["code"], []).append(component)
        for indicator in component["indicators"]:
            places.setdefault(indicator["code"], []).append(indicator)
    return places


def _place(places: dict[str, list[dict[str, Any]]], code: str, what: str) -> dict[str, Any]:
    found = places.get(code, [])
    if not found:
        raise StandardError([f"{what}: {code!r} is no component or indicator of this standard"])
    if len(found) > 1:
        raise StandardError([f"{what}: {code!r} names both a component and an indicator"])
    return found[0]


def _emit(
    doc: dict[str, Any], key: str, value: Any, omitted: frozenset[str], name: str = ""
) -> None:
    """Write an optional key unless the document left it out and it still has its default."""
    name = name or key
    if name not in omitted or value != _DEFAULTS[name]:
        doc[key] = value


class _Errors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path}: {message}")


def _standard(doc: object, errors: _Errors) -> Standard | None:
    node = _mapping(doc, "document", errors, _TOP_KEYS, ("format", "code", "title", "components"))
    if node is None:
        return None
    if node.get("format") != FORMAT:
        errors.add("format", f"must be {FORMAT!r}, got {node.get('format')!r}")
    code = _slug(node.get("code"), "code", errors)
    title = _texts(node.get("title"), "title", errors, need_en=True)
    description = _texts(node.get("description", {}), "description", errors)
    settings = _settings(node, errors)
    components = _components(node.get("components"), errors)
    omitted = _omitted(node, ("description", *_SECTIONS))
    for section, keys in _SECTIONS.items():
        part = node.get(section)
        present = part if isinstance(part, Mapping) else {}
        omitted |= {f"{section}.{key}" for key in keys if key not in present}
    if errors.messages:
        return None
    return Standard(
        code=code,
        title=title,
        components=components,
        description=description,
        omitted=omitted,
        **settings,
    )


def _settings(node: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    """The aggregation, verdict and missing-data sections, flattened, with defaults."""
    values: dict[str, Any] = {}
    for section, keys in _SECTIONS.items():
        part = _mapping(node.get(section, {}), section, errors, keys, ())
        for key in keys:
            name = f"{section}.{key}"
            values[key] = (part or {}).get(key, _DEFAULTS[name])
    for key in ("across_components", "within_components"):
        _choice(values[key], f"aggregation.{key}", AGGREGATIONS, errors)
    _choice(values["index_rule"], "verdict.index_rule", INDEX_RULES, errors)
    _count(values["max_failed_components"], "verdict.max_failed_components", errors)
    _count(values["carry_forward_years"], "missing.carry_forward_years", errors)
    coverage = values["min_coverage"]
    if not _is_number(coverage) or not 0 < coverage <= 1:
        errors.add("missing.min_coverage", f"must be in (0, 1], got {_show(coverage)}")
    return values


def _components(node: object, errors: _Errors) -> tuple[Component, ...]:
    if not isinstance(node, list) or not node:
        errors.add("components", "must be a non-empty list")
        return ()
    components: list[Component] = []
    seen: dict[str, str] = {}
    codes: dict[str, str] = {}  # indicator codes are unique across the whole standard
    for n, item in enumerate(node):
        path = f"components[{n}]"
        component = _component(item, path, errors, codes)
        if component is None:
            continue
        _unique(component.code, f"{path}.code", seen, errors)
        components.append(component)
    weights = [c.weight for c in components]
    if len(components) == len(node) and _all_zero(weights):
        errors.add("components", "weights are all zero: at least one must be above zero")
    return tuple(components)


def _component(node: object, path: str, errors: _Errors, codes: dict[str, str]) -> Component | None:
    item = _mapping(node, path, errors, _COMPONENT_KEYS, ("code", "name", "indicators"))
    if item is None:
        return None
    before = len(errors.messages)
    code = _slug(item.get("code"), f"{path}.code", errors)
    name = _texts(item.get("name"), f"{path}.name", errors, need_en=True)
    weight = _weight(item.get("weight", 1.0), f"{path}.weight", errors)
    threshold = item.get("threshold")
    if threshold is not None and (not _is_number(threshold) or not 0 <= threshold <= 1):
        errors.add(f"{path}.threshold", f"must be null or a score in [0, 1], got {threshold!r}")
    indicators = _indicators(item.get("indicators"), f"{path}.indicators", errors, codes)
    if len(errors.messages) > before:
        return None
    return Component(
        code=code,
        name=name,
        indicators=indicators,
        weight=weight,
        threshold=None if threshold is None else float(threshold),
        omitted=_omitted(item, ("weight", "threshold")),
    )


def _indicators(
    node: object, path: str, errors: _Errors, codes: dict[str, str]
) -> tuple[IndicatorSpec, ...]:
    if not isinstance(node, list) or not 1 <= len(node) <= MAX_INDICATORS:
        count = f"got {len(node)}" if isinstance(node, list) else f"got {type(node).__name__}"
        errors.add(path, f"needs a list of 1 to {MAX_INDICATORS} indicators, {count}")
        return ()
    indicators = []
    for n, item in enumerate(node):
        indicator = _indicator(item, f"{path}[{n}]", errors)
        if indicator is not None:
            _unique(indicator.code, f"{path}[{n}].code", codes, errors)
            indicators.append(indicator)
    if len(indicators) == len(node) and _all_zero([i.weight for i in indicators]):
        errors.add(path, "weights are all zero: at least one must be above zero")
    return tuple(indicators)


def _indicator(node: object, path: str, errors: _Errors) -> IndicatorSpec | None:
    required = ("code", "name", "source", "direction", "goalposts", "threshold")
    item = _mapping(node, path, errors, _INDICATOR_KEYS, required)
    if item is None:
        return None
    before = len(errors.messages)
    code = item.get("code")
    if not isinstance(code, str) or not _INDICATOR_CODE.fullmatch(code):
        errors.add(f"{path}.code", f"must be letters, digits, '.', '_' or '-', got {code!r}")
    name = _texts(item.get("name"), f"{path}.name", errors, need_en=True)
    source = _source(item.get("source"), f"{path}.source", errors)
    direction = _choice(item.get("direction"), f"{path}.direction", DIRECTIONS, errors)
    transform = _choice(item.get("transform", "none"), f"{path}.transform", TRANSFORMS, errors)
    weight = _weight(item.get("weight", 1.0), f"{path}.weight", errors)
    rationale = _texts(item.get("rationale", {}), f"{path}.rationale", errors)
    goalposts = _goalposts(item.get("goalposts"), f"{path}.goalposts", transform, errors)
    if len(errors.messages) > before or goalposts is None:
        return None
    threshold, floor = _levels(item, path, goalposts, direction, errors)
    if len(errors.messages) > before:
        return None
    return IndicatorSpec(
        code=str(code),
        name=name,
        source=source,
        direction=direction,
        transform=transform,
        low=goalposts[0],
        high=goalposts[1],
        threshold=threshold,
        weight=weight,
        floor=floor,
        rationale=rationale,
        omitted=_omitted(item, ("transform", "weight", "floor", "rationale")),
    )


def _goalposts(
    node: object, path: str, transform: str, errors: _Errors
) -> tuple[float, float] | None:
    item = _mapping(node, path, errors, ("low", "high"), ("low", "high"))
    if item is None:
        return None
    low, high = item["low"], item["high"]
    for key, value in (("low", low), ("high", high)):
        if not _is_number(value):
            errors.add(f"{path}.{key}", f"must be a finite number, got {value!r}")
            return None
    if low >= high:
        errors.add(path, f"low ({_show(low)}) must be below high ({_show(high)})")
        return None
    if transform == "log" and low <= 0:
        errors.add(path, f"the log transform needs low above 0, got {_show(low)}")
        return None
    return float(low), float(high)


def _levels(
    item: Mapping[str, Any],
    path: str,
    goalposts: tuple[float, float],
    direction: str,
    errors: _Errors,
) -> tuple[float, float | None]:
    """The threshold (inside the goalposts) and the optional floor (never better than it:
    a region exactly at every threshold must be sufficient)."""
    low, high = goalposts
    threshold = item.get("threshold")
    if not _is_number(threshold):
        errors.add(f"{path}.threshold", f"must be a finite number, got {threshold!r}")
        return 0.0, None
    if not low <= threshold <= high:
        span = f"[{_show(low)}, {_show(high)}]"
        errors.add(f"{path}.threshold", f"{_show(threshold)} must lie within the goalposts {span}")
    floor = item.get("floor")
    if floor is None:
        return float(threshold), None
    if not _is_number(floor):
        errors.add(f"{path}.floor", f"must be null or a finite number, got {floor!r}")
        return float(threshold), None
    better = floor > threshold if direction == "higher-is-better" else floor < threshold
    if better:
        errors.add(
            f"{path}.floor",
            f"{_show(floor)} is better than the threshold ({_show(threshold)}): "
            "a floor is a minimum below the sufficient level",
        )
    return float(threshold), float(floor)


def _source(node: object, path: str, errors: _Errors) -> Mapping[str, Any]:
    if not isinstance(node, Mapping):
        errors.add(path, f"must be a mapping, got {type(node).__name__}")
        return MappingProxyType({})
    for key in ("dataset", "indicator"):
        if not isinstance(node.get(key), str) or not node.get(key):
            errors.add(f"{path}.{key}", f"must be a non-empty text, got {node.get(key)!r}")
    relative = node.get("relative_to_national", False)
    if not isinstance(relative, bool):
        errors.add(f"{path}.relative_to_national", f"must be true or false, got {relative!r}")
    return _freeze(node)


def _mapping(
    node: object, path: str, errors: _Errors, allowed: Sequence[str], required: Sequence[str]
) -> Mapping[str, Any] | None:
    """``node`` if it is a mapping with only ``allowed`` keys and every ``required`` one."""
    if not isinstance(node, Mapping):
        errors.add(path, f"must be a mapping, got {type(node).__name__}")
        return None
    unknown = [str(key) for key in node if key not in allowed]
    missing = [key for key in required if key not in node]
    for key in unknown:
        errors.add(path, f"unknown key {key!r} (expected one of {', '.join(allowed)})")
    for key in missing:
        errors.add(path, f"missing key {key!r}")
    return None if unknown or missing else node


def _texts(node: object, path: str, errors: _Errors, need_en: bool = False) -> Texts:
    if not isinstance(node, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in node.items()
    ):
        errors.add(path, "must map language codes to texts, e.g. {en: ..., ru: ..., kk: ...}")
        return MappingProxyType({})
    if need_en and not str(node.get("en", "")).strip():
        errors.add(path, "needs an English text (en)")
    return MappingProxyType(dict(node))


def _slug(value: object, path: str, errors: _Errors) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        errors.add(path, f"must be a slug (lower-case letters, digits, hyphens), got {value!r}")
        return ""
    return value


def _choice(value: object, path: str, choices: Sequence[str], errors: _Errors) -> str:
    if value not in choices:
        errors.add(path, f"must be one of {', '.join(choices)}, got {value!r}")
        return ""
    return str(value)


def _count(value: object, path: str, errors: _Errors) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(path, f"must be a whole number >= 0, got {value!r}")


def _weight(value: object, path: str, errors: _Errors) -> float:
    if not _is_number(value) or value < 0:
        errors.add(path, f"must be a finite number >= 0, got {value!r}")
        return 0.0
    return float(value)


def _unique(code: str, path: str, seen: dict[str, str], errors: _Errors) -> None:
    if code in seen:
        errors.add(path, f"{code!r} repeats {seen[code]}")
    else:
        seen[code] = path


def _all_zero(weights: Sequence[float]) -> bool:
    return bool(weights) and all(weight == 0 for weight in weights)


def _omitted(node: Mapping[str, Any], optional: Sequence[str]) -> frozenset[str]:
    return frozenset(key for key in optional if key not in node)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _show(value: object) -> str:
    """Numbers as people write them: 5 rather than 5.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if not isinstance(value, int | float) else str(value)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value
