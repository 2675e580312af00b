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


def test_other_parties_named_in_german() -> None:
    text = ("Armenien und Aserbaidschan haben am Mittwoch Gefangene ausgetauscht: Baku ließ 32 armenische Soldaten "
            "frei, Jerewan übergab zwei aserbaidschanische Soldaten.")
    assert _events(text, "de") == [("prisoner_exchange", "conducted", date(2025, 6, 11), {"Armenia": 32, "Azerbaijan": 2})]


def test_ukrainian_our_people_are_ukraines() -> None:
    text = "Сьогодні додому повернулися двісті п'ять наших захисників. Росія отримала стільки ж. Дякую ОАЕ за обмін."
    assert [e[3] for e in _events(text, "uk")] == [{"Russia": 205, "Ukraine": 205}]


def test_german_participle_of_the_figures_own_clause() -> None:
    text = ("Russland hat der Ukraine am Donnerstag die Leichen von 757 Soldaten übergeben und im Gegenzug 34 "
            "Leichen erhalten.")
    assert [e[3] for e in _events(text, "de")] == [{"Russia": 34, "Ukraine": 757}]


def test_agreement_takes_the_day_of_the_talks_told_just_before() -> None:
    text = ("Die dritte Runde direkter Gespräche zwischen Russland und der Ukraine in Istanbul hat am Mittwochabend "
            "geendet. Moskau und Kiew einigten sich auf den Austausch von mindestens 1.200 Kriegsgefangenen pro Seite.")
    assert _events(text, "de") == [("prisoner_exchange", "agreed", date(2025, 6, 11), {"Russia": 1200, "Ukraine": 1200})]


def test_weekday_in_apposition_names_the_day() -> None:
    refs = find_dates("Напередодні, у п'ятницю, з полону звільнили ще 49 українців", lexicon.get("uk"), date(2024, 9, 16))
    assert [(r.date, r.precision) for r in refs] == [(date(2024, 9, 13), "day")]
    assert find_dates("Четверо житомирян серед звільнених", lexicon.get("uk"), PUB) == []


def test_one_of_them_is_no_count() -> None:
    assert values("Один из освобожденных военнопленных рассказал о пытках", "ru") == []
    assert values("двадцать один военнопленный", "ru") == [21]


@pytest.mark.parametrize("text,lang", [
    ("две стороны обменялись военнопленными", "ru"), ("дві сторони обмінялися полоненими", "uk"),
    ("los dos países canjearon prisioneros", "es"), ("os dois países trocaram prisioneiros", "pt"),
    ("les deux pays ont échangé des prisonniers", "fr"), ("zwei Länder tauschten Gefangene aus", "de"),
])
def test_two_sides_is_no_count(text: str, lang: str) -> None:
    assert values(text, lang) == []


@pytest.mark.parametrize("lang,text", [
    ("ru", "Украина передала России списки из 500 военнопленных для следующего обмена, но ответа пока нет."),
    ("uk", "Звіт ООН: понад 90% звільнених з полону українців зазнали катувань. Опитано 200 колишніх полонених, "
           "які повернулися внаслідок обмінів."),
    ("de", "Belarus hat 14 politische Gefangene freigelassen, darunter Sergej Tichanowski. Im Gegenzug wurden keine "
           "Gefangenen übergeben."),
])
def test_lists_reports_and_one_way_releases(lang: str, text: str) -> None:
    assert _events(text, lang) == []


@pytest.mark.parametrize("text,lang,value", [
    ("более 1,2 тыс. военнопленных", "ru", 1200), ("понад 1,5 тис. полонених", "uk", 1500),
    ("полторы тысячи пленных", "ru", 1500), ("півтори тисячі полонених", "uk", 1500),
])
def test_decimal_and_half_thousands(text: str, lang: str, value: int) -> None:
    assert values(text, lang) == [value]


def test_russian_defence_ministry_template() -> None:
    text = ("В результате переговорного процесса 24 августа с подконтрольной киевскому режиму территории возвращены "
            "146 российских военнослужащих. В обмен переданы 146 военнопленных ВСУ.")
    got = [(e.status, e.event_date, dict(e.returned_to)) for e in extract_from_text(text, date(2025, 8, 25), "ru")]
    assert got == [("conducted", date(2025, 8, 24), {"Russia": 146, "Ukraine": 146})]


@pytest.mark.parametrize("text,lang", [
    ("Это уже 60-й обмен пленными с начала года", "ru"), ("Це вже 60-й обмін полоненими", "uk"),
    ("Es war der 60. Gefangenenaustausch seit Kriegsbeginn", "de"), ("C'est le 60e échange de prisonniers", "fr"),
])
def test_ordinals_are_no_counts(text: str, lang: str) -> None:
    assert values(text, lang) == []


def test_versus_figures_are_two_sides() -> None:
    text = "Le 11 juin, la première opération de rapatriement a vu Kiev récupérer 1 212 corps, contre 27 pour Moscou."
    assert [e[3] for e in _events(text, "fr")] == [{"Russia": 27, "Ukraine": 1212}]


def test_the_same_day_is_the_previous_events_day() -> None:
    text = ("A Rússia entregou no sábado à Ucrânia os corpos de 1.200 militares. No mesmo dia, os dois países "
            "trocaram também um grupo de prisioneiros de guerra feridos.")
    got = {(e[0], e[2]) for e in _events(text, "pt")}
    assert got == {("body_repatriation", date(2025, 6, 14)), ("prisoner_exchange", date(2025, 6, 14))}


def test_also_on_the_day_adds_to_the_handover_just_told() -> None:
    text = ("Минобороны сообщило о возвращении из украинского плена 146 военнослужащих в ходе обмена. Кроме того, в "
            "субботу домой вернулись восемь жителей Курской области.")
    assert _events(text, "ru") == [("prisoner_exchange", "conducted", date(2025, 6, 14), {"Russia": 154, "Ukraine": None})]


def test_coordinated_verb_takes_its_own_party() -> None:
    text = "Ucrania recibió ayer los cuerpos de 1.212 soldados caídos y entregó a Rusia 27 cuerpos."
    assert [e[3] for e in _events(text, "es")] == [{"Russia": 27, "Ukraine": 1212}]


@pytest.mark.parametrize("lang,text", [
    ("ru", "Белоруссия освободила 14 граждан Украины без обмена, их передали украинской стороне."),
    ("es", "Bielorrusia liberó a 14 ucranianos sin canje y los entregó a Ucrania."),
])
def test_released_without_exchange(lang: str, text: str) -> None:
    assert _events(text, lang) == []


@pytest.mark.parametrize("text,lang", [
    ("Gestern kehrten 95 ukrainische Soldaten aus russischer Gefangenschaft zurück.", "de"),
    ("Hier, Kiev a récupéré plus de 200 soldats lors d'un échange de prisonniers avec Moscou.", "fr"),
    ("Ontem, a Ucrânia recebeu mais de 200 militares libertados numa troca de prisioneiros com a Rússia.", "pt"),
    ("Bielorrusia liberó a 14 presos políticos tras la visita de un enviado estadounidense.", "es"),
])
def test_short_texts_are_told_apart(text: str, lang: str) -> None:
    assert lexicon.detect_language(text) == lang


@pytest.mark.parametrize("lang,text", [
    ("de", "Die Ukraine hat nach eigenen Angaben bei einem Austausch 95 Soldaten aus russischer Kriegsgefangenschaft "
           "zurückgeholt. Im Gegenzug erhielt Russland ebenfalls 95 Soldaten."),
    ("uk", "За даними Міноборони РФ, у суботу з українського полону звільнено 95 російських військових. Натомість "
           "Україні передали 95 українських полонених."),
])
def test_captivity_words_and_verb_second_order(lang: str, text: str) -> None:
    assert [e[3] for e in _events(text, lang)] == [{"Russia": 95, "Ukraine": 95}]


def test_plan_told_with_its_agreement_is_that_agreement() -> None:
    text = ("La Russie et l'Ukraine ont convenu samedi d'un nouvel échange de 500 prisonniers de part et d'autre, qui "
            "devrait avoir lieu la semaine prochaine.")
    assert _events(text, "fr") == [("prisoner_exchange", "agreed", date(2025, 6, 14), {"Russia": 500, "Ukraine": 500})]


def test_commitment_to_hand_over_is_an_agreement() -> None:
    text = ("На переговорах в Стамбуле 2 июня стороны договорились об обмене пленными. Кроме того, Россия тогда взяла "
            "на себя обязательство передать Украине 6 тысяч тел погибших военнослужащих.")
    assert ("body_repatriation", "agreed", date(2025, 6, 2), {"Russia": None, "Ukraine": 6000}) in _events(text, "ru")


@pytest.mark.parametrize("lang,text,counts", [
    ("uk", "В Україну повернули тіла 909 полеглих військових, повідомив Коордштаб. Росія отримала 34 тіла.",
     {"Russia": 34, "Ukraine": 909}),
    ("uk", "Додому повернулися 84 захисники і захисниці, Росія отримала стільки ж у рамках обміну.",
     {"Russia": 84, "Ukraine": 84}),
    ("ru", "Россия передала Украине тела 909 павших военных, получив взамен 34 тела.", {"Russia": 34, "Ukraine": 909}),
])
def test_fallen_defenders_and_dative_objects(lang: str, text: str, counts: dict) -> None:
    assert [e[3] for e in _events(text, lang)] == [counts]


@pytest.mark.parametrize("lang,text", [
    ("fr", "La Russie et l'Ukraine ont procédé à un échange de tirs samedi, 20 soldats ont été tués."),
    ("de", "Beim Meinungsaustausch zwischen Russland und der Ukraine ging es um 200 Gefangene."),
    ("ru", "Россия и Украина обменялись ударами по энергетике, 20 человек погибли."),
])
def test_exchanges_of_fire_and_views(lang: str, text: str) -> None:
    assert _events(text, lang) == []


def test_instrumental_case_names_parties_and_announced_swaps_are_planned() -> None:
    text = "Следующий обмен пленными между Россией и Украиной состоится в ближайшие дни, заявила Москалькова."
    assert [e[1] for e in _events(text, "ru")] == ["planned"]
    assert _events("Обмен пленными с Украиной состоится только после приговора, заявили в Москве.", "ru") == []
    assert _events("Обмін з Росією не відбудеться цього тижня, заявили в Києві.", "uk") == []


def test_unequal_n_for_m_is_not_per_side() -> None:
    got = [(c.value, c.each) for c in find_counts("обмен 230 на 248 человек", lexicon.get("ru"))]
    assert got == [(230, False), (248, False)]


def test_in_total_with_a_verb_between() -> None:
    assert [c.total for c in find_counts("Таким чином Росія загалом отримала 261 військовослужбовця.",
                                         lexicon.get("uk"))] == [True]
