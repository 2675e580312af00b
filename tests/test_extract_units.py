"""Unit tests of the extractor's modules: numbers, dates, parties, sentences, robustness."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.extract import EXTRACTOR_VERSION, extract_events, extract_from_text, lexicon, sentences
from pipeline.extract.dates import find_dates
from pipeline.extract.numbers import find_counts
from pipeline.extract.parties import find_parties
from pipeline.records import Document

EN = lexicon.get("en")
PUB = date(2025, 6, 14)  # a Saturday


def counts(text: str, lang: str = "en") -> list[tuple[int, str, bool]]:
    return [(c.value, c.qualifier, c.each) for c in find_counts(text, lexicon.get(lang))]


@pytest.mark.parametrize("text,value", [
    ("returned 1,212 bodies", 1212), ("returned 1 212 bodies", 1212), ("returned 1.212 bodies", 1212),
    ("two hundred prisoners", 200), ("Two hundred and five Russian servicemen", 205),
    ("a dozen soldiers", 12), ("forty-nine people", 49),
])
def test_number_formats(text: str, value: int) -> None:
    assert counts(text)[0][0] == value


def test_qualifiers_and_each() -> None:
    assert counts("more than 200 prisoners") == [(200, "at_least", False)]
    assert counts("around 6,000 bodies") == [(6000, "approximate", False)]
    assert counts("handed over 246 Ukrainian POWs")[0][1] == "exact"
    assert counts("swapped 95 prisoners each") == [(95, "exact", True)]
    assert counts("a 390 for 390 swap of prisoners") == [(390, "exact", True)]
    assert [c[2] for c in counts("exchanged 185 soldiers and 20 civilians each")] == [True, True]


def test_non_counts_are_ignored() -> None:
    assert counts("held since 2022 in 3 camps for 18 months, $300 billion") == []
    assert counts("soldiers under the age of 25") == []
    assert counts("on June 14 the swap") == []


def test_zero_is_a_count() -> None:
    assert counts("it received none of its own")[0][0] == 0


def _dates(text: str, pub: date | None = PUB):
    return [(r.date, r.precision) for r in find_dates(text, EN, pub)]


def test_relative_days() -> None:
    assert _dates("the swap on Saturday") == [(date(2025, 6, 14), "day")]
    assert _dates("the swap on Friday") == [(date(2025, 6, 13), "day")]
    assert _dates("yesterday") == [(date(2025, 6, 13), "day")]
    assert _dates("earlier this week") == [(None, "week")]
    assert _dates("on Saturday", None) == [(None, None)]


def test_explicit_days_and_year_rollover() -> None:
    assert _dates("on 5 February") == [(date(2025, 2, 5), "day")]
    assert _dates("on June 14th") == [(date(2025, 6, 14), "day")]
    assert _dates("on December 30", date(2025, 1, 2)) == [(date(2024, 12, 30), "day")]
    assert _dates("on Saturday, June 14th") == [(date(2025, 6, 14), "day")]
    assert _dates("Июнь", None) == []


def test_russian_and_ukrainian_dates() -> None:
    ru = lexicon.get("ru")
    assert [(r.date) for r in find_dates("обмен состоялся 14 июня", ru, PUB)] == [date(2025, 6, 14)]
    uk = lexicon.get("uk")
    assert [(r.date) for r in find_dates("обмін відбувся в п'ятницю", uk, PUB)] == [date(2025, 6, 13)]


def test_parties_map_capitals_and_demonyms() -> None:
    found = {(p.party, p.demonym) for p in find_parties("Kyiv and the Kremlin; 84 Ukrainians and Russian troops")}
    assert found == {("Ukraine", False), ("Russia", False), ("Ukraine", True), ("Russia", True)}


def test_language_detection() -> None:
    assert lexicon.detect_language("Russia and Ukraine exchanged prisoners of war on Saturday.") == "en"
    assert lexicon.detect_language("Россия и Украина обменялись пленными в субботу.") == "ru"
    assert lexicon.detect_language("Україна та Росія обмінялися полоненими в суботу.") == "uk"


def test_chrome_tail_is_cut() -> None:
    text = "Russia and Ukraine exchanged 84 prisoners each on Saturday. " * 5 + "\nRelated Articles\nMore swaps"
    assert sentences.body_end(text) == text.index("Related Articles")


def test_sentence_offsets_round_trip() -> None:
    text = "Mr. Smith said so. Then 84 POWs came home!\nNext line here."
    for s in sentences.split(text):
        assert text[s.start:s.end] == s.text
    assert len(sentences.split(text)) == 3


@pytest.mark.parametrize("text", ["", " ", "\x00\x01garbage", "1,2,3" * 1000, "обмен" * 50, "swap. " * 300])
def test_odd_input_never_raises(text: str) -> None:
    assert isinstance(extract_events(Document(id="x", text=text)), list)


def test_every_language_runs() -> None:
    samples = {
        "en": "Russia and Ukraine exchanged 95 prisoners each on Friday.",
        "ru": "Россия и Украина в пятницу обменялись пленными: по 95 человек с каждой стороны.",
        "uk": "Україна та Росія в пʼятницю провели обмін полоненими: по 95 осіб з кожного боку.",
        "de": "Russland und die Ukraine haben am Freitag jeweils 95 Gefangene ausgetauscht.",
        "fr": "La Russie et l'Ukraine ont échangé vendredi 95 prisonniers chacune.",
        "es": "Rusia y Ucrania intercambiaron el viernes 95 prisioneros cada uno.",
        "pt": "Rússia e Ucrânia trocaram na sexta-feira 95 prisioneiros cada um.",
    }
    for lang, text in samples.items():
        events = extract_from_text(text, PUB, lang)
        assert events, lang
        assert events[0].event_type == "prisoner_exchange"


def test_simple_swap_english() -> None:
    (ev,) = extract_from_text("Russia and Ukraine exchanged 95 prisoners of war each on Friday.", PUB)
    assert (ev.status, ev.event_date, dict(ev.returned_to)) == ("conducted", date(2025, 6, 13),
                                                                 {"Russia": 95, "Ukraine": 95})


def test_agreement_is_not_conducted() -> None:
    events = extract_from_text("Russia and Ukraine agreed to exchange 1,000 prisoners each.", PUB)
    assert [e.status for e in events] == ["agreed"]


def test_unilateral_release_is_no_event() -> None:
    text = "Belarus released 14 prisoners on Saturday after a visit by a US envoy. The president pardoned them."
    assert extract_from_text(text, PUB) == []


def test_version_is_a_string() -> None:
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION


def test_fast_alternations_match_like_plain_regexes() -> None:
    import re

    from pipeline.extract.fastre import compile_fast
    from pipeline.extract.lexicon import _RAW

    sample = ("Russia and Ukraine exchanged 95 prisoners each; Россия вернула 84 военнопленных, Україна "
              "отримала тіла. Russland tauschte Gefangene; la Russie a échangé; Rusia canjeó; Rússia trocou. "
              "Kyiv received 1,000 bodies on Friday, earlier this week, in exchange for Viktor Bout.")
    for raw in _RAW.values():
        for key, pat in raw.items():
            if not isinstance(pat, str):
                continue
            plain = re.compile(pat, re.IGNORECASE | re.UNICODE)
            fast = compile_fast(pat)
            assert [m.span() for m in plain.finditer(sample)] == [m.span() for m in fast.finditer(sample)], key


def test_bucketed_party_matcher_equals_the_alternation() -> None:
    from pipeline.extract.parties import find_parties_slow

    text = ("Kyiv and the Kremlin; 84 Ukrainians, Russian troops, the U.S. and US envoys, Hamas and Israel, "
            "Україна та Росія, украинских военных, в Россию, Armenia/Azerbaijan, Yemen's Houthis, Russland.")
    assert find_parties(text) == find_parties_slow(text)


def _events(text: str, pub: date | None = PUB) -> list[tuple]:
    return [(e.event_type, e.status, e.event_date, dict(e.returned_to)) for e in extract_from_text(text, pub)]


def test_two_handovers_in_one_sentence_get_their_own_figures() -> None:
    text = ("Russia and Ukraine swapped prisoners again this month. On June 3, 49 soldiers were exchanged on each "
            "side, and on June 10 another 103 were swapped on each side.")
    got = _events(text)
    assert ("prisoner_exchange", "conducted", date(2025, 6, 3), {"Russia": 49, "Ukraine": 49}) in got
    assert ("prisoner_exchange", "conducted", date(2025, 6, 10), {"Russia": 103, "Ukraine": 103}) in got


def test_total_before_per_side_split_is_not_added() -> None:
    got = _events("Russia and Ukraine exchanged 300 prisoners, 150 for 150, on Friday.")
    assert got == [("prisoner_exchange", "conducted", date(2025, 6, 13), {"Russia": 150, "Ukraine": 150})]


def test_denied_exchange_is_no_event() -> None:
    text = ("Belarus handed over five Ukrainian prisoners at the border on Saturday after a pardon. Kyiv said it had "
            "not released anyone in return and that no exchange had been negotiated.")
    assert _events(text) == []


def test_agreement_terms_and_plan_announcement_day() -> None:
    text = ("Russia and Ukraine agreed on Thursday to exchange 1,000 prisoners each. The Kremlin said on Friday "
            "the swap will take place next week.")
    got = _events(text)
    assert ("prisoner_exchange", "agreed", date(2025, 6, 12), {"Russia": 1000, "Ukraine": 1000}) in got


def test_year_named_in_the_previous_sentence() -> None:
    text = ("The pattern of regular swaps became visible early in 2024. On January 3, Russia and Ukraine exchanged "
            "230 Ukrainians for 248 "
            "Russians.")
    got = _events(text, date(2025, 3, 1))
    assert got and got[0][2] == date(2024, 1, 3)


def test_bodies_and_received_none() -> None:
    text = ("Russia handed over the bodies of 1,200 Ukrainian soldiers to Kyiv on Saturday. Moscow said it received "
            "none of its own dead.")
    assert _events(text) == [("body_repatriation", "conducted", date(2025, 6, 14), {"Russia": 0, "Ukraine": 1200})]
