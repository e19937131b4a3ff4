""" "Why is this visible?": the explanation's wording, with times in the business's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from app.preview_inspector import explain
from server.wire.files import FileOut
from server.wire.local_time import LocalFormat
from server.wire.visibility import VisibilityPolicy

REVIEWED = datetime(2026, 3, 3, 22, 5, tzinfo=UTC)  # 2:05 PM in Portland that day


def _photo(reviewed_at: datetime | None) -> FileOut:
    return FileOut(
        kind="photo",
        id=7,
        customer_id=3,
        customer_name="Whitfield household",
        job_id=None,
        title="Boiler after",
        filename="photo-7.jpg",
        content_type="image/jpeg",
        size=1000,
        review_status="shareable",
        reviewed_by_id=1,
        reviewed_at=reviewed_at,
        created_at=REVIEWED,
        reviewed_by_name="Sam Carter",
    )


def _explain(file: FileOut, formats: LocalFormat | None) -> list[str]:
    picked = {"text": "Boiler after", "file": "photo:7"}
    return explain(picked, VisibilityPolicy(), draft=False, file=file, formats=formats).lines


def test_review_time_is_the_business_local_time() -> None:
    lines = _explain(_photo(REVIEWED), LocalFormat("America/Los_Angeles", "en_US"))
    said = "This photo was reviewed and shared by Sam Carter on Tue, March 3, 2026, 2:05\u202fPM."
    assert lines == [said]


def test_without_a_time_zone_the_time_is_utc_and_says_so() -> None:
    lines = _explain(_photo(REVIEWED), None)
    assert lines[0].endswith("10:05\u202fPM UTC.")


def test_a_file_without_a_review_time_says_only_who() -> None:
    lines = _explain(_photo(None), LocalFormat("America/Los_Angeles", "en_US"))
    assert lines[0] == "This photo was reviewed and shared by Sam Carter."
