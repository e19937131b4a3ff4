"""The HTTP side of optimistic concurrency: the ``If-Match`` header and the ``ETag`` answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from server.domain.concurrency import etag

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag last read; required on every write to shared settings.",
    ),
]


def set_etag(response: Response, version: int) -> None:
    """Answer with the ETag of the version now current."""
    response.headers["ETag"] = etag(version)
