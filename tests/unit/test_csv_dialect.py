"""The delimiter of an import file, told from its header; and the schema records."""

from __future__ import annotations

import pytest

from tui_pos.domain.csv_dialect import DelimiterError, detect_delimiter
from tui_pos.domain.output_schema import Field, Schema
from tui_pos.services.customer_import import OPTIONAL as CUSTOMER_OPTIONAL
from tui_pos.services.product_import import OPTIONAL, READ_ONLY, REQUIRED

PRODUCT_COLUMNS = (*REQUIRED, *OPTIONAL, *READ_ONLY)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_told_from_the_header(delimiter: str) -> None:
    header = delimiter.join(PRODUCT_COLUMNS) + "\n"
    assert detect_delimiter(header, PRODUCT_COLUMNS) == delimiter


def test_names_are_compared_without_case_spaces_or_quotes() -> None:
    assert detect_delimiter(' "Name" ; PHONE ;email\r\n', ("name", *CUSTOMER_OPTIONAL)) == ";"


def test_a_comma_inside_a_semicolon_header_does_not_fool_it() -> None:
    # a comma file would split this into "barcode;name" and "price;tax..." (no known name)
    header = "barcode;name;price;tax;category;stock;note,extra\n"
    assert detect_delimiter(header, PRODUCT_COLUMNS) == ";"


def test_a_one_column_file_is_read_as_comma_separated() -> None:
    assert detect_delimiter("name\n", ("name",)) == ","


def test_unknown_names_with_one_delimiter_use_it() -> None:
    # the importer then reports the unknown columns, which is the real problem
    assert detect_delimiter("foo;bar\n", PRODUCT_COLUMNS) == ";"


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("barcode,name;price,tax;category\n", "comma or semicolon"),
        ("foo;bar\tbaz\n", "semicolon or tab"),
    ],
)
def test_a_header_that_two_delimiters_explain_is_refused(header: str, named: str) -> None:
    with pytest.raises(DelimiterError, match=f"separated by {named}"):
        detect_delimiter(header, PRODUCT_COLUMNS)


def test_a_record_has_exactly_the_declared_keys_in_order() -> None:
    schema = Schema("t", "cmd", ("json",), "", (Field("b", "count", ""), Field("a", "text", "")))
    assert list(schema.record(a="x", b=1)) == ["b", "a"]
    with pytest.raises(ValueError, match="missing"):
        schema.record(b=1)
    with pytest.raises(ValueError, match="unknown"):
        schema.record(a="x", b=1, c=2)
