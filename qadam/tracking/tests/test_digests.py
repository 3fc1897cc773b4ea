"""Digests: content, recipients, language, never twice, the daily task and the commands.

The scene (synthetic): MLSP has an overdue action, one due within 30 days, one due
later and one overdue but done; MIA co-executes the overdue one and has no focal
point with an email address. The day of the digest is fixed (PERIOD).
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qadam.accounts.models import User
from qadam.tracking import digests
from qadam.tracking.models import Action, DigestSent, FollowUpDeadline, Status
from qadam.tracking.tasks import send_daily_digests
from qadam.tracking.tests import factories as f

PERIOD = datetime.date(2026, 3, 10)


def days(n: int) -> datetime.date:
    return PERIOD + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class Scene:
    daniyar: User  # MLSP focal point, no preferred language: Russian
    aliya: User  # MLSP focal point who reads Kazakh
    overdue: Action
    due_soon: Action
    later: Action


def build_scene(personas: dict[str, User]) -> Scene:
    daniyar = personas["focal_point"]
    daniyar.email = "daniyar@mlsp.example"
    daniyar.save()
    aliya = f.user("aliya", "focal_point", "MLSP")
    aliya.email, aliya.preferred_language, aliya.first_name = "aliya@mlsp.example", "kk", "Aliya"
    aliya.save()
    # Not recipients: a contributor with an address, an inactive focal point.
    personas["contributor"].email = "saule@mlsp.example"
    personas["contributor"].save()
    gone = f.user("gone", "focal_point", "MLSP")
    gone.email, gone.is_active = "gone@mlsp.example", False
    gone.save()
    f.user("erlan", "focal_point", "MIA")  # MIA's focal point has no email address
    plan = f.plan("Synthetic plan for digests", published=False)
    common: dict[str, Any] = {"deadline_start": None}
    overdue = f.action(
        plan, "1", "Synthetic overdue action", "MLSP", co=[("MIA", True)],
        deadline=days(-5), status=Status.IN_PROGRESS, **common,
    )  # fmt: skip
    due_soon = f.action(plan, "2", "Synthetic action due soon", "MLSP", deadline=days(30), **common)
    later = f.action(plan, "3", "Synthetic action due later", "MLSP", deadline=days(31), **common)
    f.action(plan, "4", "Synthetic finished action", "MLSP", deadline=days(-9), status=Status.DONE)
    f.action(plan, "5", "Synthetic action with no deadline", "MLSP", deadline=None)
    return Scene(daniyar, aliya, overdue, due_soon, later)


@pytest.fixture
def scene(personas) -> Scene:
    return build_scene(personas)


def by_recipient() -> dict[str, Any]:
    return {m.to[0]: m for m in mail.outbox}


def html_of(message) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


# -- content and recipients ---------------------------------------------------------------


def test_focal_points_get_their_institutions_overdue_and_due_soon_actions(scene, mailoutbox):
    outcomes = digests.send_digests(PERIOD)
    assert sorted(by_recipient()) == ["aliya@mlsp.example", "daniyar@mlsp.example"]
    body = by_recipient()["daniyar@mlsp.example"].body
    assert "Synthetic overdue action" in body
    assert "Synthetic action due soon" in body
    for absent in ("due later", "finished action", "no deadline"):
        assert absent not in body
    assert body.index("Synthetic overdue action") < body.index("Synthetic action due soon")
    mlsp = next(o for o in outcomes if o.institution == "MLSP")
    assert (mlsp.status, mlsp.items) == ("sent", 2)


def test_digest_has_a_plain_text_and_an_html_version(scene, mailoutbox):
    digests.send_digests(PERIOD)
    message = by_recipient()["daniyar@mlsp.example"]
    html = html_of(message)
    assert html.startswith("<!doctype html>")
    assert "Synthetic overdue action" in html and "Synthetic action due soon" in html
    assert "MLSP" in message.subject
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_co_executor_gets_the_action_too_but_without_focal_point_nothing_is_sent(
    scene, mailoutbox, caplog
):
    outcomes = {o.institution: o for o in digests.send_digests(PERIOD)}
    assert outcomes["MIA"].status == "no-recipients" and outcomes["MIA"].items == 1
    assert not DigestSent.objects.filter(institution__code="MIA").exists()
    assert "Digest for MIA on 2026-03-10 not sent" in caplog.text


def test_an_institution_with_nothing_due_gets_no_digest(scene, mailoutbox):
    Action.objects.update(status=Status.DONE)
    assert digests.send_digests(PERIOD) == []
    assert mailoutbox == []


def test_each_recipient_reads_the_digest_in_their_language(scene, mailoutbox):
    scene.daniyar.preferred_language = ""  # no preference: Russian
    scene.daniyar.save()
    digests.send_digests(PERIOD)
    russian, kazakh = by_recipient()["daniyar@mlsp.example"], by_recipient()["aliya@mlsp.example"]
    assert russian.extra_headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in html_of(russian)
    assert "марта" in russian.body  # the date, in Russian
    assert kazakh.extra_headers["Content-Language"] == "kk"
    assert '<html lang="kk">' in html_of(kazakh)
    assert "Aliya" in kazakh.body


def test_english_is_used_when_the_recipient_asks_for_it(scene, mailoutbox):
    scene.daniyar.preferred_language = "en"
    scene.daniyar.save()
    digests.send_digests(PERIOD)
    assert "March 10, 2026" in by_recipient()["daniyar@mlsp.example"].body


def test_links_are_absolute_when_the_site_address_is_configured(scene, mailoutbox, settings):
    settings.QADAM_SITE_URL = "https://qadam.example/"
    scene.daniyar.preferred_language = "en"
    scene.daniyar.save()
    digests.send_digests(PERIOD)
    body = by_recipient()["daniyar@mlsp.example"].body
    assert "https://qadam.example/en/tracking/dashboard/" in body
    assert f"https://qadam.example/en/tracking/actions/{scene.overdue.pk}/" in body


def test_no_relative_links_without_a_site_address(scene, mailoutbox):
    digests.send_digests(PERIOD)
    assert "/tracking/" not in by_recipient()["daniyar@mlsp.example"].body


# -- never twice --------------------------------------------------------------------------


def test_running_twice_sends_once(scene, mailoutbox):
    digests.send_digests(PERIOD)
    second = {o.institution: o.status for o in digests.send_digests(PERIOD)}
    assert len(mailoutbox) == 2
    assert second["MLSP"] == "already-sent"
    sent = DigestSent.objects.get()
    assert (sent.institution.code, sent.period, sent.item_count) == ("MLSP", PERIOD, 2)
    assert sorted(sent.recipients) == ["aliya@mlsp.example", "daniyar@mlsp.example"]


def test_the_next_day_is_a_new_digest(scene, mailoutbox):
    digests.send_digests(PERIOD)
    digests.send_digests(days(1))
    assert len(mailoutbox) == 4
    assert DigestSent.objects.count() == 2


def test_a_failed_send_is_not_recorded_and_is_retried(scene, mailoutbox, monkeypatch):
    class Broken:
        def send_messages(self, messages):
            raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(digests, "get_connection", lambda: Broken())
    with pytest.raises(ConnectionRefusedError):
        digests.send_digests(PERIOD)
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    digests.send_digests(PERIOD)
    assert len(mailoutbox) == 2


def test_dry_run_sends_and_records_nothing(scene, mailoutbox):
    outcomes = {o.institution: o for o in digests.send_digests(PERIOD, dry_run=True)}
    assert outcomes["MLSP"].status == "dry-run"
    assert outcomes["MLSP"].recipients == ["daniyar@mlsp.example", "aliya@mlsp.example"]
    assert mailoutbox == [] and not DigestSent.objects.exists()


def run_in_threads(*targets: Any) -> list[Any]:
    """Run each target in its own thread (its own database connection); return what each
    returned, or the exception it raised."""
    results: list[Any] = [None] * len(targets)

    def run(i: int) -> None:
        try:
            results[i] = targets[i]()
        except Exception as exc:  # pragma: no cover - reported by the caller's assertion
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def mlsp_status(outcomes: Any) -> str:
    assert not isinstance(outcomes, Exception), outcomes
    return next(o.status for o in outcomes if o.institution == "MLSP")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_that_both_decided_to_send_send_once(personas, mailoutbox, monkeypatch):
    """Both runs find the digest unsent; the second one only writes after the first
    has committed. Its insert fails on the unique row and it sends nothing."""
    build_scene(personas)
    both_decided = threading.Barrier(2, timeout=10)
    first_done = threading.Event()
    real_build = digests.build_digests

    def build_then_wait(period: datetime.date) -> Any:
        found = real_build(period)
        both_decided.wait()
        if threading.current_thread().name == "second":
            assert first_done.wait(10)
        return found

    monkeypatch.setattr(digests, "build_digests", build_then_wait)

    def first() -> Any:
        threading.current_thread().name = "first"
        try:
            return digests.send_digests(PERIOD)
        finally:
            first_done.set()

    def second() -> Any:
        threading.current_thread().name = "second"
        return digests.send_digests(PERIOD)

    results = run_in_threads(first, second)
    assert [mlsp_status(r) for r in results] == ["sent", "already-sent"]
    assert len(mailoutbox) == 2
    assert DigestSent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_once(personas, mailoutbox, monkeypatch):
    """The second run inserts while the first is still sending inside its transaction:
    the database makes it wait for the first to commit, then refuses the duplicate."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database (shared cache) reports 'table is locked' "
            "instead of waiting; a SQLite file serialises the two runs with BEGIN IMMEDIATE"
        )
    build_scene(personas)
    sending = threading.Event()
    real_connection = digests.get_connection

    class SlowSender:
        """The first send signals it is inside its transaction and takes its time."""

        def send_messages(self, messages: list[Any]) -> int:
            if not sending.is_set():
                sending.set()
                time.sleep(0.5)
            return int(real_connection().send_messages(messages))

    monkeypatch.setattr(digests, "get_connection", SlowSender)

    def second() -> Any:
        assert sending.wait(10)
        return digests.send_digests(PERIOD)

    results = run_in_threads(lambda: digests.send_digests(PERIOD), second)
    assert sorted(mlsp_status(r) for r in results) == ["already-sent", "sent"]
    assert len(mailoutbox) == 2
    assert DigestSent.objects.count() == 1


# -- follow-up deadlines in digests ---------------------------------------------------------


def test_follow_up_deadlines_reach_the_institutions_concerned(scene, mailoutbox):
    mlsp, mia = f.institution("MLSP"), f.institution("MIA")
    named = FollowUpDeadline.objects.create(title={"en": "Synthetic follow-up named"}, due=days(60))
    named.institutions.add(mlsp)
    rec = f.recommendation("Synthetic recommendation under follow-up")
    scene.later.recommendations.add(rec)  # MLSP works on it through an action
    through_action = FollowUpDeadline.objects.create(
        title={"en": "Synthetic follow-up through an action"}, due=days(-1)
    )
    through_action.recommendations.add(rec)
    far = FollowUpDeadline.objects.create(title={"en": "Synthetic follow-up far"}, due=days(200))
    far.institutions.add(mlsp)
    met = FollowUpDeadline.objects.create(
        title={"en": "Synthetic follow-up met"}, due=days(-30), done=True
    )
    met.institutions.add(mlsp)
    other = FollowUpDeadline.objects.create(title={"en": "Synthetic follow-up MIA"}, due=days(5))
    other.institutions.add(mia)
    digests.send_digests(PERIOD)
    body = by_recipient()["daniyar@mlsp.example"].body
    assert "Synthetic follow-up through an action" in body and "Synthetic follow-up named" in body
    assert body.index("through an action") < body.index("follow-up named")  # by due date
    for absent in ("far", "met", "MIA"):
        assert f"Synthetic follow-up {absent}" not in body
    assert DigestSent.objects.get(institution=mlsp).item_count == 4


def test_an_institution_with_only_a_follow_up_deadline_gets_a_digest(scene, mailoutbox):
    Action.objects.update(status=Status.DONE)
    deadline = FollowUpDeadline.objects.create(title={"en": "Synthetic follow-up"}, due=days(10))
    deadline.institutions.add(f.institution("MLSP"))
    digests.send_digests(PERIOD)
    assert len(mailoutbox) == 2
    assert "Synthetic follow-up" in mailoutbox[0].body


# -- the scheduled job ----------------------------------------------------------------------


def waiting_runs():
    return DBTaskResult.objects.filter(
        task_path=send_daily_digests.module_path, status=TaskResultStatus.READY
    )


def test_next_run_is_the_next_morning_local_time():
    tz = timezone.get_current_timezone()
    before = datetime.datetime(2026, 3, 10, 6, 59, tzinfo=tz)
    after = datetime.datetime(2026, 3, 10, 7, 0, tzinfo=tz)
    assert digests.next_run(before) == datetime.datetime(2026, 3, 10, 7, 0, tzinfo=tz)
    assert digests.next_run(after) == datetime.datetime(2026, 3, 11, 7, 0, tzinfo=tz)


def test_the_daily_task_sends_today_and_queues_tomorrow(scene, mailoutbox, monkeypatch):
    monkeypatch.setattr(digests.timezone, "localdate", lambda: PERIOD)
    result = send_daily_digests.call()
    assert result["sent"] == 1 and len(mailoutbox) == 2
    run = waiting_runs().get()
    assert run.run_after > timezone.now()
    assert timezone.localtime(run.run_after).hour == digests.DIGEST_HOUR
    assert datetime.datetime.fromisoformat(result["next_run"]) == run.run_after


def test_the_daily_task_queues_tomorrow_even_when_sending_fails(scene, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(digests, "send_digests", broken)
    with pytest.raises(RuntimeError):
        send_daily_digests.call()
    assert waiting_runs().count() == 1


def test_a_task_delivered_twice_sends_once_and_queues_one_next_run(scene, mailoutbox, monkeypatch):
    monkeypatch.setattr(digests.timezone, "localdate", lambda: PERIOD)
    send_daily_digests.call()
    send_daily_digests.call()
    assert len(mailoutbox) == 2
    assert waiting_runs().count() == 1


def test_schedule_digests_is_idempotent(db):
    out = StringIO()
    call_command("schedule_digests", stdout=out)
    call_command("schedule_digests", stdout=out)
    assert waiting_runs().count() == 1
    assert out.getvalue().count("Next digest run:") == 2
    first, second = out.getvalue().splitlines()
    assert first == second


def test_schedule_digests_removes_duplicates_keeping_the_earliest(db):
    soon = timezone.now() + datetime.timedelta(hours=1)
    send_daily_digests.using(run_after=soon + datetime.timedelta(days=1)).enqueue()
    send_daily_digests.using(run_after=soon).enqueue()
    assert digests.ensure_digest_scheduled() == waiting_runs().get().run_after
    assert waiting_runs().get().run_after == soon


def test_a_queued_run_is_a_database_row_the_worker_runs_after_a_restart(
    scene, mailoutbox, monkeypatch
):
    """What a restart loses is memory; the queue is a table. Run the worker on it."""
    monkeypatch.setattr(digests.timezone, "localdate", lambda: PERIOD)
    send_daily_digests.using(run_after=timezone.now() - datetime.timedelta(minutes=1)).enqueue()
    # The worker closes "old" connections between tasks: inside a test's transaction that
    # would close the test's own connection (on PostgreSQL), so not here.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0", stdout=StringIO())
    assert len(mailoutbox) == 2
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 1
    assert waiting_runs().count() == 1  # tomorrow's


# -- the commands ---------------------------------------------------------------------------


def test_send_digests_command_for_a_date(scene, mailoutbox):
    out = StringIO()
    call_command("send_digests", "--date", PERIOD.isoformat(), stdout=out)
    assert "MLSP: 2 item(s), sent to 2 recipient(s)" in out.getvalue()
    assert "MIA: 1 item(s), NOT SENT: no focal point with an email address" in out.getvalue()
    call_command("send_digests", "--date", PERIOD.isoformat(), stdout=out)
    assert "MLSP: 2 item(s), already sent for this day: skipped" in out.getvalue()
    assert len(mailoutbox) == 2


def test_send_digests_command_dry_run(scene, mailoutbox):
    out = StringIO()
    call_command("send_digests", "--date", PERIOD.isoformat(), "--dry-run", stdout=out)
    assert "MLSP: 2 item(s), would be sent to 2 recipient(s)" in out.getvalue()
    assert mailoutbox == []


def test_send_digests_command_refuses_a_bad_date(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_digests", "--date", "10.03.2026")
