"""The kk and ru catalogues are complete and safe, and the pages speak them.

The .po files are read with a small parser of our own (no polib): every entry
is translated, none is fuzzy, placeholders and HTML tags survive translation,
the plural forms match the language's Plural-Forms header, and the three
catalogues hold the same msgids (run ``makemessages`` for all three at once).
The last tests render the home page in Kazakh and Russian, which also catches
a stale .mo (``make messages`` compiles them).
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ("kk", "ru")
PLURAL_FORMS = {
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "kk": "nplurals=2; plural=(n != 1);",
}

# %(name)s, %(count)d, %(name)r ...; {name}; a literal %% is not a placeholder.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdrifgeExXo]|\{\w*\}|%%")
TAG = re.compile(r"<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """(header fields, entries) of a .po file; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which field continuation lines extend

    def finish() -> None:
        nonlocal entry, target
        if entry.msgstr or entry.msgid:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: string outside an entry"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            if entry.msgstr:
                finish()
            entry.msgctxt, target = _unquote(rest), ("msgctxt", 0)
        elif keyword == "msgid":
            if entry.msgstr:
                finish()
            entry.msgid, entry.line, target = _unquote(rest), number, ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
        elif keyword == "msgstr":
            entry.msgstr[0], target = _unquote(rest), ("msgstr", 0)
        elif (m := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            index = int(m.group(1))
            entry.msgstr[index], target = _unquote(rest), ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()

    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, f"{path}: no header entry"
    fields = {}
    for row in header[0].msgstr[0].splitlines():
        name, _, value = row.partition(":")
        fields[name.strip()] = value.strip()
    return fields, [e for e in entries if e is not header[0]]


def catalogue(lang: str) -> tuple[dict[str, str], list[Entry]]:
    return parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")


def where(lang: str, entry: Entry) -> str:
    return f"{lang}/LC_MESSAGES/django.po:{entry.line} {entry.msgid[:60]!r}"


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


# --- the parser itself ------------------------------------------------------------


def test_the_parser_reads_plurals_flags_and_continuation_lines(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n"Plural-Forms: nplurals=3; plural=0;\\n"\n\n'
        "#: a.py:1\n#, fuzzy, python-format\n"
        'msgid ""\n"Say \\"%(x)s\\" "\n"twice"\nmsgstr "Скажи"\n\n'
        'msgid "one %(n)s"\nmsgid_plural "many %(n)s"\n'
        'msgstr[0] "a"\nmsgstr[1] ""\n"b"\nmsgstr[2] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "ушло"\n',
        encoding="utf-8",
    )
    header, entries = parse_po(po)
    assert header["Language"] == "ru"
    assert [e.msgid for e in entries] == ['Say "%(x)s" twice', "one %(n)s"]
    assert entries[0].flags == {"fuzzy", "python-format"}
    assert entries[1].msgid_plural == "many %(n)s"
    assert entries[1].msgstr == {0: "a", 1: "b", 2: ""}


# --- the catalogues ---------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_header_is_the_languages_own(lang: str) -> None:
    header, _ = catalogue(lang)
    assert header["Language"] == lang
    assert header["Plural-Forms"] == PLURAL_FORMS[lang]
    assert header["Content-Type"] == "text/plain; charset=UTF-8"


def test_the_three_catalogues_hold_the_same_msgids() -> None:
    _, english = catalogue("en")
    expected = {e.key for e in english}
    assert len(expected) > 300
    for lang in TRANSLATED:
        _, entries = catalogue(lang)
        keys = {e.key for e in entries}
        assert keys == expected, (
            f"{lang}: missing {sorted(map(str, expected - keys))[:5]}, "
            f"extra {sorted(map(str, keys - expected))[:5]}; run makemessages -l kk -l ru -l en"
        )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(lang: str) -> None:
    header, entries = catalogue(lang)
    nplurals = int(re.search(r"nplurals=(\d+)", header["Plural-Forms"]).group(1))  # type: ignore[union-attr]
    problems = []
    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"{where(lang, e)}: fuzzy")
        wanted = set(range(nplurals)) if e.msgid_plural else {0}
        if set(e.msgstr) != wanted:
            problems.append(
                f"{where(lang, e)}: forms {sorted(e.msgstr)}, expected {sorted(wanted)}"
            )
        if not all(e.msgstr.get(i, "").strip() for i in wanted):
            problems.append(f"{where(lang, e)}: not translated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_and_tags_survive_translation(lang: str) -> None:
    header, entries = catalogue(lang)
    plural = gettext.c2py(re.search(r"plural=(.*);", header["Plural-Forms"]).group(1))  # type: ignore[union-attr]
    # The form used for n == 1 and the forms used for other numbers (Russian's
    # form 0 serves 21, 31... too, so it needs the plural's placeholders).
    singular_form = plural(1)
    other_forms = {plural(n) for n in range(0, 1000) if n != 1}
    problems = []
    for e in entries:
        if not e.msgid_plural:
            checks = [(e.msgstr.get(0, ""), e.msgid)]
        else:
            checks = [(e.msgstr.get(i, ""), e.msgid_plural) for i in sorted(other_forms)]
            if singular_form not in other_forms:
                checks.append((e.msgstr.get(singular_form, ""), e.msgid))
        for msgstr, source in checks:
            allowed = placeholders(e.msgid) | placeholders(e.msgid_plural)
            got = placeholders(msgstr)
            if not placeholders(source) <= got <= allowed:
                problems.append(
                    f"{where(lang, e)}: placeholders {sorted(got)} in {msgstr!r}, "
                    f"expected {sorted(placeholders(source))}"
                )
            if Counter(TAG.findall(msgstr)) != Counter(TAG.findall(source)):
                problems.append(f"{where(lang, e)}: HTML tags differ in {msgstr!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_official_terminology(lang: str) -> None:
    """The UN's and Kazakhstan's official terms, not paraphrases."""
    _, entries = catalogue(lang)
    translations = {e.msgid: e.msgstr.get(0, "") for e in entries if not e.msgid_plural}
    expected = {
        "ru": {
            "Universal Periodic Review": "Универсальный периодический обзор",
            "Supported": "Поддержана",
            "Noted": "Принята к сведению",
            "Treaty body": "Договорный орган",
            "Focal point": "Контактное лицо",
            "recommendation": "рекомендация",
        },
        "kk": {
            "Universal Periodic Review": "Әмбебап мерзімдік шолу",
            "Supported": "Қолдау тапты",
            "Noted": "Назарға алынды",
            "Treaty body": "Шарттық орган",
            "Focal point": "Байланыс тұлғасы",
            "recommendation": "ұсыным",
        },
    }[lang]
    for msgid, msgstr in expected.items():
        assert translations[msgid] == msgstr, msgid
    if lang == "kk":
        # The old rendering "Жалпыға бірдей мерзімді шолу" gave the abbreviation ЖМШ.
        assert not [m for m in translations.values() if "ЖМШ" in m]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_implementation_tracking_terminology(lang: str) -> None:
    """Plans, actions, progress updates and evidence keep one official term each."""
    _, entries = catalogue(lang)
    translations = {
        (e.msgctxt, e.msgid): e.msgstr.get(0, "") for e in entries if not e.msgid_plural
    }
    expected = {
        "ru": {
            "Action": "Мероприятие",
            "action": "мероприятие",
            "Progress update": "Отчёт о ходе выполнения",
            "Evidence": "Подтверждающие документы",
            "Deadline": "Срок",
            "Overdue": "Просрочено",
            "Budget": "Бюджет",
            "as agreed": "по согласованию",
            "Lead": "Ответственный исполнитель",
            "Co-executor": "Соисполнитель",
            "Validate": "Утвердить",
            "Dashboards": "Сводные панели",
        },
        "kk": {
            "Action": "Іс-шара",
            "action": "іс-шара",
            "Progress update": "Орындалу барысы туралы есеп",
            "Evidence": "Растайтын құжаттар",
            "Deadline": "Мерзім",
            "Overdue": "Мерзімі өткен",
            "Budget": "Бюджет",
            "as agreed": "келісім бойынша",
            "Lead": "Жауапты орындаушы",
            "Co-executor": "Бірлесіп орындаушы",
            "Validate": "Бекіту",
            "Dashboards": "Бақылау тақталары",
        },
    }[lang]
    for msgid, msgstr in expected.items():
        assert translations[(None, msgid)] == msgstr, msgid
    # The audit log's "action" (what happened) is another word than a plan's measure.
    assert translations[("audit event", "action")] not in (translations[(None, "action")], "")
    # A plan action's "Outcome" is the plan's own column, not an import row's outcome.
    assert translations[("plan action", "Outcome")] != translations[(None, "Outcome")]
    digest = {"ru": "Сводка", "kk": "жиынтық хабарлама"}[lang]
    assert digest in translations[(None, "Qadam digest for %(institution)s")]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
@pytest.mark.parametrize("lang", (*TRANSLATED, "en"))
def test_msgfmt_check_passes(lang: str, tmp_path: Path) -> None:
    """GNU msgfmt's own checks: format strings, plural forms, header."""
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("lang", "count", "word"),
    [("ru", 2, "ведомства"), ("ru", 5, "ведомств"), ("ru", 21, "ведомство"), ("kk", 3, "орган")],
)
def test_plan_import_problems_agree_with_their_numbers(lang: str, count: int, word: str) -> None:
    """Problem messages that hold a number are plurals picked by that number."""
    from qadam.tracking.importing import problem_message

    with translation.override(lang):
        message = problem_message("lead-several", {"count": count})
    assert re.search(rf"(?<!\d){count} {word}(?!\w)", message), message


# --- the pages --------------------------------------------------------------------


def _translation_of(lang: str, msgid: str) -> str:
    _, entries = catalogue(lang)
    return next(e.msgstr[0] for e in entries if e.msgid == msgid and not e.msgid_plural)


@pytest.mark.parametrize(("lang", "recommendations"), [("ru", "Рекомендации"), ("kk", "Ұсынымдар")])
def test_home_page_navigation_is_translated(
    client: Client, db: None, lang: str, recommendations: str
) -> None:
    with translation.override(lang):
        url = reverse("registry:recommendation-list")
    assert url == f"/{lang}/"
    html = client.get(url).content.decode()
    assert f'<html lang="{lang}">' in html
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert f">{recommendations}</a>" in nav
    assert _translation_of(lang, "Recommendations") == recommendations
    # Whatever the .po says must be what the page shows: a stale .mo fails here.
    for msgid in ("Recommendations", "Documents", "Log in"):
        assert f">{_translation_of(lang, msgid)}</a>" in nav, msgid
        assert f">{msgid}</a>" not in nav
    assert f'aria-label="{_translation_of(lang, "Main menu")}"' in html
    assert _translation_of(lang, "Skip to main content") in html
    assert f"<h1>{recommendations}</h1>" in html


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plan_page_is_translated(client: Client, db: None, lang: str) -> None:
    """A tracking page: headings, column labels (one with a context) and choice labels."""
    from qadam.tracking.tests import factories as f

    plan = f.plan("Synthetic plan for the translation test")
    f.action(plan, "1", "Synthetic action", "MLSP", co=[("GPO", True)], status="in-progress")
    with translation.override(lang):
        url = reverse("tracking:plan-detail", args=[plan.pk])
    html = client.get(url).content.decode()
    assert f'<html lang="{lang}">' in html
    table = html[html.index('class="data-table actions-table"') : html.index("</thead>")]
    for msgid in ("No.", "Action", "Timeframe", "Institutions in charge", "Status", "Spent"):
        assert f">{_translation_of(lang, msgid)}</th>" in table, msgid
    outcome = next(
        e.msgstr[0]
        for e in catalogue(lang)[1]
        if e.msgctxt == "plan action" and e.msgid == "Outcome"
    )
    assert f">{outcome}</th>" in table
    assert f">{_translation_of(lang, 'Actions')}</h2>" in html
    assert _translation_of(lang, "In progress") in html
    assert f"GPO</abbr> {_translation_of(lang, '(as agreed)')}" in html
