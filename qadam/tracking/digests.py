"""Reminders: each institution's daily digest of what is overdue and what is due soon.

For every institution, the digest lists its open actions (as lead or co-executor)
whose deadline has passed or falls within ACTION_HORIZON_DAYS, and the open
treaty-body follow-up deadlines that concern it (named on the deadline, or reached
through the actions on its recommendations). It goes by email to the institution's
focal points, each in their own language, through Django's email framework.

Never sent twice: a ``DigestSent(institution, period)`` row is inserted first, in the
same transaction as the sending; the unique constraint makes a second attempt for
the same day (a task delivered twice, a second worker, a manual run) fail on insert
and skip. If sending fails, the transaction rolls back and the next run tries again.

Scheduling: ``tasks.send_daily_digests`` sends today's digests and queues itself for
the next morning; ``ensure_digest_scheduled`` (``manage.py schedule_digests``)
keeps exactly one future run in the queue. See docs/reminders.md.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from qadam.accounts.models import User
from qadam.taxonomy.models import Institution
from qadam.tracking.dashboards import CLOSED, FOLLOWUP_SOON_DAYS
from qadam.tracking.models import Action, ActionInstitution, DigestSent, FollowUpDeadline

logger = logging.getLogger(__name__)

ACTION_HORIZON_DAYS = 30
FOLLOWUP_HORIZON_DAYS = FOLLOWUP_SOON_DAYS  # same "due soon" as on the dashboard
DEFAULT_LANGUAGE = "ru"  # most officials in Kazakhstan read Russian at work
DIGEST_HOUR = 7  # local time: in the inbox before the working day starts


# -- what a digest holds --------------------------------------------------------------


@dataclass
class DigestAction:
    action: Action
    role: str  # ActionInstitution.Role
    as_agreed: bool

    @property
    def role_label(self) -> str:
        return str(ActionInstitution.Role(self.role).label)


@dataclass
class Digest:
    institution: Institution
    period: datetime.date
    overdue: list[DigestAction] = field(default_factory=list)
    due_soon: list[DigestAction] = field(default_factory=list)
    followups: list[FollowUpDeadline] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.followups)


def build_digests(period: datetime.date) -> list[Digest]:
    """Every institution with something to report on ``period``, by institution code.

    A fixed number of queries, whatever the number of institutions and actions."""
    digests: dict[int, Digest] = {}
    for assignment in _open_assignments(period):
        digest = digests.setdefault(
            assignment.institution_id, Digest(assignment.institution, period)
        )
        item = DigestAction(assignment.action, assignment.role, assignment.as_agreed)
        deadline = assignment.action.deadline
        assert deadline is not None  # _open_assignments filters on it
        (digest.overdue if deadline < period else digest.due_soon).append(item)
    followups = _followups_by_institution(period)
    missing = [pk for pk in followups if pk not in digests]
    for pk, inst in Institution.objects.in_bulk(missing).items():
        digests[pk] = Digest(inst, period)
    for pk, deadlines in followups.items():
        if pk in digests:
            digests[pk].followups = deadlines
    return sorted(digests.values(), key=lambda d: d.institution.code)


def _open_assignments(period: datetime.date) -> list[ActionInstitution]:
    horizon = period + datetime.timedelta(days=ACTION_HORIZON_DAYS)
    return list(
        ActionInstitution.objects.filter(
            action__deadline__isnull=False, action__deadline__lte=horizon
        )
        .exclude(action__status__in=CLOSED)
        .select_related("institution", "action__plan")
        .order_by("action__deadline", "action__plan_id", "action__number", "action_id")
    )


def _followups_by_institution(period: datetime.date) -> dict[int, list[FollowUpDeadline]]:
    """Open follow-up deadlines due within the horizon (or overdue), per institution:
    those named on the deadline and those working on its recommendations."""
    horizon = period + datetime.timedelta(days=FOLLOWUP_HORIZON_DAYS)
    deadlines = {
        d.pk: d
        for d in FollowUpDeadline.objects.filter(done=False, due__lte=horizon).order_by("due", "pk")
    }
    direct = FollowUpDeadline.institutions.through.objects.filter(
        followupdeadline_id__in=list(deadlines)
    ).values_list("followupdeadline_id", "institution_id")
    via_actions = (
        FollowUpDeadline.recommendations.through.objects.filter(
            followupdeadline_id__in=list(deadlines),
            recommendation__actions__assignments__isnull=False,
        )
        .values_list("followupdeadline_id", "recommendation__actions__assignments__institution_id")
        .distinct()
    )
    by_institution: dict[int, set[int]] = defaultdict(set)
    for deadline_id, institution_id in [*direct, *via_actions]:
        by_institution[institution_id].add(deadline_id)
    return {
        inst: [deadlines[pk] for pk in deadlines if pk in ids]  # keeps the due-date order
        for inst, ids in by_institution.items()
    }


def focal_points(institution_ids: list[int]) -> dict[int, list[User]]:
    """Active focal points with an email address, per institution."""
    users = (
        User.objects.filter(
            role=User.Role.FOCAL_POINT,
            is_active=True,
            organisation__institution_id__in=institution_ids,
        )
        .exclude(email="")
        .select_related("organisation")
        .order_by("pk")
    )
    out: dict[int, list[User]] = defaultdict(list)
    for user in users:
        assert user.organisation is not None and user.organisation.institution_id is not None
        out[user.organisation.institution_id].append(user)
    return out


# -- the messages --------------------------------------------------------------------


def recipient_language(user: User) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.preferred_language if user.preferred_language in codes else DEFAULT_LANGUAGE


def render_message(digest: Digest, user: User) -> EmailMultiAlternatives:
    """The digest for one recipient, in their language: plain text with an HTML twin."""
    language = recipient_language(user)
    with translation.override(language):
        context = {
            "digest": digest,
            "recipient": user,
            "recipient_name": user.get_full_name() or user.get_username(),
            "institution_name": digest.institution.display_name(language),
            "overdue": _with_links(digest.overdue),
            "due_soon": _with_links(digest.due_soon),
            "dashboard_url": _absolute(reverse("tracking:dashboard")),
            "action_horizon_days": ACTION_HORIZON_DAYS,
            "followup_horizon_days": FOLLOWUP_HORIZON_DAYS,
            "language": language,
        }
        subject = render_to_string("tracking/email/digest_subject.txt", context)
        text = render_to_string("tracking/email/digest.txt", context)
        html = render_to_string("tracking/email/digest.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),  # a header is one line
        text,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def _absolute(path: str) -> str:
    """An absolute link when the site's address is configured (QADAM_SITE_URL), else
    nothing: a relative link in an email leads nowhere."""
    site = str(getattr(settings, "QADAM_SITE_URL", "")).rstrip("/")
    return site + path if site else ""


def _with_links(items: list[DigestAction]) -> list[tuple[DigestAction, str]]:
    """Each action with its page's address, in the active language's URL prefix."""
    out = []
    for item in items:
        try:
            path = reverse("tracking:action-detail", kwargs={"pk": item.action.pk})
        except NoReverseMatch:  # the action pages are switched off
            path = ""
        out.append((item, _absolute(path) if path else ""))
    return out


# -- sending, once -------------------------------------------------------------------


@dataclass
class Outcome:
    institution: str  # its code
    status: str  # "sent", "already-sent", "no-recipients", "dry-run"
    recipients: list[str]
    items: int


def send_digests(period: datetime.date | None = None, dry_run: bool = False) -> list[Outcome]:
    """Send the digests of ``period`` (default: today) that have not been sent yet."""
    period = period or timezone.localdate()
    digests = build_digests(period)
    recipients = focal_points([d.institution.pk for d in digests])
    outcomes = []
    for digest in digests:
        users = recipients.get(digest.institution.pk, [])
        emails = [u.email for u in users]
        if not users:
            # Nobody to tell: say so where an administrator will look, and carry on.
            logger.warning(
                "Digest for %s on %s not sent: the institution has no focal point with an "
                "email address (%d items).",
                digest.institution.code,
                period,
                digest.item_count,
            )
            status = "no-recipients"
        elif dry_run:
            status = "dry-run"
        else:
            status = "sent" if _send_once(digest, users) else "already-sent"
        outcomes.append(Outcome(digest.institution.code, status, emails, digest.item_count))
    return outcomes


def _send_once(digest: Digest, users: list[User]) -> bool:
    """Record, then send, in one transaction: False when another run recorded it first."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                institution=digest.institution,
                period=digest.period,
                recipients=[u.email for u in users],
                item_count=digest.item_count,
            )
            messages = [render_message(digest, user) for user in users]
            get_connection().send_messages(messages)
    except IntegrityError:
        logger.info("Digest for %s on %s already sent.", digest.institution.code, digest.period)
        return False
    return True


# -- scheduling ------------------------------------------------------------------------


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next DIGEST_HOUR o'clock, local time, strictly after ``now``."""
    local = timezone.localtime(now or timezone.now())
    at = timezone.make_aware(datetime.datetime.combine(local.date(), datetime.time(DIGEST_HOUR)))
    if at <= local:
        at = timezone.make_aware(
            datetime.datetime.combine(
                local.date() + datetime.timedelta(days=1), datetime.time(DIGEST_HOUR)
            )
        )
    return at


def ensure_digest_scheduled(now: datetime.datetime | None = None) -> datetime.datetime:
    """Make sure exactly one digest run waits in the queue; return when it will run.

    Idempotent: with one queued run, nothing changes; with none, one is queued for the
    next morning; duplicates (two schedulers at once) are removed, keeping the earliest.
    A queued run is a database row, so it survives restarts of the web and worker."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from qadam.tracking.tasks import send_daily_digests

    if not isinstance(send_daily_digests.get_backend(), DatabaseBackend):
        raise ImproperlyConfigured(
            "Digests are scheduled through the database task backend "
            "(django_tasks_db.DatabaseBackend); the configured backend cannot defer tasks."
        )
    with transaction.atomic():
        waiting = list(
            DBTaskResult.objects.select_for_update()
            .filter(task_path=send_daily_digests.module_path, status=TaskResultStatus.READY)
            .order_by("run_after", "enqueued_at")
        )
        if waiting:
            DBTaskResult.objects.filter(pk__in=[t.pk for t in waiting[1:]]).delete()
            return waiting[0].run_after
        run_after = next_run(now)
        send_daily_digests.using(run_after=run_after).enqueue()
        return run_after


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return dict(counts)
