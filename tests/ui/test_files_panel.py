"""The File review panel: the queue with thumbnails and page previews, a caption, one file
shared, several kept internal at once, the count in the sidebar, and who may review."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.customers_see_harness import (  # noqa: F401  (fixtures)
    Harness,
    screenshot,
    see_fixture,
    see_server_fixture,
)


def _sidebar_text(window, key: str) -> str:  # type: ignore[no-untyped-def]
    for i in range(window.sidebar.count()):
        item = window.sidebar.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == key:
            return str(item.text())
    raise AssertionError(key)


def test_review_queue(see: Harness) -> None:
    made = see.add_pending_files(documents=1, photos=2)
    window = see.window("manager")
    see.call(lambda: window.select_panel("files"))
    panel = window.panels["files"]
    v = panel.view
    see.wait(lambda: v.list.count() == 5)  # the customer's own two plus three new ones
    assert _sidebar_text(window, "files") == "File review (5)"
    see.wait(lambda: panel._thumbs._value == 4)  # every thumbnail fetched
    # One photo: its picture, a caption, shared.
    photo = made[1]
    row = next(i for i in range(v.list.count()) if tuple(v.list.item(i).data(256)) == photo)
    see.call(lambda: v.list.setCurrentRow(row))
    see.wait(lambda: v.pages.pixmap() is not None and not v.pages.pixmap().isNull())
    screenshot(window, "files-full")
    see.call(lambda: v.caption.setText("New valve, fitted"))
    see.call(lambda: v.share.click())
    assert "1 file shared with the customer" in v.note.text()
    got = see.api("manager").get(f"/api/v1/files/photo/{photo[1]}").json()
    assert got["review_status"] == "shareable" and got["title"] == "New valve, fitted"
    assert _sidebar_text(window, "files") == "File review (4)"
    # The PDF shows its page.
    doc_row = next(i for i in range(v.list.count()) if tuple(v.list.item(i).data(256)) == made[0])
    see.call(lambda: v.list.setCurrentRow(doc_row))
    see.wait(lambda: v.pages.pixmap() is not None and not v.pages.pixmap().isNull())
    screenshot(window, "files-pdf")
    # Everything left, kept internal at once.
    see.call(v.list.selectAll)
    assert v.keep.text() == "Keep 4 internal" and not v.caption.isEnabled()
    see.call(lambda: v.keep.click())
    assert "4 files kept internal" in v.note.text()
    assert see.api().get("/api/v1/files", params={"status": "pending"}).json()["count"] == 0
    assert _sidebar_text(window, "files") == "File review"
    assert v.empty.isVisible() and "Nothing waits" in v.empty.text()
    # No file is picked: no page of an earlier pick arrives late in the viewer.
    assert v.pages.pixmap() is None or v.pages.pixmap().isNull()
    screenshot(window, "files-empty")
    window.resize(760, 600)
    screenshot(window, "files-narrow")


def test_a_document_keeps_a_title_and_nothing_changes(see: Harness) -> None:
    made = see.add_pending_files(documents=1, photos=0)
    window = see.window("owner")
    see.call(lambda: window.select_panel("files"))
    panel = window.panels["files"]
    v = panel.view
    see.wait(lambda: v.list.count() == 3)
    row = next(i for i in range(v.list.count()) if tuple(v.list.item(i).data(256)) == made[0])
    see.call(lambda: v.list.setCurrentRow(row))
    see.call(lambda: v.caption.setText("   "))
    see.call(lambda: v.share.click())
    assert "needs a title" in v.note.text()
    got = see.api().get(f"/api/v1/files/document/{made[0][1]}").json()
    assert got["review_status"] == "pending"
    screenshot(window, "files-error")


def test_a_dispatcher_has_no_file_review(see: Harness) -> None:
    window = see.window("dispatcher")
    assert window.panel("files") is None
    assert "cannot use File review" in next(
        window.sidebar.item(i).toolTip()
        for i in range(window.sidebar.count())
        if window.sidebar.item(i).data(Qt.ItemDataRole.UserRole) == "files"
    )
