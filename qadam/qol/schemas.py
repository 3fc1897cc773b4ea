"""Shapes of the quality-of-life API."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class StandardOut(Schema):
    code: str
    version: int = Field(description="The version's number; versions are never changed.")
    document: dict[str, Any] = Field(description="The standard (format qadam-qol-standard/1).")


class VerdictOut(Schema):
    region: str = Field(description="REF_AREA code of the region.")
    year: int
    index: float | None = Field(description="0–1; null without enough data.")
    components: dict[str, float | None] = Field(description="Component code → score 0–1.")
    sufficient: bool | None = Field(description="null: too little data for a verdict.")
    failed_components: list[str] = Field(description="The deficit profile.")
    coverage: float = Field(description="Share of the indicator weight with data.")
    median_rank: float | None = Field(description="Over the Monte Carlo draws (that year).")
    rank_p5: float | None
    rank_p95: float | None
