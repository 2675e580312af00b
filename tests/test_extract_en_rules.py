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
