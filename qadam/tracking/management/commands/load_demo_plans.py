"""``qadam load_demo_plans``: two demo plans, demo progress, and a demo user per role.

Run by ``make demo`` after ``load_demo`` (Kazakhstan's recommendations) and
``ensure_demo_admin``. Local demos only: it refuses with QADAM_PRODUCTION on, and
prints the demo password. Idempotent and quick on a re-run: the plans go through
the plan importer again (which reports "unchanged"), and nothing else is redone.

1. **"Follow-up Plan for Human Rights and the Rule of Law (2022) — demo excerpt"**:
   the four activities of the real plan (Government decree No. 258 of 28 April
   2022) that issue 3 quotes, built here as an XLSX in the plan's own layout and
   imported through the importer, so that the demo exercises the real import. The
   fourth activity's outcome, agencies and timeframe are not known to us: the
   importer flags them.
2. **"Interagency plan for UPR cycle 2 follow-up (demo)"**: one action per theme
   of the real 2014 recommendations (A/HRC/28/10). The report has no clusters, so
   each recommendation joins the cluster of its first UPR Info issue; the lead
   agency comes from ``ISSUE_LEADS``, a demo mapping of themes to agencies made
   for this demonstration, not the government's. The actions only say "follow up
   the recommendations on <theme>": no activity is invented.

Demo progress updates exist only on plan 2, are marked ``is_demo`` and say in
their text that they describe no real work.
"""

from __future__ import annotations

import io
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qadam.accounts.models import Organisation, User
from qadam.audit.actions import record
from qadam.lib.i18n import pick
from qadam.lib.plan_table import PLAN_COLUMNS
from qadam.registry.models import Cluster, SourceDocument
from qadam.taxonomy.models import Institution, Term
from qadam.tracking import actions as act
from qadam.tracking.importing import (
    PlanImportReport,
    do_cluster_by_first_issue,
    do_import_plan,
    find_plan_by_title,
    report_summary,
)
from qadam.tracking.models import Action, Plan, ProgressUpdate

PASSWORD = "qadam-demo"  # printed on purpose; local demo only
ADMIN = "admin"

# --- plan 1: four real activities ---------------------------------------------------------

FOLLOW_UP_TITLE = {
    "en": "Follow-up Plan for Human Rights and the Rule of Law (2022) — demo excerpt: "
    "4 real activities",
    "ru": "План дальнейших мер в области прав человека и верховенства права (2022) — "
    "демо-выдержка: 4 реальных мероприятия",
    "kk": "Адам құқықтары және құқық үстемдігі саласындағы кейінгі шаралар жоспары (2022) — "
    "демо үзінді: 4 нақты іс-шара",
}
FOLLOW_UP_FIELDS: dict[str, Any] = {
    "title": FOLLOW_UP_TITLE,
    "kind": Plan.Kind.FOLLOW_UP,
    "adopted_by": "Government decree No. 258 of 28 April 2022",
    "adopted_on": date(2022, 4, 28),
    "period_start": date(2022, 1, 1),
    "period_end": date(2023, 12, 31),
    "is_demo": True,
}
# No. · Name · Outcome · Implementation timeframe · Agencies in charge, as issue 3
# quotes them; the fourth activity's other cells are not known to us.
FOLLOW_UP_ACTIVITIES: list[list[Any]] = [
    [1, "Developing mechanisms to prevent violence against women and children",
     "Proposal to the Presidential Administration", "By the end of 2022",
     "MIA, GPO (as agreed), MEAS, MLSP"],
    [2, "Proposal for accession to the International Labour Organization Convention No. 190 "
        "on the Elimination of Violence and Harassment in the Workplace",
     "Submitting proposals to the IMC on humanitarian law and human rights",
     "By the end of 2023", "MLSP, MIA, GPO (as agreed), MJ"],
    [3, "Promote the commitments made to improve gender policy at the local government level",
     "Proposal to the Presidential Administration", "August 2022",
     "MIPD, MNE, APS (as agreed), NCHR (as agreed), LEB"],
    [4, "Elaboration of the issue of increasing women's representation in public and business "
        "councils, as well as in consultative and advisory bodies", None, None, None],
]  # fmt: skip

# --- plan 2: one action per theme of the 2014 recommendations ----------------------------

CYCLE2_SYMBOL = "A/HRC/28/10"
CYCLE2_TITLE = {
    "en": "Interagency plan for UPR cycle 2 follow-up (demo)",
    "ru": "Межведомственный план по выполнению рекомендаций второго цикла УПО (демо)",
    "kk": "ӘМШ екінші циклінің ұсынымдарын орындау жөніндегі ведомствоаралық жоспар (демо)",
}
CYCLE2_FIELDS: dict[str, Any] = {
    "title": CYCLE2_TITLE,
    "kind": Plan.Kind.UPR_PLAN,
    "period_start": date(2015, 1, 1),
    "period_end": date(2019, 12, 31),
    "is_demo": True,
}
# Within the cycle: the 2014 review's recommendations, followed up before the
# third review (November 2019), when the national report gives account of them.
CYCLE2_TIMEFRAME = "2015–2018"
CYCLE2_OUTCOME = "Information for the national report of the third UPR cycle (demo)"

# DEMO MAPPING, made for this demonstration and not the government's: which agency
# leads the follow-up of each UPR Info issue. Codes are those of
# taxonomy/data/institutions-kz.yaml (MIPD is today's Ministry of Culture and
# Information, "MCI", which also handles religious affairs).
ISSUE_LEADS = {
    "asylum-seekers-refugees": "MIA",
    "cp-rights-general": "MJ",
    "civil-society": "MIPD",
    "corruption": "ACA",
    "counter-terrorism": "NSC",
    "death-penalty": "MJ",
    "detention": "MIA",
    "development": "MNE",
    "disabilities": "MLSP",
    "esc-rights-general": "MLSP",
    "elections": "CEC",
    "enforced-disappearances": "GPO",
    "environment": "MENR",
    "extrajudicial-executions": "GPO",
    "freedom-of-association-and-peaceful-assembly": "MIPD",
    "freedom-of-movement": "MIA",
    "freedom-of-opinion-and-expression": "MIPD",
    "freedom-of-religion-and-belief": "MIPD",
    "freedom-of-the-press": "MIPD",
    "general": "MFA",
    "hiv-aids": "MH",
    "human-rights-defenders": "MJ",
    "human-rights-education-and-training": "MoE",
    "human-rights-violations-by-state-agents": "GPO",
    "impunity": "GPO",
    "indigenous-peoples": "MIPD",
    "internally-displaced-persons": "MIA",
    "international-humanitarian-law": "MFA",
    "international-instruments": "MFA",
    "justice": "MJ",
    "labour": "MLSP",
    "migrants": "MLSP",
    "minorities": "MIPD",
    "nhri": "MJ",
    "national-plan-of-action": "MJ",
    "other": "MJ",
    "poverty": "MLSP",
    "public-security": "MIA",
    "racial-discrimination": "MIPD",
    "right-to-education": "MoE",
    "right-to-food": "MA",
    "right-to-health": "MH",
    "right-to-housing": "MIC",
    "right-to-land": "MA",
    "right-to-water": "MWRI",
    "rights-of-the-child": "MoE",
    "sexual-orientation-and-gender-identity": "MJ",
    "special-procedures": "MFA",
    "technical-assistance-and-cooperation": "MFA",
    "torture-and-other-cid-treatment": "GPO",
    "trafficking": "MIA",
    "treaty-bodies": "MFA",
    "upr-process": "MFA",
    "womens-rights": "MLSP",
}

# --- demo users and demo progress -----------------------------------------------------------

# username, role, organisation key (an institution code or "ngo" / "undp")
DEMO_USERS = (
    ("focal.mlsp", User.Role.FOCAL_POINT, "MLSP"),
    ("focal.mia", User.Role.FOCAL_POINT, "MIA"),
    ("contributor.mlsp", User.Role.CONTRIBUTOR, "MLSP"),
    ("ngo.demo", User.Role.NGO_MEMBER, "ngo"),
    ("observer.undp", User.Role.OBSERVER, "undp"),
)
OTHER_ORGANISATIONS = {
    "ngo": (Organisation.Kind.NGO, {
        "en": "Demo NGO (fictional)", "ru": "Демо-НПО (вымышленная)",
        "kk": "Демо ҮЕҰ (ойдан шығарылған)",
    }),
    "undp": (Organisation.Kind.OBSERVER, {
        "en": "UNDP Kazakhstan (demo account)", "ru": "ПРООН в Казахстане (демо-учётная запись)",
        "kk": "БҰҰДБ Қазақстанда (демо тіркелгі)",
    }),
}  # fmt: skip
DEMO_TEXT = (
    "DEMO progress update, written to show how reporting works: it describes no real work "
    "by any agency."
)
# On plan 2 only: issue code, author, the state to reach, the proposed status.
DEMO_UPDATES = (
    ("womens-rights", "focal.mlsp", "published", "in-progress", date(2016, 6, 30)),
    ("disabilities", "focal.mlsp", "submitted", "in-progress", date(2017, 3, 31)),
    ("labour", "contributor.mlsp", "draft", "", date(2017, 6, 30)),
    ("detention", "focal.mia", "returned", "in-progress", date(2017, 9, 30)),
)
RETURN_COMMENT = "DEMO review comment: please attach the evidence this update refers to."


class Command(BaseCommand):
    help = "Load the demo plans, demo progress and demo users (local demos only; idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("refusing to load demo plans and users with QADAM_PRODUCTION on")
        started = time.monotonic()
        admin = self._admin()
        users = self._users()
        follow_up = self._import("follow-up-plan-2022-excerpt.xlsx", follow_up_xlsx(),
                                 FOLLOW_UP_FIELDS, admin)  # fmt: skip
        cycle2 = self._cycle2(admin)
        if cycle2 is not None:
            self._progress(admin, cycle2, users)
        for plan in (follow_up, cycle2):
            if plan is not None:
                _publish(admin, plan)
        self.stdout.write(f"Done in {time.monotonic() - started:.2f} s.")

    # -- users ---------------------------------------------------------------------
    def _admin(self) -> User:
        if not User.objects.filter(username=ADMIN).exists():
            call_command("ensure_demo_admin", stdout=self.stdout)
        return User.objects.get(username=ADMIN)

    def _users(self) -> dict[str, User]:
        users, created = {}, []
        for username, role, org_key in DEMO_USERS:
            user, new = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "organisation": _organisation(org_key),
                    # example.org never delivers: demo digests reach the console only.
                    "email": f"{username}@example.org",
                },
            )
            if new:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
                created.append(username)
            users[username] = user
        names = ", ".join(f"{u} ({users[u].get_role_display()}, {key})"
                          for u, _, key in DEMO_USERS)  # fmt: skip
        self.stdout.write(f"Demo users (local only, password {PASSWORD}): {names}"
                          + (f"; created {len(created)}" if created else ""))  # fmt: skip
        return users

    # -- plans ---------------------------------------------------------------------
    def _import(self, filename: str, data: bytes, fields: dict[str, Any], admin: User) -> Plan:
        """Import through the real importer, into the demo plan of that title if it exists."""
        plan = next((p for p in find_plan_by_title(fields["title"]["en"]) if p.is_demo), None)
        report = do_import_plan(admin, data, filename, plan=plan, new_plan=fields)
        self._report(report)
        if report.rejected or report.plan_id is None:
            raise CommandError(report_summary(report))
        return Plan.objects.get(pk=report.plan_id)

    def _report(self, report: PlanImportReport) -> None:
        self.stdout.write(report_summary(report))
        for row in report.rows:
            if row.flags:
                self.stdout.write(f"  action {row.number} flagged: {', '.join(row.flags)}")

    def _cycle2(self, admin: User) -> Plan | None:
        if not SourceDocument.objects.filter(symbol=CYCLE2_SYMBOL).exists():
            self.stdout.write(f"{CYCLE2_SYMBOL} is not in the registry (run load_demo first); "
                              "the cycle 2 demo plan is left out.")  # fmt: skip
            return None
        clusters, unlabelled = do_cluster_by_first_issue(admin, CYCLE2_SYMBOL)
        self.stdout.write(
            f"{CYCLE2_SYMBOL}: {len(clusters)} clusters by first UPR Info issue; "
            f"{unlabelled} recommendations have no UPR Info issue and stay out of them."
        )
        unmapped = sorted(code for code in clusters if code not in ISSUE_LEADS)
        if unmapped:
            self.stdout.write("  no demo lead for: " + ", ".join(unmapped))
        data = cycle2_xlsx(clusters)
        return self._import("upr-cycle2-demo-plan.xlsx", data, CYCLE2_FIELDS, admin)

    # -- progress ------------------------------------------------------------------
    def _progress(self, admin: User, plan: Plan, users: dict[str, User]) -> None:
        created = 0
        for issue, username, state, proposed, as_of in DEMO_UPDATES:
            action = _action_for_issue(plan, issue)
            if action is None or action.updates.filter(is_demo=True).exists():
                continue
            _demo_update(admin, users[username], action, state, proposed, as_of)
            created += 1
        total = ProgressUpdate.objects.filter(action__plan=plan, is_demo=True).count()
        self.stdout.write(f"Demo progress updates on the cycle 2 plan: {total} ({created} new).")


def _organisation(key: str) -> Organisation:
    if key in OTHER_ORGANISATIONS:
        kind, name = OTHER_ORGANISATIONS[key]
        org, _ = Organisation.objects.get_or_create(kind=kind, name=name)
        return org
    institution = Institution.objects.filter(code=key).first()
    if institution is None:
        raise CommandError(f"institution {key} is missing: run load_reference first")
    org, _ = Organisation.objects.get_or_create(
        institution=institution,
        defaults={"kind": Organisation.Kind.GOVERNMENT, "name": dict(institution.name)},
    )
    return org


def follow_up_xlsx() -> bytes:
    """The four activities in the 2022 plan's own layout: title rows, header, numbers."""
    rows: list[list[Any]] = [
        ["Follow-up Plan for Human Rights and the Rule of Law"],
        ["Approved by Government decree No. 258 of 28 April 2022 (excerpt: 4 activities)"],
        ["No.", "Name", "Outcome", "Implementation timeframe", "Agencies in charge"],
        [1, 2, 3, 4, 5],
        *FOLLOW_UP_ACTIVITIES,
    ]
    return _xlsx(rows, merges=("A1:E1", "A2:E2"))


def cycle2_xlsx(clusters: dict[str, Cluster]) -> bytes:
    """The cycle 2 demo plan in Qadam's template: one action per issue cluster."""
    terms = {t.code: t for t in Term.objects.filter(taxonomy__code="upr-info-issue")}
    rows: list[list[Any]] = [list(PLAN_COLUMNS)]
    ordered = sorted(clusters.items(), key=lambda item: item[1].name.casefold())
    for number, (code, cluster) in enumerate(ordered, start=1):
        names = terms[code].name if code in terms else {"en": cluster.name}
        row = {
            "number": str(number),
            "title": f"Follow up the recommendations on {cluster.name} (demo)",
            "title_ru": _ru_title(names),
            "title_kk": _kk_title(names),
            "outcome": CYCLE2_OUTCOME,
            "timeframe": CYCLE2_TIMEFRAME,
            "lead": ISSUE_LEADS.get(code, ""),
            "clusters": f"{CYCLE2_SYMBOL}: {cluster.name}",
        }
        rows.append([row.get(column, "") for column in PLAN_COLUMNS])
    return _xlsx(rows, title="Plan")


def _ru_title(names: dict[str, str]) -> str:
    """Only when the issue has a Russian name: no English inside a Russian title."""
    name = pick(names, "ru")
    return (
        "" if name.fallback else f"Последующие меры по рекомендациям на тему «{name.text}» (демо)"
    )


def _kk_title(names: dict[str, str]) -> str:
    name = pick(names, "kk")
    return "" if name.fallback else f"«{name.text}» тақырыбы бойынша ұсынымдарды іске асыру (демо)"


def _xlsx(rows: list[list[Any]], merges: tuple[str, ...] = (), title: str = "Sheet") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _action_for_issue(plan: Plan, issue: str) -> Action | None:
    term = Term.objects.filter(taxonomy__code="upr-info-issue", code=issue).first()
    if term is None:
        return None
    name = pick(term.name, "en").text
    return plan.actions.filter(clusters__name=name).first()


@transaction.atomic
def _demo_update(
    admin: User, author: User, action: Action, state: str, proposed: str, as_of: date
) -> ProgressUpdate:
    """A demo update through the real workflow (draft → submitted → ...), marked demo."""
    update = act.do_create_update(author, action, as_of, DEMO_TEXT, proposed, language="en")
    ProgressUpdate.objects.filter(pk=update.pk).update(is_demo=True)
    record(None, "tracking.update.demo", update, {"is_demo": [False, True]})
    update.refresh_from_db()
    steps = {
        "draft": [],
        "submitted": [("submitted", author)],
        "returned": [("submitted", author), ("returned", admin)],
        "published": [("submitted", author), ("validated", admin), ("published", admin)],
    }[state]
    for to, user in steps:
        comment = RETURN_COMMENT if to == "returned" else ""
        update = act.do_transition_update(user, update, to, comment=comment)
    return update


def _publish(admin: User, plan: Plan) -> None:
    """Demo plans are public: observers and NGO members see published plans only."""
    act.do_publish_plan(admin, plan)
    for action in plan.actions.filter(published=False):
        act.do_publish_action(admin, action)
