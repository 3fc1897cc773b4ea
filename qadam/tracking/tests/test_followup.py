"""Treaty-body follow-up deadlines: loaded from the real Human Rights Committee record,
shown on the dashboard by urgency, and managed in the admin."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from qadam.audit.models import AuditEvent
from qadam.registry.tests import factories as rf
from qadam.tracking.followup import (
    FollowUpDataError,
    add_months,
    load_followup,
    parse_date,
    parse_hrc_followup,
)
from qadam.tracking.models import FollowUpDeadline

HRC_FILE = "un-cooperation/ccpr-followup-kaz-2016.json"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def hrc_path(data_dir: str) -> Path:
    path = Path(data_dir) / HRC_FILE
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return path


# -- reading the real record ----------------------------------------------------------------


def test_the_real_record_gives_the_document_paragraphs_and_dates(hrc_path):
    spec = parse_hrc_followup(json.loads(hrc_path.read_text(encoding="utf-8")))
    assert spec.document_symbol == "CCPR/C/KAZ/CO/2"
    assert spec.paragraphs == ["18", "24", "54"]
    assert spec.adopted == datetime.date(2016, 7, 11)
    assert spec.due == datetime.date(2017, 7, 11)  # within one year
    # The Committee assessed Kazakhstan's reply (CCPR/C/123/2): the information came.
    assert spec.assessed_in == "CCPR/C/123/2" and spec.done
    assert spec.title()["en"] == (
        "Follow-up information on CCPR/C/KAZ/CO/2, paragraphs 18, 24 and 54"
    )
    assert spec.title()["ru"].endswith("пункты 18, 24 и 54")


def test_the_period_is_an_option():
    data = {"hrc": {"meta": {"co_symbol": "X/1", "co_date": "31 January 2020",
                             "followup_paras": ["5"]}}}  # fmt: skip
    assert parse_hrc_followup(data, months=24).due == datetime.date(2022, 1, 31)
    assert parse_hrc_followup(data, months=1).due == datetime.date(2020, 2, 29)
    assert not parse_hrc_followup(data).done


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2016, 7, 11), 12, datetime.date(2017, 7, 11)),
        (datetime.date(2016, 1, 31), 1, datetime.date(2016, 2, 29)),
        (datetime.date(2016, 11, 30), 3, datetime.date(2017, 2, 28)),
        (datetime.date(2016, 12, 15), 24, datetime.date(2018, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "data",
    [{}, {"hrc": None}, {"hrc": {"meta": {"co_symbol": "X", "co_date": "2016"}}}, []],
)
def test_a_record_of_another_shape_is_refused(data):
    with pytest.raises(FollowUpDataError):
        parse_hrc_followup(data)


def test_an_unreadable_date_is_refused():
    with pytest.raises(FollowUpDataError, match="unreadable date"):
        parse_date("July 11th, 2016")


# -- loading it -----------------------------------------------------------------------------


def test_load_followup_is_idempotent_audited_and_links_imported_paragraphs(db, hrc_path):
    # Synthetic stand-ins for two of the three paragraphs, under the real symbol.
    doc = rf.document("CCPR/C/KAZ/CO/2", rf.session(117, rf.mechanism("CCPR"), cycle=2))
    para_18 = rf.recommendation("Synthetic text standing for paragraph 18", doc, "18")
    para_54 = rf.recommendation("Synthetic text standing for paragraph 54", doc, "54")
    rf.recommendation("Synthetic text standing for paragraph 19", doc, "19")
    first = load_followup(hrc_path)
    second = load_followup(hrc_path)
    assert first.created and not second.created
    deadline = FollowUpDeadline.objects.get()
    assert (deadline.document_symbol, deadline.due, deadline.done) == (
        "CCPR/C/KAZ/CO/2",
        datetime.date(2017, 7, 11),
        True,
    )
    assert set(deadline.recommendations.all()) == {para_18, para_54}
    assert (second.linked, second.missing) == (["18", "54"], ["24"])
    assert AuditEvent.objects.filter(action="tracking.followup.load").count() == 2


def test_load_followup_command_reads_the_file_in_place(db, hrc_path, settings):
    out = StringIO()
    call_command("load_followup", stdout=out)
    text = out.getvalue()
    assert "CCPR/C/KAZ/CO/2: follow-up deadline 2017-07-11 created, met" in text
    assert "paragraphs not in the registry" in text and "18, 24, 54" in text
    call_command("load_followup", "--months", "24", stdout=out)
    assert FollowUpDeadline.objects.get().due == datetime.date(2018, 7, 11)


def test_load_followup_command_says_when_the_file_is_missing(db, tmp_path, settings):
    settings.QADAM_DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="missing; set QADAM_DATA_DIR"):
        call_command("load_followup")


def test_load_followup_command_refuses_a_broken_file(db, tmp_path, settings):
    settings.QADAM_DATA_DIR = tmp_path
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CommandError, match=r"broken\.json"):
        call_command("load_followup", "--file", "broken.json")


# -- on the dashboard -----------------------------------------------------------------------


def deadline(title: str, due_in: int, done: bool = False) -> FollowUpDeadline:
    return FollowUpDeadline.objects.create(
        title={"en": title},
        due=timezone.localdate() + datetime.timedelta(days=due_in),
        document_symbol="SYN/CO/1",
        done=done,
    )


def followups_block(client) -> str:
    html = client.get(reverse("tracking:dashboard")).content.decode()
    return html.split('id="followups"', 1)[1].split("</section>", 1)[0]


def group_of(block: str, title: str) -> str:
    """The heading of the table a deadline is listed under."""
    before = block.split(title, 1)[0]
    return before.rsplit("<h3", 1)[1].split(">", 1)[1].split("</h3>", 1)[0]


def test_follow_up_deadlines_are_listed_by_urgency(client_for, personas):
    deadline("Synthetic follow-up overdue", -1)
    deadline("Synthetic follow-up soon", 10)
    deadline("Synthetic follow-up later", 200)
    deadline("Synthetic follow-up met", -400, done=True)
    block = followups_block(client_for("observer"))
    assert group_of(block, "Synthetic follow-up overdue") == "Overdue"
    assert group_of(block, "Synthetic follow-up soon") == "Due soon"
    assert group_of(block, "Synthetic follow-up later") == "Later"
    assert group_of(block, "Synthetic follow-up met") == "Information submitted"
    headings = [
        block.index(f'<h3 id="followups-{g}">') for g in ("overdue", "soon", "later", "met")
    ]
    assert headings == sorted(headings)


def test_follow_up_deadlines_link_only_recommendations_the_user_may_see(client_for, personas):
    item = deadline("Synthetic follow-up", 10)
    shown = rf.recommendation("Synthetic published recommendation", number="18")
    hidden = rf.recommendation("Synthetic unpublished recommendation", number="24", published=False)
    item.recommendations.add(shown, hidden)
    block = followups_block(client_for("observer"))
    assert reverse("registry:recommendation-detail", args=[shown.pk]) in block
    assert reverse("registry:recommendation-detail", args=[hidden.pk]) not in block


def test_no_follow_up_deadlines_is_said_plainly(client_for, personas):
    assert "No follow-up deadlines have been recorded." in followups_block(client_for("admin"))


def test_the_real_deadline_appears_on_the_dashboard(client_for, personas, hrc_path):
    load_followup(hrc_path)
    block = followups_block(client_for("admin"))
    assert "Follow-up information on CCPR/C/KAZ/CO/2, paragraphs 18, 24 and 54" in block
    assert group_of(block, "CCPR/C/KAZ/CO/2, paragraphs") == "Information submitted"


# -- in the admin -----------------------------------------------------------------------------


def test_the_secretariat_manages_follow_up_deadlines_in_the_admin(client, admin_user):
    item = deadline("Synthetic follow-up in the admin", 30)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:tracking_followupdeadline_changelist"))
    assert listing.status_code == 200
    assert b"Synthetic follow-up in the admin" in listing.content
    change = client.get(reverse("admin:tracking_followupdeadline_change", args=[item.pk]))
    assert change.status_code == 200
