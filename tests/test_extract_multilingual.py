"""Non-English extraction: number words, relative days, statuses and recipients in ru/uk/de/fr/es/pt."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.extract import extract_from_text, lexicon
from pipeline.extract.dates import find_dates
from pipeline.extract.numbers import find_counts

PUB = date(2025, 6, 14)  # a Saturday


def values(text: str, lang: str) -> list[int]:
    return [c.value for c in find_counts(text, lexicon.get(lang))]


@pytest.mark.parametrize("text,lang,value", [
    ("вернулись двести пять защитников", "ru", 205),
    ("сто двадцать военнопленных", "ru", 120),
    ("две тысячи пленных", "ru", 2000),
    ("повернулися двісті п'ять захисників", "uk", 205),
    ("вісьмох цивільних", "uk", 8),
    ("acht Zivilisten", "de", 8),
    ("zweihundert Gefangene", "de", 200),
    ("cinq Américains", "fr", 5),
    ("deux cents prisonniers", "fr", 200),
    ("quatre-vingt-dix prisonniers", "fr", 90),
    ("ciento veinte prisioneros", "es", 120),
    ("cento e vinte prisioneiros", "pt", 120),
    ("1 212 corps", "fr", 1212),
    ("1.212 Soldaten", "de", 1212),
])
def test_number_words(text: str, lang: str, value: int) -> None:
    assert values(text, lang)[0] == value


def test_thousands_of_is_no_count() -> None:
    assert values("остаются тысячи человек", "ru") == []
    assert values("у полоні досі тисячі людей", "uk") == []


def test_apostrophe_word_is_not_a_number() -> None:
    assert values("сім'ї загиблих", "uk") == []


@pytest.mark.parametrize("text,lang,day", [
    ("Erst zehn Tage zuvor hatten beide Seiten getauscht", "de", date(2025, 6, 4)),
    ("il y a deux jours", "fr", date(2025, 6, 12)),
    ("hace tres días", "es", date(2025, 6, 11)),
    ("há dois dias", "pt", date(2025, 6, 12)),
    ("три дня назад", "ru", date(2025, 6, 11)),
    ("два дні тому", "uk", date(2025, 6, 12)),
    ("am Mittwochabend", "de", date(2025, 6, 11)),
])
def test_relative_days(text: str, lang: str, day: date) -> None:
    assert [r.date for r in find_dates(text, lexicon.get(lang), PUB)] == [day]


def _events(text: str, lang: str) -> list[tuple]:
    return [(e.event_type, e.status, e.event_date, dict(e.returned_to)) for e in extract_from_text(text, PUB, lang)]


def test_list_items_share_the_recipient() -> None:
    text = ("Kiew und Moskau haben am Samstag Gefangene ausgetauscht. Russland erhielt nach Angaben seines "
            "Verteidigungsministeriums 146 Soldaten sowie acht Bewohner der Region Kursk.")
    assert ("prisoner_exchange", "conducted", date(2025, 6, 14), {"Russia": 154, "Ukraine": None}) in _events(text, "de")


def test_interview_sample_is_no_event() -> None:
    text = ("Für den Bericht wurden mehr als 200 Ukrainer befragt, die nach einem Gefangenenaustausch "
            "freigekommen waren.")
    assert _events(text, "de") == []


def test_n_for_n_with_a_noun_only_when_equal() -> None:
    lex = lexicon.get("pt")
    assert [(c.value, c.each) for c in find_counts("trocaram 175 prisioneiros por 175.", lex)] == [(175, True)]
    ru = [(c.value, c.each) for c in find_counts("обмен: 230 украинцев на 248 российских военных", lexicon.get("ru"))]
    assert ru == [(230, False), (248, False)]


def test_dated_line_head_stays_with_its_sentence() -> None:
    text = "21 сентября 2022 года. Украина вернула 215 человек, а Россия получила 55 военнослужащих в обмен."
    events = _events(text, "ru")
    assert ("prisoner_exchange", "conducted", date(2022, 9, 21), {"Russia": 55, "Ukraine": 215}) in events


def test_returned_with_and_without_a_dative() -> None:
    got = _events("Украина вернула из плена 75 своих граждан в ходе обмена.", "ru")
    assert got and got[0][3]["Ukraine"] == 75
    gave = _events("Россия вернула Украине 909 тел погибших военных.", "ru")
    assert gave and gave[0][3]["Ukraine"] == 909


def test_a_sides_proposal_is_planned_but_readiness_is_not() -> None:
    text = "Зеленський заявив, що Україна готує новий обмін полоненими."
    assert [e[1] for e in _events(text, "uk")] == ["planned"]
    assert _events("Росія готова до обміну полоненими, заявили в Кремлі.", "uk") == []


@pytest.mark.parametrize("lang,text,counts", [
    ("de", "Gestern kehrten 95 ukrainische Soldaten aus russischer Gefangenschaft zurück, Russland erhielt im Gegenzug "
           "ebenso viele.", {"Russia": 95, "Ukraine": 95}),
    ("fr", "Vendredi, 150 militaires ukrainiens sont rentrés chez eux dans le cadre d'un échange de prisonniers ; la "
           "Russie a récupéré le même nombre de soldats.", {"Russia": 150, "Ukraine": 150}),
    ("de", "Die Ukraine hat von Russland die Leichen von 909 gefallenen Soldaten erhalten. Im Gegenzug übergab Kiew "
           "34 Leichen an Moskau.", {"Russia": 34, "Ukraine": 909}),
    ("ru", "Россия передала Украине тела 909 погибших военнослужащих, в ответ получив 34 тела российских военных.",
     {"Russia": 34, "Ukraine": 909}),
    ("pt", "Ontem, a Ucrânia recebeu mais de 200 militares libertados numa troca de prisioneiros com a Rússia.",
     {"Russia": None, "Ukraine": 200}),
])
def test_who_received_how_many(lang: str, text: str, counts: dict) -> None:
    assert [e[3] for e in _events(text, lang)] == [counts]


@pytest.mark.parametrize("lang,text", [
    ("uk", "Лукашенко помилував 20 громадян України, їх передали українській стороні."),
    ("de", "Lukaschenko hat 20 Ukrainer begnadigt und an die Ukraine übergeben."),
    ("fr", "Sept enfants ukrainiens emmenés en Russie ont pu rentrer en Ukraine jeudi grâce au Qatar."),
    ("fr", "L'accord prévoyait le déblocage de 6 milliards de dollars d'avoirs iraniens gelés."),
])
def test_hard_negatives(lang: str, text: str) -> None:
    assert _events(text, lang) == []


@pytest.mark.parametrize("lang,text,ref", [
    ("de", "vorgestern", (date(2025, 6, 12), "day")),
    ("ru", "позавчера", (date(2025, 6, 12), "day")),
    ("pt", "nesta sexta", (date(2025, 6, 13), "day")),
    ("ru", "в начале июня", (None, "month")),
    ("es", "a principios de junio", (None, "month")),
    ("fr", "début juin", (None, "month")),
])
def test_more_day_and_month_words(lang: str, text: str, ref: tuple) -> None:
    assert [(r.date, r.precision) for r in find_dates(text, lexicon.get(lang), PUB)] == [ref]


def test_named_one_for_one_swap() -> None:
    text = "США і Росія в четвер обміняли баскетболістку Грайнер на торговця зброєю Бута."
    assert [e[3] for e in _events(text, "uk")] == [{"Russia": 1, "United States": 1}]
