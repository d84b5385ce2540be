"""Quote elements: content kept whole, typed where the reference says what it is."""

from __future__ import annotations

from decimal import Decimal

from seventime_async._converter import structure, to_wire
from seventime_async.resources.quotes import QUOTES, Quote, QuoteElementType
from tests.resources.harness import examples_of, records_in


def _example_quote() -> tuple[dict, Quote]:
    wire = records_in(examples_of(QUOTES)[0]["body"])[0]
    return wire, structure(wire, Quote)


def test_a_rows_element_is_typed_and_its_raw_content_kept() -> None:
    wire, quote = _example_quote()
    rows = [e for e in quote.quote_elements if e.element_type_id == QuoteElementType.ROWS]
    assert rows
    typed = rows[0].rows
    assert typed is not None
    assert typed.total_amount == Decimal("500")
    assert typed.invoice_items[0].number_of_items == Decimal("5")  # "5" on the wire
    assert typed.hidden_columns == ["articleNumber"]
    assert rows[0].text is None
    assert to_wire(quote)["quoteElements"] == wire["quoteElements"]


def test_a_text_element_is_typed_and_other_types_are_not_guessed() -> None:
    _, quote = _example_quote()
    text = next(e for e in quote.quote_elements if e.element_type_id == QuoteElementType.TEXT)
    assert text.text is not None
    assert text.text.confirmation_text == ""
    assert text.rows is None
