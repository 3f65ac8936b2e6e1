"""The viability scorecard, risks and next steps on hand-made page results: each rule gives its
stated reading, and a missing or failed page gives "missing", never a guess."""

from __future__ import annotations

import pytest

from lasergo.analysis import viability
from lasergo.analysis.viability import PageOutcome


def _kpis(statuses: dict[int, tuple[str, float | None]]) -> list[dict]:
    return [
        {"kpi": k, "description": f"KPI {k} text", "status": s, "chance_pct": c, "value": 1.0, "target": 6.0}
        for k, (s, c) in statuses.items()
    ]


ALL_FINE = dict.fromkeys(range(1, 8), ("on track", 90.0))


def _pages(**results: dict) -> dict[str, PageOutcome]:
    """Pages named by their notebook, each with the given results, all built."""
    return {name: PageOutcome(name, name, "ok", found) for name, found in results.items()}


def healthy() -> dict[str, PageOutcome]:
    return _pages(
        **{
            viability.KPI_PAGE: {
                "kpis": _kpis(ALL_FINE),
                "rd_funding": {"attracted_eur_m": 22.0, "expected_eur_m": 20},
            },
            viability.MARKET_PAGE: {
                "potential": {"p50": 80.0, "p10": 40.0, "p90": 140.0, "unit": "EUR m", "year": 2026}
            },
            viability.NETWORK_PAGE: {
                "ties": {"count": 70, "target": 96, "chance_pct": 60.0},
                "affiliates": {"count": 12, "target": 16, "chance_pct": 55.0, "markets_short": []},
            },
            viability.PARTNERS_PAGE: {"business_cases": {"count": 10, "missions_covered": 8}},
            viability.SURVEY_PAGE: {
                "sentiment": {"mean": 4.0, "low": 3.8, "high": 4.2, "scale": "1-5", "question": "q"}
            },
        }
    )


def readings(pages) -> dict[str, str]:
    return viability.scorecard(pages).set_index("dimension")["reading"].to_dict()


def test_kpis_too_early_to_forecast_are_named_not_counted_as_on_track():
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis({**ALL_FINE, 5: ("too early", None), 6: ("too early", None)})
    figure = viability.scorecard(pages).set_index("dimension").loc["KPI progress", "figure"]
    assert figure == "5 of 7 KPIs reached or on track, 0 at risk, 0 off track, 2 too early to forecast"


def test_every_dimension_good_reads_grow():
    card = viability.scorecard(healthy())
    assert set(card["reading"]) == {"good"}
    assert list(card["dimension"]) == list(viability.RULES)
    assert viability.overall_reading(card) == "grow"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({**ALL_FINE, 4: ("at risk", 50.0)}, "good"),  # one at risk is still good
        ({**ALL_FINE, 4: ("at risk", 50.0), 2: ("at risk", 60.0)}, "watch"),
        ({**ALL_FINE, 4: ("off track", 10.0)}, "watch"),
        ({**ALL_FINE, 1: ("off track", 1.0), 2: ("off track", 5.0), 4: ("off track", 10.0)}, "weak"),
        ({**ALL_FINE, 3: ("reached", None)}, "good"),  # reached counts as fine
        ({**ALL_FINE, 5: ("too early", None), 6: ("too early", None)}, "good"),
    ],
)
def test_kpi_reading_follows_its_rule(statuses, expected):
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis(statuses)
    assert readings(pages)["KPI progress"] == expected


@pytest.mark.parametrize(("p10", "p50", "expected"), [(30.0, 60.0, "good"), (29.0, 30.0, "watch"), (5.0, 29.9, "weak")])
def test_market_reading_against_ten_percent_of_the_direct_groups_sales(p10, p50, expected):
    pages = healthy()
    pages[viability.MARKET_PAGE].results["potential"].update(p10=p10, p50=p50)
    assert readings(pages)["Market potential"] == expected


@pytest.mark.parametrize(("ties", "affiliates", "expected"), [(90, 50, "good"), (90, 20, "watch"), (19.9, 80, "weak")])
def test_network_reading_takes_the_lower_chance(ties, affiliates, expected):
    pages = healthy()
    pages[viability.NETWORK_PAGE].results["ties"]["chance_pct"] = ties
    pages[viability.NETWORK_PAGE].results["affiliates"]["chance_pct"] = affiliates
    assert readings(pages)["Value network"] == expected


@pytest.mark.parametrize(("low", "high", "expected"), [(3.6, 4.0, "good"), (3.4, 3.9, "watch"), (2.2, 2.9, "weak")])
def test_sentiment_reading_from_its_interval(low, high, expected):
    pages = healthy()
    pages[viability.SURVEY_PAGE].results["sentiment"].update(low=low, high=high, mean=(low + high) / 2)
    assert readings(pages)["Stakeholder sentiment"] == expected


@pytest.mark.parametrize(
    ("attracted", "expected"), [(20.0, "good"), (10.0, "watch"), (9.9, "weak"), (None, "not collected")]
)
def test_funding_reading_against_the_twenty_million_expected(attracted, expected):
    pages = healthy()
    pages[viability.KPI_PAGE].results["rd_funding"]["attracted_eur_m"] = attracted
    assert readings(pages)["R&D funding"] == expected


@pytest.mark.parametrize("page", [viability.MARKET_PAGE, viability.NETWORK_PAGE, viability.SURVEY_PAGE])
def test_a_missing_or_failed_page_reads_missing_and_is_not_scored(page):
    pages = healthy()
    absent = {k: v for k, v in pages.items() if k != page}
    failed = {**pages, page: PageOutcome(page, page, "failed", pages[page].results)}
    for case in (absent, failed):
        card = viability.scorecard(case)
        assert (card["reading"] == "missing").sum() == 1
        assert card.loc[card["page"] == page, "reading"].eq("missing").all()
        assert viability.overall_reading(card) == "grow"  # the rest still all good


def test_without_the_kpi_page_there_is_no_reading():
    pages = {k: v for k, v in healthy().items() if k != viability.KPI_PAGE}
    card = viability.scorecard(pages)
    assert viability.overall_reading(card) == "missing"


def test_weak_kpis_and_half_weak_read_end_otherwise_sustain():
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis(
        {**ALL_FINE, 1: ("off track", 1.0), 2: ("off track", 5.0), 4: ("off track", 10.0)}
    )
    pages[viability.MARKET_PAGE].results["potential"].update(p10=1.0, p50=2.0)
    assert viability.overall_reading(viability.scorecard(pages)) == "sustain"  # 2 of 6 weak
    pages[viability.KPI_PAGE].results["rd_funding"]["attracted_eur_m"] = 1.0
    assert viability.overall_reading(viability.scorecard(pages)) == "end"  # 3 of 6 weak


def test_one_weak_dimension_stops_grow():
    pages = healthy()
    pages[viability.PARTNERS_PAGE].results["business_cases"]["missions_covered"] = 3
    assert viability.overall_reading(viability.scorecard(pages)) == "sustain"


def test_risks_take_the_worst_kpi_the_heaviest_threat_and_the_commonest_barrier():
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis({**ALL_FINE, 4: ("off track", 12.0), 2: ("at risk", 45.0)})
    pages[viability.SWOT_PAGE] = PageOutcome(
        viability.SWOT_PAGE,
        "SWOT",
        "ok",
        {"threats": [{"id": "T1", "name": "a", "weight": 0.1}, {"id": "T3", "name": "c", "weight": 0.3}]},
    )
    pages[viability.SURVEY_PAGE].results["barriers"] = [
        {"barrier": "regulation", "share_pct": 40.0},
        {"barrier": "funding", "share_pct": 55.0},
    ]
    risks = viability.biggest_risks(pages)
    assert [r.source for r in risks] == ["KPI forecasts", "weighted SWOT", "stakeholder survey"]
    assert risks[0].risk.startswith("KPI 4") and "12% chance" in risks[0].risk
    assert "T3" in risks[1].risk
    assert "funding (55%" in risks[2].risk


def test_an_off_track_matchmaking_kpi_leads_to_the_next_mission_and_its_lead():
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis({**ALL_FINE, 4: ("off track", 12.0)})
    pages[viability.MISSIONS_PAGE] = PageOutcome(
        viability.MISSIONS_PAGE,
        "Missions",
        "ok",
        {
            "next": [
                {"plan_id": "R1", "name": "Roadshow Canada", "kind": "roadshow", "market": "Canada", "lead": "OV"},
                {
                    "plan_id": "M6",
                    "name": "Mission 6: Israel",
                    "kind": "mission",
                    "market": "Israel",
                    "lead": "MEDICEN",
                    "planned": "2027-03-01",
                },
            ],
            "overdue": [
                {"plan_id": "M2", "name": "Mission 2", "kind": "mission", "lead": "HTS", "planned": "2026-01-10"}
            ],
        },
    )
    steps = viability.next_steps(pages)
    assert steps[0].step == "Plan matchmaking meetings at Mission 6: Israel (lead MEDICEN, planned 2027-03-01)"
    assert "KPI 4" in steps[0].because
    assert steps[1].step.startswith("Reschedule Mission 2 (lead HTS")
    assert len(steps) == 2  # nothing else is behind, overdue or short


def test_next_steps_are_capped_and_follow_the_order_of_the_rules():
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis(
        {**ALL_FINE, 2: ("off track", 5.0), 7: ("at risk", 50.0), 4: ("off track", 1.0)}
    )
    pages[viability.NETWORK_PAGE].results["affiliates"]["markets_short"] = ["Japan"]
    pages[viability.MISSIONS_PAGE] = PageOutcome(
        viability.MISSIONS_PAGE,
        "Missions",
        "ok",
        {"next": [{"name": "E-OV", "kind": "matchmaking", "lead": "OV"}], "overdue": []},
    )
    pages[viability.SCOUTING_PAGE] = PageOutcome(
        viability.SCOUTING_PAGE, "Scouting", "ok", {"gaps": [{"technology_use": "OCT", "market": "Japan"}]}
    )
    steps = viability.next_steps(pages)
    # KPI 4, 2, 7 by their chance; no second step for the markets short of affiliates; the scouts' gap
    assert [s.step.split()[0] for s in steps] == ["Plan", "Sign", "Turn", "Look"]
    assert steps[1].step == "Sign MoUs with affiliates in Japan"
    pages[viability.MISSIONS_PAGE].results["overdue"] = [{"name": f"M{k}", "lead": "OV"} for k in range(3)]
    assert [s.step.split()[0] for s in viability.next_steps(pages)] == [
        "Plan",
        "Sign",
        "Turn",
        "Reschedule",
        "Reschedule",
    ]
    assert len(viability.next_steps(pages, limit=3)) == 3


def test_a_page_that_built_without_the_figure_reads_not_collected():
    pages = healthy()
    pages[viability.SURVEY_PAGE].results["sentiment"] = None  # no survey yet
    pages[viability.NETWORK_PAGE].results["ties"]["chance_pct"] = None  # no forecast yet
    found = readings(pages)
    assert found["Stakeholder sentiment"] == "not collected"
    assert found["Value network"] == "not collected"
    assert viability.overall_reading(viability.scorecard(pages)) == "grow"


def test_a_percent_target_is_named_with_its_unit_and_tiny_chances_are_not_zero():
    pages = healthy()
    kpis = _kpis({**ALL_FINE, 6: ("off track", 0.2)})
    kpis[5]["unit"], kpis[5]["target"] = "percent", 20.0
    pages[viability.KPI_PAGE].results["kpis"] = kpis
    assert viability.biggest_risks(pages)[0].risk == "KPI 6 (KPI 6 text) is off track: under 1% chance of reaching 20%"


def test_the_market_figure_is_no_more_precise_than_its_range():
    pages = healthy()
    pages[viability.MARKET_PAGE].results["potential"].update(p50=79.2, p10=37.8, p90=140.6)
    figure = viability.scorecard(pages).set_index("dimension").loc["Market potential", "figure"]
    assert figure == "partnership sales in 2026: median about EUR 80 m (P10-P90 40-140)"


def test_a_cluster_edition_leaves_the_reading_risks_and_steps_to_the_partnership(monkeypatch):
    from lasergo.pages import viability as page

    recorded: dict = {}
    monkeypatch.setattr(page, "record_result", lambda key, value: recorded.__setitem__(key, value))
    pages = healthy()
    pages[viability.KPI_PAGE].results["kpis"] = _kpis(dict.fromkeys(range(1, 8), ("off track", 1.0)))
    card = viability.scorecard(pages)
    page.answer(card, "LITEK")
    page.scorecard_table(card, {}, "LITEK")
    page.risks_list(pages, "LITEK")
    page.steps_list(pages, "LITEK")
    assert recorded["reading"] == "partnership only"
    assert {row["reading"] for row in recorded["scorecard"]} == {"partnership only"}
    assert recorded["risks"] == [] and recorded["next_steps"] == []
    page.answer(card)
    assert recorded["reading"] == viability.overall_reading(card) == "sustain"
