"""Importing Open SDG repositories and kz-stats: from a folder, over HTTP, and from
the web page; what is set aside and why; and that re-runs change nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from qadam.indicators.models import ImportRun, Indicator, Observation, Series

pytestmark = pytest.mark.django_db
REFUSED = ("focal_point", "contributor", "ngo_member", "observer", "outsider")


def _import(kind: str, source: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("indicators", "import", kind, source, *extra, stdout=out, verbosity=0)
    return out.getvalue()


def test_import_keeps_good_rows_and_sets_aside_bad_ones_with_reasons(
    regions: None, synthetic_repo: Path
) -> None:
    _import("opensdg", str(synthetic_repo))
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE
    neonatal = Indicator.objects.get(code="3-2-2")
    assert neonatal.display_title() == "Synthetic neonatal mortality rate"
    assert neonatal.title["kk"] == "Синтетикалық неонаталдық өлім"
    assert neonatal.sdg is not None and neonatal.sdg.code == "3.2.2"
    total = Series.objects.get(indicator=neonatal, is_total=True)
    assert total.disaggregation == {"SEX": "_T"}
    values = dict(
        Observation.objects.filter(series=total, year=2021).values_list("region", "value")
    )
    # KZXX is no region, and KZNS 2021 has two different values: both set aside.
    assert values == {"": 5.0, "KZAKM": 6.0, "KZALA": 4.0}
    codes = {p["code"] for p in run.problems}
    assert "duplicate-conflict" in codes
    assert any(p["field"] == "REF_AREA" and "KZXX" in p["message"] for p in run.problems)
    bad_value = next(p for p in run.problems if p["field"] == "Value" and "abc" in p["message"])
    assert bad_value["file"].endswith("indicator_11-3-1.csv") and bad_value["row"] == 4


def test_re_running_an_unchanged_import_writes_nothing(regions: None, synthetic_repo: Path) -> None:
    _import("opensdg", str(synthetic_repo))
    first = list(Observation.objects.values_list("pk", flat=True))
    _import("opensdg", str(synthetic_repo))
    assert ImportRun.objects.first().status == ImportRun.Status.UNCHANGED  # type: ignore[union-attr]
    assert list(Observation.objects.values_list("pk", flat=True)) == first


def test_changed_source_replaces_the_dataset(regions: None, synthetic_repo: Path) -> None:
    _import("opensdg", str(synthetic_repo))
    path = synthetic_repo / "data" / "indicator_11-3-1.csv"
    path.write_text(path.read_text() + "2022,SQ_METER,,24.5\n")
    _import("opensdg", str(synthetic_repo))
    housing = Observation.objects.filter(series__indicator__code="11-3-1", region="")
    assert sorted(housing.values_list("year", flat=True)) == [2020, 2021, 2022]


def test_import_over_http_gives_the_same_data_as_the_folder(
    regions: None, synthetic_repo: Path, http_root: Callable[[Path], str]
) -> None:
    _import("opensdg", str(synthetic_repo))
    _import("opensdg", http_root(synthetic_repo))
    # Same rows, labels and problems: the fingerprint matches, nothing is rewritten.
    assert ImportRun.objects.first().status == ImportRun.Status.UNCHANGED  # type: ignore[union-attr]


def test_missing_folder_is_a_clear_error(regions: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such folder"):
        _import("opensdg", str(tmp_path / "nowhere"))
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert not Indicator.objects.exists()


def test_unreachable_url_is_a_clear_error(
    regions: None, tmp_path: Path, http_root: Callable[[Path], str]
) -> None:
    base = http_root(tmp_path)  # an empty folder: every file answers 404
    _import("opensdg", base)
    run = ImportRun.objects.get()
    assert run.counts["indicators"] == 0


def test_real_kazstat_quirks_are_reported_not_swallowed(regions: None, data_dir: str) -> None:
    call_command("load_reference", stdout=io.StringIO())
    _import("opensdg", str(Path(data_dir) / "kazstat-sdg"))
    run = ImportRun.objects.get()
    codes = set(run.counts["by_code"])
    assert {
        "bad-ref-area",  # 4-c-1-2's numbers
        "unknown-region",  # 8-3-1-1's KZAP
        "bad-disaggregation",  # 8-6-1's number in SEX
        "duplicate-conflict",  # 11-3-1 and 5-5-2
        "unit-corrected",  # 8-5-1 holds tenge, not percent
        "overlap",  # KZONT beside KZYUZ/KZSHY
        "border-break-2022",
        "method-break-2018",  # 1-2-1
        "not-first-level",  # 11-6-2's cities
    } <= codes
    assert run.counts["indicators"] > 200
    poverty = Indicator.objects.get(dataset__code="kazstat-sdg", code="1-2-1")
    assert [2018, "method-break-2018"] in poverty.breaks


def test_kz_stats_life_expectancy_is_matched_to_regions(regions: None, data_dir: str) -> None:
    call_command("load_reference", stdout=io.StringIO())
    _import("kz-stats", str(Path(data_dir) / "kz-stats"))
    life = Observation.objects.filter(series__indicator__code="kz-life-expectancy")
    assert life.filter(region="", year=1999).get().value == pytest.approx(65.63)
    assert life.filter(region="", year=2022).get().value == pytest.approx(74.44)
    assert life.filter(region="KZABY", year=2022).exists()


# -- the web page ---------------------------------------------------------------------


def test_secretariat_imports_from_the_web_and_the_worker_runs_it(
    regions: None,
    synthetic_repo: Path,
    client_for: Callable[[str], Client],
    http_root: Callable[[Path], str],
    run_worker: Callable[[], None],
) -> None:
    admin = client_for("admin")
    url = http_root(synthetic_repo)
    response = admin.post(reverse("indicators:import-new"), {"kind": "opensdg", "url": url})
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("indicators:import-detail", args=[run.pk])
    assert run.status == ImportRun.Status.QUEUED
    run_worker()
    page = admin.get(response["Location"]).content.decode()
    assert "duplicate-conflict" in page
    assert Indicator.objects.filter(code="3-2-2").exists()


def test_kz_stats_cannot_come_from_a_url(
    regions: None, client_for: Callable[[str], Client]
) -> None:
    response = client_for("admin").post(
        reverse("indicators:import-new"), {"kind": "kz-stats", "url": "https://example.org/x/"}
    )
    assert "Only Open SDG repositories" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("role", REFUSED)
def test_only_the_secretariat_imports(
    regions: None, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    assert client.get(reverse("indicators:import-new")).status_code == 403
    assert client.post(reverse("indicators:import-new"), {"kind": "opensdg"}).status_code == 403
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("role", ("admin", *REFUSED))
def test_every_signed_in_role_reads_import_reports(
    regions: None, client_for: Callable[[str], Client], role: str
) -> None:
    assert client_for(role).get(reverse("indicators:imports")).status_code == 200


def test_anonymous_is_sent_to_log_in_for_imports(regions: None) -> None:
    for name in ("indicators:imports", "indicators:import-new"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]
