"""The reference tables hold the roadmap's facts (LASER-GO D5.1, 2017) and load with the right types."""

import shutil

import pandas as pd
import pytest

from lasergo.data import reference
from lasergo.data.codes import split_list
from lasergo.errors import InputError

TABLES = (
    "clusters",
    "sector_totals",
    "segments",
    "technology_uses",
    "markets",
    "missions",
    "matchmaking_events",
    "cluster_links",
    "kpi_targets",
    "funnel",
    "market_figures",
)


def test_six_clusters_three_per_sector_with_stated_sizes():
    clusters = reference.clusters().set_index("id")
    assert reference.CLUSTER_IDS == ("LITEK", "OV", "OPTENCE", "HTS", "MEDICEN", "BIOCAT")
    assert clusters["sector"].value_counts().to_dict() == {"photonics": 3, "health_tech": 3}
    assert set(clusters.index[clusters["sector"] == "photonics"]) == {"LITEK", "OV", "OPTENCE"}
    assert clusters["smes"].to_dict() == {
        "LITEK": 60,
        "OV": 150,
        "OPTENCE": 82,
        "HTS": 100,
        "MEDICEN": 200,
        "BIOCAT": 500,
    }
    assert clusters["rtos"].to_dict() == {"LITEK": 10, "OV": 10, "OPTENCE": 5, "HTS": 12, "MEDICEN": 10, "BIOCAT": 95}
    assert clusters["smes"].dtype == "int64" and clusters["rtos"].dtype == "int64"
    assert clusters.at["BIOCAT", "nuts_codes"] == "DE142"
    assert clusters.at["MEDICEN", "nuts_codes"] == "FR101;FR02;FR106"
    assert clusters.at["BIOCAT", "country"] == "Spain"
    assert clusters["country"].nunique() == 5


def test_sector_totals_are_the_stated_figures():
    totals = reference.sector_totals()
    smes = totals[totals["counts"] == "smes"].set_index(["scope", "source"])
    assert smes.loc[("photonics", "LASER-GO D5.1 (2017) §2.3"), "smes_stated"] == 342
    assert smes.loc[("photonics", "LASER-GO D5.1 (2017) §2.3"), "rtos_stated"] == 25
    assert smes.loc[("health_tech", "LASER-GO D5.1 (2017) §2.3"), "smes_stated"] == 650
    assert smes.loc[("health_tech", "LASER-GO D5.1 (2017) §2.3"), "rtos_stated"] == 75
    conclusion = smes.loc[("all", "LASER-GO D5.1 (2017) §3 Conclusions")]
    assert (conclusion["smes_stated"], conclusion["rtos_stated"]) == (1600, 100)
    section_1_1 = totals[totals["source"].str.endswith("§1.1")].iloc[0]
    assert section_1_1["counts"] == "companies"
    assert (section_1_1["smes_stated"], section_1_1["rtos_stated"]) == (1600, 120)
    assert "companies" in section_1_1["statement"]


def test_eight_missions_led_and_co_organised_by_two_different_clusters():
    missions = reference.missions()
    assert missions["mission"].tolist() == list(range(1, 9))
    assert missions["market"].tolist() == list(reference.TARGET_MARKET_IDS)
    assert set(missions["lead"]) <= set(reference.CLUSTER_IDS)
    assert set(missions["co_organiser"]) <= set(reference.CLUSTER_IDS)
    assert (missions["lead"] != missions["co_organiser"]).all()
    assert list(zip(missions["lead"], missions["co_organiser"])) == [
        ("OV", "MEDICEN"),
        ("HTS", "LITEK"),
        ("OV", "BIOCAT"),
        ("OPTENCE", "LITEK"),
        ("OPTENCE", "HTS"),
        ("MEDICEN", "BIOCAT"),
        ("LITEK", "OPTENCE"),
        ("BIOCAT", "MEDICEN"),
    ]
    assert missions["roadshow"].dtype == bool and missions["new_market"].dtype == bool
    assert missions.loc[missions["roadshow"], "mission"].tolist() == [3, 4, 5, 8]
    assert missions["new_market"].tolist() == [False] * 4 + [True] * 4
    roadshow_clusters = split_list(missions["roadshow_clusters"])
    assert roadshow_clusters.tolist() == [
        [],
        [],
        ["OV", "MEDICEN"],
        ["LITEK", "OPTENCE"],
        ["OPTENCE", "HTS"],
        [],
        [],
        ["BIOCAT", "MEDICEN"],
    ]
    assert "New Zealand" in missions.set_index("market").at["australia", "note"]


def test_kpi_targets():
    kpis = reference.kpi_targets()
    assert kpis["kpi"].tolist() == list(range(1, 8))
    assert kpis["target"].tolist() == [6, 6, 4, 6, 240, 20, 6]
    assert kpis.set_index("kpi")["unit"].to_dict() == {
        1: "count",
        2: "count",
        3: "count",
        4: "count",
        5: "count",
        6: "percent",
        7: "count",
    }


def test_35_technology_uses_in_the_roadmap_order_with_known_segments():
    uses = reference.technology_uses()
    assert uses["id"].tolist() == [f"T{i:02d}" for i in range(1, 36)]
    assert tuple(uses["id"]) == reference.TECHNOLOGY_IDS
    segments = split_list(uses["segments"])
    assert segments.map(len).min() >= 1
    assert {code for codes in segments for code in codes} <= set(reference.THEMATIC_SEGMENT_IDS)
    by_id = uses.set_index("id")
    assert by_id.at["T20", "name"] == "Optical coherence tomography"
    assert by_id.at["T20", "segments"] == "diagnostics_imaging"
    assert "biomaterials" in by_id.at["T07", "name"] and by_id.at["T07", "segments"] == "regenerative_biomaterials"
    assert by_id.at["T35", "name"] == "General laser components and systems"


def test_segments_and_markets_ids():
    assert reference.THEMATIC_SEGMENT_IDS == ("diagnostics_imaging", "sensing", "regenerative_biomaterials")
    assert set(reference.ALL_SEGMENT_IDS) == {
        *reference.THEMATIC_SEGMENT_IDS,
        "medical_devices",
        "medical_technology",
        "photonics",
    }
    assert reference.TARGET_MARKET_IDS == (
        "usa_west",
        "usa_east",
        "canada",
        "malaysia_singapore",
        "south_korea",
        "israel",
        "australia",
        "japan",
    )
    assert set(reference.ALL_MARKET_IDS) == {
        *reference.TARGET_MARKET_IDS,
        "world",
        "europe",
        "usa",
        "malaysia",
        "singapore",
        "new_zealand",
    }
    markets = reference.markets().set_index("id")
    assert markets.at["malaysia_singapore", "countries"] == "MY;SG"
    assert markets["mission"].dtype == "Int64" and markets.at["japan", "mission"] == 8
    assert markets.loc[markets["kind"] == "reference", "mission"].isna().all()


def test_activity_plan_has_the_18_items_of_tables_2_and_3():
    plan = reference.activity_plan()
    assert list(plan.columns) == reference.PLAN_COLUMNS
    assert plan["plan_id"].tolist() == [
        *(f"M{n}" for n in range(1, 9)),
        "R1",
        "R2",
        "R3",
        "R4",
        "E-LITEK",
        "E-OV",
        "E-OPTENCE",
        "E-HTS",
        "E-MEDICEN",
        "E-BIOCAT",
    ]
    assert plan["kind"].value_counts().to_dict() == {"mission": 8, "roadshow": 4, "matchmaking": 6}
    by_id = plan.set_index("plan_id")
    # missions: lead and co-organiser of Table 2; missions 5-8 go to new markets
    assert (by_id.at["M1", "market"], by_id.at["M1", "lead"], by_id.at["M1", "co_organisers"]) == (
        "usa_west",
        "OV",
        ["MEDICEN"],
    )
    assert by_id.loc[[f"M{n}" for n in range(1, 9)], "new_market"].tolist() == [False] * 4 + [True] * 4
    # roadshows numbered as the notes say: 1 Canada, 2 Malaysia and Singapore, 3 Japan, 4 South Korea
    assert by_id.loc[["R1", "R2", "R3", "R4"], "market"].tolist() == [
        "canada",
        "malaysia_singapore",
        "japan",
        "south_korea",
    ]
    assert (by_id.at["R2", "lead"], by_id.at["R2", "co_organisers"]) == ("LITEK", ["OPTENCE"])
    assert (by_id.at["R4", "lead"], by_id.at["R4", "co_organisers"]) == ("OPTENCE", ["HTS"])
    # matchmaking: each cluster leads its own, in Europe (no target market)
    matchmaking = plan[plan["kind"] == "matchmaking"]
    assert matchmaking["lead"].tolist() == list(reference.CLUSTER_IDS)
    assert matchmaking["market"].isna().all() and (matchmaking["co_organisers"].map(len) == 0).all()
    assert "Denmark" in by_id.at["E-LITEK", "name"]
    assert plan["source"].str.contains("§2.6").all()


def test_synonyms_give_the_name_first_and_no_name_to_two_ids():
    uses, markets = reference.synonyms("technology_uses"), reference.synonyms("markets")
    assert list(uses) == list(reference.TECHNOLOGY_IDS)
    assert uses["T20"][:2] == ["Optical coherence tomography", "OCT"]
    assert markets["south_korea"][:2] == ["South Korea", "Korea"]
    assert "California" in markets["usa_west"]
    assert markets["world"] == ["World"]  # a blank synonyms cell
    for table in (uses, {m: markets[m] for m in reference.TARGET_MARKET_IDS}):
        owners: dict[str, str] = {}
        for code, names in table.items():
            for name in names:
                assert owners.setdefault(name.lower(), code) == code, (name, code, owners[name.lower()])


def test_matchmaking_one_per_cluster():
    events = reference.matchmaking_events().set_index("cluster")
    assert sorted(events.index) == sorted(reference.CLUSTER_IDS)
    assert events.at["HTS", "countries"] == "Hungary or Germany"
    assert events.at["LITEK", "countries"] == "Denmark"


def test_cluster_links():
    links = reference.cluster_links()
    assert not links.duplicated(["cluster", "country", "kind"]).any()
    assert set(links["cluster"]) == set(reference.CLUSTER_IDS)
    assert links["country"].str.fullmatch(r"[A-Z]{2}").all()
    missions = links[links["kind"] == "mission"]
    assert set(missions.loc[missions["cluster"] == "BIOCAT", "country"]) == {"CN", "US", "JP", "KR", "BR", "AU"}
    established = links[links["kind"] == "established_link"]
    assert {"SG", "ZA"} <= set(established.loc[established["cluster"] == "LITEK", "country"])


def test_funnel_arithmetic_and_values():
    value = reference.funnel_value
    assert value("direct_smes") == value("clusters") * value("direct_smes_per_cluster") == 120
    assert value("target_smes") == value("direct_smes") + value("indirect_smes") == 240
    assert value("direct_smes") * value("direct_conversion") == 15
    assert value("indirect_smes") * value("indirect_conversion") == 6
    assert value("agreements_stated") == 21
    assert value("affiliate_nodes") == value("target_markets") * value("affiliates_per_market") == 16
    assert (value("ties_existing"), value("ties_planned")) == (36, 96)
    assert value("rd_share_of_revenue") == 0.15 and value("growth_high") == 0.15
    funnel = reference.funnel()
    assert funnel["value"].dtype == "float64"
    shares = funnel[funnel["unit"] == "share"]["value"]
    assert shares.between(0, 1).all()
    with pytest.raises(KeyError, match="no_such_parameter"):
        value("no_such_parameter")


def test_market_figures_use_known_ids_and_stated_values():
    figures = reference.market_figures()
    assert set(figures["market"]) <= set(reference.ALL_MARKET_IDS)
    assert set(figures["segment"]) <= set(reference.ALL_SEGMENT_IDS)
    assert set(figures["currency"]) == {"EUR", "USD"}
    indexed = figures.set_index(["market", "segment", "year"])
    assert indexed.at[("world", "photonics", 2015), "value_m"] == 447000
    assert indexed.at[("europe", "photonics", 2019), "value_m"] == 103000
    usa = indexed.loc[("usa", "medical_devices", 2015)]
    assert (usa["value_m"], usa["low_m"], usa["currency"]) == (140000, 140000, "USD")
    assert pd.isna(usa["high_m"]) and "more than" in usa["note"]
    assert indexed.at[("japan", "medical_devices", 2013), "value_m"] == 30200
    assert indexed.at[("malaysia", "medical_devices", 2015), "value_m"] == 1280
    assert indexed.at[("europe", "medical_technology", 2017), "currency"] == "EUR"
    assert figures["note"].str.contains("checked").all()
    assert figures["year"].dtype == "int64"


@pytest.mark.parametrize("name", TABLES)
def test_every_row_has_a_source(name):
    table = getattr(reference, name)()
    assert len(table) > 0
    assert table["source"].notna().all() and (table["source"].str.strip() != "").all()


def test_loaders_return_copies():
    first = reference.clusters()
    first.loc[0, "smes"] = 0
    assert reference.clusters().loc[0, "smes"] == 60


def test_split_list():
    series = pd.Series(["a;b", " c ", None, ""], dtype="str")
    assert split_list(series).tolist() == [["a", "b"], ["c"], [], []]


@pytest.fixture
def reference_copy(tmp_path):
    shutil.copytree(reference.REFERENCE_DIR, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_reference_dir_is_the_data_folder():
    assert reference.REFERENCE_DIR.name == "reference"
    assert (reference.REFERENCE_DIR / "clusters.csv").is_file()


@pytest.mark.parametrize(
    "file, old, new, where",
    [
        ("clusters.csv", "OV,OpticsValley", "LITEK,OpticsValley", r"clusters\.csv:3:id: duplicate"),
        ("clusters.csv", ",60,10,", ",sixty,10,", r"clusters\.csv:2:smes: expected a whole number, got 'sixty'"),
        ("clusters.csv", ",photonics,", ",optics,", r"clusters\.csv:2:sector: unknown sector.*'optics'"),
        ("clusters.csv", "rtos,", "rtoz,", r"clusters\.csv:1:rtos: missing column"),
        (
            "missions.csv",
            "1,usa_west,USA West Coast,OV,",
            "1,usa_west,USA West Coast,XX,",
            r"missions\.csv:2:lead: unknown cluster id.*'XX'",
        ),
        (
            "missions.csv",
            ",OV;MEDICEN,false,",
            ",OV;MEDICEN,no,",
            r"missions\.csv:4:new_market: expected true or false",
        ),
        (
            "technology_uses.csv",
            "T02,Image analysis,diagnostics_imaging",
            "T02,Image analysis,imaging",
            r"technology_uses\.csv:3:segments: unknown segment.*'imaging'",
        ),
        ("kpi_targets.csv", "240,count", ",count", r"kpi_targets\.csv:6:target: value is required"),
    ],
)
def test_broken_table_names_file_row_and_column(reference_copy, file, old, new, where):
    path = reference_copy / file
    _edit(path, old, new)
    assert path.read_text(encoding="utf-8").count(new) >= 1
    with pytest.raises(InputError, match=where):
        reference.read_table(file.removesuffix(".csv"), reference_copy)


def test_read_table_matches_cached_loader():
    pd.testing.assert_frame_equal(reference.read_table("missions"), reference.missions())
