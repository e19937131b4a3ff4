"""The file review queue from the console: list, look at, share or keep internal, caption.

Nothing is visible to customers until it is shared; the queue lists what waits, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.api_client import ApiClient
from app.file_count import PATH
from server.wire.base import Page
from server.wire.files import BulkFileReviewResult, FileOut

PAGE = 200


async def queue(
    api: ApiClient, status: str = "pending", cursor: str | None = None
) -> Page[FileOut]:
    """One page of files with a review status, oldest first."""
    params: dict[str, object] = {"status": status, "limit": PAGE}
    if cursor:
        params["cursor"] = cursor
    return Page[FileOut].model_validate(await api.get_json(PATH, params=params))


async def content(api: ApiClient, kind: str, file_id: int) -> bytes:
    """The file's bytes, to show a thumbnail or a page preview."""
    response = await api.request("GET", f"{PATH}/{kind}/{int(file_id)}/content")
    return response.content


async def one(api: ApiClient, kind: str, file_id: int) -> FileOut:
    """One file and its review state (who shared it and when)."""
    return FileOut.model_validate(await api.get_json(f"{PATH}/{kind}/{int(file_id)}"))


async def review(
    api: ApiClient, kind: str, file_id: int, decision: str, caption: str | None = None
) -> FileOut:
    """Share one file (``shareable``) or keep it internal (``rejected``), with a caption."""
    body: dict[str, object] = {"decision": decision}
    if caption is not None:
        body["caption"] = caption
    response = await api.request("POST", f"{PATH}/{kind}/{int(file_id)}/review", json=body)
    return FileOut.model_validate(response.json())


async def review_many(
    api: ApiClient, files: Sequence[tuple[str, int]], decision: str
) -> list[FileOut]:
    """One decision for many files, 500 to a request; each request is all or nothing."""
    done: list[FileOut] = []
    items = list(dict.fromkeys(files))
    for start in range(0, len(items), 500):
        part = [{"kind": k, "id": int(i)} for k, i in items[start : start + 500]]
        response = await api.request(
            "POST", f"{PATH}/review", json={"decision": decision, "files": part}
        )
        done.extend(BulkFileReviewResult.model_validate(response.json()).data)
    return done
