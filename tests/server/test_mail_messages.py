"""Rendering of the invite, reset and receipt emails (no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from server.domain.messages import invite_message, receipt_message, reset_message, text_on
from server.wire.branding import Branding

LINK = "https://portal.example.com/p/acme-heating/invite/tok123"


def brand(**kw: object) -> Branding:
    return Branding(brand_name="Acme & Sons", **kw)  # type: ignore[arg-type]


def test_staff_written_invite_text_is_escaped_in_html() -> None:
    b = brand(
        invite_subject="Welcome {contact_name}\r\nBcc: victim@example.com",
        invite_message="Hi {contact_name},\n\n<script>alert(1)</script> see {customer_name}.",
    )
    m = invite_message(b, "Jo <b>", "Jo's House", LINK)
    assert m.subject == "Welcome Jo <b> Bcc: victim@example.com"  # one header line
    assert "<script>" not in m.html and "&lt;script&gt;" in m.html
    assert "Jo &lt;b&gt;" in m.html and "Jo&#39;s House" in m.html
    assert "<script>alert(1)</script>" in m.text  # plain text is never read as markup
    assert m.link == LINK and m.html.count(LINK) >= 2


def test_logo_and_contact_details() -> None:
    b = brand(
        logo_file_id=42, phone="555 0199", email="hi@acme.example", website="https://acme.example"
    )
    m = reset_message(b, "Jo", "https://portal.example.com/p/acme-heating/reset/abc")
    assert 'src="https://portal.example.com/p/acme-heating/logo/42"' in m.html
    assert 'alt="Acme &amp; Sons"' in m.html
    for part in (m.text, m.html):
        assert "555 0199" in part and "hi@acme.example" in part and "https://acme.example" in part
        assert "one hour" in part
    no_logo = reset_message(brand(), "Jo", "https://portal.example.com/p/acme-heating/reset/abc")
    assert "<img" not in no_logo.html and "Acme &amp; Sons" in no_logo.html


def test_header_text_colour_keeps_contrast() -> None:
    assert text_on("#1f5f8b") == "#ffffff"
    assert text_on("#f2c94c") == "#111111"
    light = invite_message(brand(primary_color="#f2f2f2"), "Jo", "Jo", LINK)
    assert "color:#111111" in light.html


def test_receipt() -> None:
    m = receipt_message(
        brand(),
        "Jo",
        invoice_number="INV-7",
        receipt_number="R-000042",
        amount_cents=123_456,
        currency="USD",
        paid_at=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
        balance_cents=0,
        link="https://portal.example.com/p/acme-heating/receipts/42",
        card="Visa ending 4242",
    )
    assert m.subject == "Receipt for your payment of $1,234.56 to Acme & Sons"
    for part in (m.text, m.html):
        assert "$1,234.56" in part and "R-000042" in part and "INV-7" in part
        assert "March 4, 2026" in part and "Visa ending 4242" in part and "$0.00" in part
        assert "TEST MODE" not in part
