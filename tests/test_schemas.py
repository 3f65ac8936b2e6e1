"""The schemas and their documentation."""

from lasergo.data.codes import split_codes
from lasergo.data.schemas import DOC_END, DOC_START, TABLES, markdown_doc
from tests.conftest import PROJECT


def test_data_readme_matches_the_schemas():
    text = (PROJECT / "data" / "README.md").read_text(encoding="utf-8")
    generated = text.split(DOC_START)[1].split(DOC_END)[0].strip()
    assert generated == markdown_doc().strip(), "data/README.md is out of date: run `make docs`"


def test_every_column_is_documented():
    for table in TABLES.values():
        for name, column in table.schema().columns.items():
            assert column.description, f"{table.name}.{name} has no description"
            assert "example" in column.metadata, f"{table.name}.{name} has no example"


def test_split_codes():
    assert split_codes(" supplier ; integrator;") == ["supplier", "integrator"]
    assert split_codes(None) == []
    assert split_codes(float("nan")) == []
