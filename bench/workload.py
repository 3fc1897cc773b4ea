"""The fixed set of list queries the scale benchmark times, and the two pages it asks.

Realistic searches of the registry: common and rare words, prefixes, several words,
with and without filters, and the unfiltered first page. Codes are those of the
reference data (`manage.py load_reference`): OHCHR theme D25 is "Prohibition of
torture & ill-treatment", UPR Info issue "womens-rights", SDG goal 5.
"""

from __future__ import annotations

from urllib.parse import urlencode

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("unfiltered first page", {}),
    ("torture", {"q": "torture"}),
    ("women", {"q": "women"}),
    ("children", {"q": "children"}),
    ("rights (in a third of all texts)", {"q": "rights"}),
    ("prefix: tortur", {"q": "tortur"}),
    ("prefix: disabilit", {"q": "disabilit"}),
    ("death penalty", {"q": "death penalty"}),
    ("freedom of expression", {"q": "freedom of expression"}),
    ("human rights defenders", {"q": "human rights defenders"}),
    (
        "national human rights institution paris principles",
        {"q": "national human rights institution paris principles"},
    ),
    ("rare: albinism", {"q": "albinism"}),
    ("rare: ombudsman", {"q": "ombudsman"}),
    ("no hits (Russian word)", {"q": "пытки"}),
    ("domestic violence, supported", {"q": "domestic violence", "response": "supported"}),
    ("torture, theme D25", {"q": "torture", "theme": "D25"}),
    ("women, SDG goal 5", {"q": "women", "goal": "5"}),
    ("education, noted", {"q": "education", "response": "noted"}),
    ("trafficking, session 10", {"q": "trafficking", "session": "10"}),
    ("torture, state under review KAZ", {"q": "torture", "sur": "KAZ"}),
    ("women, WEOG states, action 5", {"q": "women", "rgroup": "WEOG", "action": "5"}),
    ("no text: issue women's rights, noted", {"issue": "womens-rights", "response": "noted"}),
]

PAGES = {
    # The public list page, first page, as a browser asks for it.
    "web": "/en/",
    # The API list with its facets, as the portal and other tools ask for it.
    "api": "/api/v1/recommendations",
}


def url(page: str, params: dict[str, str]) -> str:
    extra = {"facets": "true"} if page == "api" else {}
    query = urlencode({**params, **extra})
    return PAGES[page] + (f"?{query}" if query else "")
