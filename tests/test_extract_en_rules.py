"""English rules of general reach: a named person added to a group, a group included in a figure, "our
defenders", a day the report does not give."""

from __future__ import annotations

from datetime import date

from pipeline.extract import extract_from_text

PUB = date(2022, 9, 22)


def _events(text: str, pub: date = PUB) -> list[dict]:
    return [e.to_json() for e in extract_from_text(text, pub)]


def test_person_named_after_a_group_counts_one_more() -> None:
    text = ("Ukraine has secured the release of 215 of its fighters in exchange for 55 Russians and pro-Moscow "
            "politician Viktor Medvedchuk, Kyiv said late on Wednesday.")
    (ev,) = _events(text)
    assert ev["returned_to"] == {"Russia": 56, "Ukraine": 215}


def test_title_after_a_group_is_no_extra_person() -> None:
    text = ("Russia and Ukraine exchanged 95 prisoners each on Wednesday and President Volodymyr Zelensky thanked "
            "the mediators.")
    (ev,) = _events(text)
    assert ev["returned_to"] == {"Russia": 95, "Ukraine": 95}


def test_group_included_in_a_figure_is_not_added() -> None:
    text = ("Russia released three foreign volunteers as part of an exchange on Wednesday in which 103 prisoners "
            "were returned to Ukraine and 100 Russian servicemen went home, officials said.\n"
            "The three foreigners are included in the 103, the coordination headquarters said.")
    (ev,) = _events(text)
    assert ev["returned_to"] == {"Russia": 100, "Ukraine": 103}


def test_our_defenders_are_ukraines() -> None:
    text = "103 of our defenders are home! Thank you to everyone who made this exchange possible."
    (ev,) = _events(text, date(2024, 9, 14))
    assert ev["parties"] == ["Russia", "Ukraine"]
    assert ev["returned_to"] == {"Russia": None, "Ukraine": 103}


def test_report_that_does_not_give_the_day() -> None:
    text = ("Ukraine received the bodies of 909 soldiers killed in the war, officials said Friday, after handing "
            "over 43 bodies of Russian troops.\nOfficials did not say exactly when the handover happened.")
    (ev,) = _events(text, date(2025, 5, 16))
    assert ev["returned_to"] == {"Russia": 43, "Ukraine": 909}
    assert ev["event_date"] is None
    dated = _events(text.split("\n")[0], date(2025, 5, 16))
    assert dated[0]["event_date"] == "2025-05-16"


def test_this_year_beats_the_year_named_before() -> None:
    text = ("In the first truce of November 2023, hostages were swapped for prisoners.\n"
            "On January 19 of this year, three Israeli women were freed in return for 90 Palestinian prisoners.")
    evs = _events(text, date(2025, 10, 20))
    assert any(e["event_date"] == "2025-01-19" and e["returned_to"] == {"Hamas": 90, "Israel": 3} for e in evs)


def test_hostages_handed_to_the_red_cross_were_released() -> None:
    text = ("On the morning of October 13, the last twenty living Israeli hostages held in Gaza were handed to the "
            "Red Cross in exchange for 1,968 Palestinian prisoners.")
    (ev,) = _events(text, date(2025, 10, 20))
    assert ev["event_date"] == "2025-10-13" and ev["returned_to"] == {"Hamas": 1968, "Israel": 20}


def test_a_rate_is_no_handover() -> None:
    text = ("For each body returned, Israel has been handing over the remains of fifteen Palestinians, a rate that "
            "reflects the asymmetry of the war.")
    assert _events(text, date(2025, 10, 20)) == []


def test_feast_day_and_a_figure_after_a_month() -> None:
    text = ("On Ukraine's Independence Day in August, 115 prisoners were exchanged for 115, many of the Russians "
            "having been captured in the Kursk incursion.")
    (ev,) = _events(text, date(2025, 1, 10))
    assert ev["event_date"] == "2024-08-24"
    assert ev["returned_to"] == {"Russia": 115, "Ukraine": 115}


def test_a_day_of_the_month_is_still_no_count() -> None:
    text = "Russia and Ukraine swapped 95 prisoners each on August 24, officials said."
    (ev,) = _events(text, date(2024, 8, 25))
    assert ev["event_date"] == "2024-08-24" and ev["returned_to"] == {"Russia": 95, "Ukraine": 95}


def test_a_years_total_is_no_handover() -> None:
    text = ("On 31 December, 140 Ukrainians came home and 82 Russians were returned in a prisoner swap.\n"
            "According to Ukrainian figures, some 1,600 Ukrainians were released from Russian captivity in 2022.")
    (ev,) = _events(text, date(2023, 1, 15))
    assert ev["returned_to"] == {"Russia": 82, "Ukraine": 140}


def test_obtained_and_an_appositive_demonym() -> None:
    text = ("The most important exchange of the year was that of 21 September.\n"
            "Ukraine obtained 215 prisoners; Russia obtained 55 servicemen and Viktor Medvedchuk, a Ukrainian "
            "politician facing treason charges.")
    (ev,) = _events(text, date(2023, 1, 15))
    assert ev["event_date"] == "2022-09-21" and ev["returned_to"] == {"Russia": 56, "Ukraine": 215}


def test_a_month_with_its_own_figure_is_another_handover() -> None:
    text = ("In 2024, Ukraine carried out eleven exchanges and brought home 1,358 people, the ombudsman said.\n"
            "The year began with the largest exchange: in January, 230 Ukrainians returned.\n"
            "Then there was a long pause until the end of May, when 75 defenders came home.\n"
            "The last exchange of the year, on December 30, returned 189 people.")
    evs = {(e["event_date"], e["returned_to"]["Ukraine"]) for e in _events(text, date(2025, 1, 2))}
    assert (None, 230) in evs and (None, 75) in evs
    assert not any(n == 1358 for _, n in evs)
    assert any(day == "2024-12-30" for day, _ in evs)


def test_among_the_figure_in_its_own_sentence_is_a_group_of_the_handover() -> None:
    text = ("Hanna, a schoolteacher, is among the 51 civilians returned to Ukraine in the exchange on 14 August.\n"
            "In the same exchange 33 soldiers also came home; Russia received 84 people.")
    (ev,) = _events(text, date(2025, 8, 16))
    assert ev["returned_to"] == {"Russia": 84, "Ukraine": 84}


def test_agreements_of_two_rounds_take_their_talks_days() -> None:
    text = ("The second round, on 2 June, was more ambitious. The two sides agreed to exchange all seriously "
            "wounded prisoners, without a fixed number.\n"
            "The third round of talks, on 23 July, was the shortest yet. It lasted forty minutes. The delegations "
            "agreed to exchange at least 1,200 more prisoners each between Russia and Ukraine.")
    got = {(e["status"], e["event_date"], e["returned_to"]["Russia"]) for e in _events(text, date(2025, 8, 1))}
    assert ("agreed", "2025-07-23", 1200) in got
    assert ("agreed", "2025-06-02", None) in got


def test_named_person_swapped_for_named_person() -> None:
    text = ("In December 2022 it was on an Abu Dhabi runway that the American basketball player Brittney Griner "
            "was exchanged for the Russian arms dealer Viktor Bout.")
    (ev,) = _events(text, date(2025, 1, 10))
    assert ev["returned_to"] == {"Russia": 1, "United States": 1}


def test_running_totals_by_a_month() -> None:
    text = ("On 11 June, Ukraine received 1,212 bodies and Russia 27 in a repatriation of the dead.\n"
            "By the end of June Moscow said it had handed over more than 6,000 bodies and received fewer than 100.")
    (ev,) = _events(text, date(2025, 8, 1))
    assert ev["returned_to"] == {"Russia": 27, "Ukraine": 1212}


def test_person_named_after_a_group_in_russian() -> None:
    text = ("21 сентября 2022 года Украина вернула 215 человек в ходе обмена пленными, а Россия получила "
            "55 военнослужащих и политика Виктора Медведчука.")
    (ev,) = _events(text, date(2025, 2, 10))
    assert ev["returned_to"] == {"Russia": 56, "Ukraine": 215}


def test_a_rough_tally_said_on_a_day_has_no_day() -> None:
    text = ("Putin said on Friday that Russia had handed over about 6,000 bodies of Ukrainian soldiers to Ukraine "
            "and received 78 of its own.")
    (ev,) = _events(text, date(2025, 6, 28))
    assert ev["event_type"] == "body_repatriation" and ev["event_date"] is None
    assert ev["returned_to"] == {"Russia": 78, "Ukraine": 6000}


def test_figures_that_came_home_and_the_other_sides_respectively() -> None:
    text = ("Ukraine and Russia have swapped prisoners regularly.\n"
            "Last month there were two exchanges on consecutive days: on September 13, forty-nine people came home, "
            "and on September 14, another 103.\nRussia received 49 and 103 of its own respectively.")
    got = {(e["event_date"], e["returned_to"]["Russia"], e["returned_to"]["Ukraine"])
           for e in _events(text, date(2024, 10, 19))}
    assert {("2024-09-13", 49, 49), ("2024-09-14", 103, 103)} <= got


def test_both_sides_would_exchange_after_talks_is_an_agreement_of_that_day() -> None:
    text = ("When the Russian and Ukrainian delegations sat down in Istanbul on 16 May, it was the first time the two "
            "sides had negotiated face to face since 2022. The meeting lasted less than two hours. Its only concrete "
            "result was a number: the two sides would exchange 1,000 prisoners each.\n"
            "By Sunday evening both governments could say that the 1,000-for-1,000 deal had been fulfilled.\n"
            "The second round, on 2 June, was more ambitious. Russia and Ukraine agreed to exchange all seriously "
            "wounded prisoners, without a fixed number.")
    got = {(e["status"], e["event_date"], e["returned_to"]["Russia"]) for e in _events(text, date(2025, 8, 1))}
    assert ("agreed", "2025-05-16", 1000) in got
    assert ("agreed", "2025-06-02", None) in got


def test_our_heroes_on_a_pitch_and_served_sentences_are_no_swaps() -> None:
    assert _events("Our heroes exchanged jerseys with the visitors after the final whistle. The coach said the "
                   "defenders had played the match of their lives.") == []
    assert _events("Israeli strikes killed 30 Palestinians in Gaza on Tuesday. Hamas said talks on a hostage "
                   "exchange had stalled. Palestinian officials said 12 prisoners were released from Israeli jails "
                   "last month after serving their sentences.") == []
