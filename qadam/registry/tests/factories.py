"""Plain functions that create synthetic registry rows for tests.

Everything here is invented ("Synthetic ..."), never real data; each function
creates only what it is asked for and reuses reference rows by code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from qadam.lib.text import normalise_for_match
from qadam.registry import queries
from qadam.registry import similar as similar_index
from qadam.registry.models import Label, Recommendation, Response, SourceDocument
from qadam.taxonomy.models import Cycle, Mechanism, Session, State, Taxonomy, Term


def mechanism(code: str = "UPR", name: str = "Synthetic Universal Periodic Review") -> Mechanism:
    obj, _ = Mechanism.objects.get_or_create(
        code=code, defaults={"kind": Mechanism.Kind.UPR, "name": {"en": name}}
    )
    return obj


def session(number: int = 20, mech: Mechanism | None = None, cycle: int = 2) -> Session:
    mech = mech or mechanism()
    cyc, _ = Cycle.objects.get_or_create(mechanism=mech, number=cycle)
    obj, _ = Session.objects.get_or_create(mechanism=mech, number=number, defaults={"cycle": cyc})
    return obj


def state(iso3: str, name: dict[str, str] | None = None, group: str = "") -> State:
    obj, _ = State.objects.get_or_create(
        iso3=iso3,
        defaults={"name": name or {"en": f"Synthetic State {iso3}"}, "regional_group": group},
    )
    return obj


def taxonomy(code: str, name: str | None = None) -> Taxonomy:
    obj, _ = Taxonomy.objects.get_or_create(
        code=code, defaults={"name": {"en": name or f"Synthetic taxonomy {code}"}}
    )
    return obj


def term(taxonomy_code: str, code: str, name: dict[str, str] | None = None) -> Term:
    obj, _ = Term.objects.get_or_create(
        taxonomy=taxonomy(taxonomy_code),
        code=code,
        defaults={"name": name or {"en": f"Synthetic term {code}"}},
    )
    return obj


def document(
    symbol: str = "A/HRC/SYN/1",
    sess: Session | None = None,
    sur: State | None = None,
    **extra: Any,
) -> SourceDocument:
    sess = sess or session()
    defaults: dict[str, Any] = {
        "title": f"Synthetic report {symbol}",
        "kind": SourceDocument.Kind.WG_REPORT,
        "mechanism": sess.mechanism,
        "session": sess,
        "state_under_review": sur or state("KAZ", {"en": "Kazakhstan", "ru": "Казахстан"}),
        "date": datetime.date(2014, 12, 1),
    }
    defaults.update(extra)
    obj, _ = SourceDocument.objects.get_or_create(symbol=symbol, defaults=defaults)
    return obj


def recommendation(
    text: dict[str, str] | str,
    doc: SourceDocument | None = None,
    number: str = "",
    response: str = Response.SUPPORTED,
    states: list[State] | None = None,
    **extra: Any,
) -> Recommendation:
    doc = doc or document()
    texts = {"en": text} if isinstance(text, str) else text
    key = number or f"t:{Recommendation.objects.count() + 1}"
    rec = Recommendation.objects.create(
        document=doc,
        number=number,
        key=key,
        text=texts,
        original_language=next(iter(texts), "en"),
        response=response,
        mechanism=doc.mechanism,
        session=doc.session,
        state_under_review=doc.state_under_review,
        search_text=normalise_for_match(" ".join(texts.values())),
        **extra,
    )
    if states:
        rec.recommending_states.set(states)
    return rec


def label(
    rec: Recommendation,
    t: Term,
    provenance: str = Label.Provenance.IMPORTED,
    source: str = "synthetic-source",
    status: str = Label.Status.CONFIRMED,
    score: float | None = None,
) -> Label:
    return Label.objects.create(
        recommendation=rec,
        term=t,
        provenance=provenance,
        source=source,
        status=status,
        score=score,
    )


# --- a shared scene -------------------------------------------------------


@dataclass
class Catalogue:
    doc_2010: SourceDocument
    doc_2014: SourceDocument
    torture: Recommendation
    disability: Recommendation
    press: Recommendation
    russian_only: Recommendation
    hidden: Recommendation
    france: State
    brazil: State
    ghana: State
    theme_torture: Term
    goal_16: Term


def forget_caches() -> None:
    """Drop in-process caches keyed by data versions: test databases roll back and
    reuse ids, so a version seen in one test can come back with other data."""
    similar_index.reset()
    invalidate = getattr(queries, "invalidate_caches", None)
    if invalidate is not None:
        invalidate()


def build_catalogue() -> Catalogue:
    """Five published synthetic recommendations over two reviews, and one unpublished."""
    forget_caches()
    upr = mechanism("UPR", "Synthetic Universal Periodic Review")
    kaz = state("KAZ", {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"}, "Asia")
    france = state("FRA", {"en": "France", "ru": "Франция", "kk": "Франция"}, "WEOG")
    brazil = state("BRA", {"en": "Brazil", "ru": "Бразилия"}, "GRULAC")
    ghana = state("GHA", {"en": "Ghana", "ru": "Гана", "kk": "Гана"}, "Africa")
    doc_2010 = document("A/HRC/SYN/7", session(7, upr, cycle=1), kaz)
    doc_2014 = document("A/HRC/SYN/20", session(20, upr, cycle=2), kaz)
    theme_torture = term(
        "ohchr-theme", "D25", {"en": "Prohibition of torture", "ru": "Запрещение пыток"}
    )
    theme_disability = term("ohchr-theme", "F4", {"en": "Persons with disabilities"})
    goal_16 = term("sdg-goal", "16", {"en": "Peace, justice and strong institutions"})

    torture = recommendation(
        {
            "en": "Criminalise torture in line with the Convention against Torture",
            "ru": "Криминализировать пытки в соответствии с Конвенцией против пыток",
        },
        doc_2014,
        "120.1",
        Response.SUPPORTED,
        [france, brazil],
        action_category=5,
    )
    disability = recommendation(
        "Ratify the Convention on the Rights of Persons with Disabilities",
        doc_2014,
        "120.2",
        Response.NOTED,
        [ghana],
        action_category=5,
    )
    press = recommendation(
        "Guarantee the freedom of the press and protect journalists from torture threats",
        doc_2014,
        "120.3",
        Response.SUPPORTED_IN_PART,
        [france],
        action_category=4,
    )
    russian_only = recommendation(
        {"ru": "Продолжить реформу пенитенциарной системы"},
        doc_2010,
        "99.1",
        Response.SUPPORTED,
        [brazil],
        action_category=2,
    )
    recommendation("Continue the judicial reform", doc_2010, "99.2", Response.PENDING, [ghana])
    hidden = recommendation(
        "Synthetic unpublished draft about prisons", doc_2014, "120.9", published=False
    )

    label(torture, theme_torture, source="ohchr")
    # A model suggestion a person accepted counts like any label; an undecided one does not.
    label(torture, goal_16, Label.Provenance.MODEL, "tfidf-v3", Label.Status.CONFIRMED, 0.82)
    label(disability, goal_16, Label.Provenance.MODEL, "tfidf-v3", Label.Status.SUGGESTED, 0.41)
    label(disability, theme_disability, source="upr-info")
    label(press, theme_torture, Label.Provenance.USER, "aigerim")
    return Catalogue(
        doc_2010,
        doc_2014,
        torture,
        disability,
        press,
        russian_only,
        hidden,
        france,
        brazil,
        ghana,
        theme_torture,
        goal_16,
    )
