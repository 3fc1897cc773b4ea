from qadam.lib.i18n import pick


def test_pick_returns_the_asked_language_without_fallback():
    assert pick({"en": "Torture", "ru": "Пытки"}, "ru") == ("Пытки", "ru", False)


def test_pick_falls_back_to_english_first_and_says_so():
    assert pick({"ru": "Пытки", "en": "Torture"}, "kk") == ("Torture", "en", True)


def test_pick_falls_back_to_any_language_when_the_usual_ones_are_missing():
    assert pick({"fr": "Torture (fr)"}, "kk") == ("Torture (fr)", "fr", True)


def test_pick_on_nothing_gives_empty_text():
    assert pick({}, "en").text == ""
    assert pick(None, "en").text == ""
