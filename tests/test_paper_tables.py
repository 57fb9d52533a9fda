"""Every packaged paper table (`adios_nb/paper/<paper>_<table>.csv`) follows the shared long-format schema."""
import pytest

from adios_nb.report import PAPER_COLUMNS, PAPER_KEYS, available_paper_tables, paper_table

TABLES = available_paper_tables()


def test_adios_tables_are_all_there():
    assert [t for t in TABLES if t.startswith("adios_")] == [f"adios_table{i}" for i in range(1, 8)]


@pytest.mark.parametrize("name", TABLES)
def test_schema(name):
    table = paper_table(name)
    assert tuple(table.columns) == PAPER_COLUMNS
    paper, table_name = name.split("_", 1)
    assert set(table["paper"]) == {paper} and set(table["table"]) == {table_name}, "paper/table columns match the file"
    assert table["mean"].notna().all(), "every row is a printed cell with a value"
    assert (table["std"].dropna() >= 0).all()
    duplicated = table[table.duplicated(list(PAPER_KEYS), keep=False)]
    assert duplicated.empty, f"key columns do not identify a cell:\n{duplicated}"

