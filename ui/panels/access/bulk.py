"""Rollout: invite many contacts at once, dry run first, then a cancellable chunked run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import access
from app.access import BulkRun
from app.csv_io import emails_in, read_emails, write_csv
from app.pilot_group import pilot_group
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.access.records_model import RecordsModel

OUTCOMES = {
    "would_invite": "Would be invited",
    "invited": "Invited",
    "no_email": "No email address",
    "invalid_email": "Email looks wrong",
    "email_shared": "Email shared with another customer",
    "email_taken": "Email used by another portal account",
    "already_invited": "Already invited",
    "already_active": "Already active",
    "disabled": "Access disabled",
    "not_found": "Not found",
    "unknown_email": "No customer has this email",
    "not_done": "Not done",
}
RESULT_COLUMNS = [
    ("Contact", lambda r: r.get("contact_name")),
    ("Email", lambda r: r.get("email")),
    ("Result", lambda r: OUTCOMES.get(r.get("outcome", ""), r.get("outcome"))),
    ("Detail", lambda r: r.get("detail")),
]


class BulkInviteView(QWidget):
    """Pick contacts (current list, pasted emails, pilot group), dry run, then invite."""

    def __init__(
        self,
        ctx: PanelContext,
        current_rows: Callable[[], list[Any]],
        all_rows: Callable[[], Iterable[Any]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current_rows = current_rows
        self.all_rows = all_rows
        self.contact_ids: list[int] = []
        self.unknown: list[str] = []
        self.run: BulkRun | None = None
        self.task: asyncio.Task[Any] | None = None
        layout = QVBoxLayout(self)

        lead = QLabel(
            "Invite many contacts at once. Choose who, look at the dry run, then send. "
            "Contacts who cannot be invited are listed with the reason and skipped."
        )
        lead.setWordWrap(True)
        layout.addWidget(lead)
        sources = QHBoxLayout()
        self.from_list = QPushButton("Use the customers in the list")
        self.from_list.clicked.connect(self.use_current_list)
        sources.addWidget(self.from_list)
        self.pilot_jobs = QSpinBox(minimum=2, maximum=50, value=3)
        self.pilot_jobs.setSuffix(" jobs or more in the last 12 months")
        self.pilot = QPushButton("Pilot group: repeat customers with")
        self.pilot.clicked.connect(self.use_pilot_group)
        sources.addWidget(self.pilot)
        sources.addWidget(self.pilot_jobs)
        sources.addStretch(1)
        layout.addLayout(sources)
        paste_row = QHBoxLayout()
        self.paste = QPlainTextEdit()
        self.paste.setObjectName("pastedEmails")
        self.paste.setPlaceholderText("…or paste email addresses (one per line, or a CSV)")
        self.paste.setFixedHeight(64)
        paste_row.addWidget(self.paste, 1)
        col = QVBoxLayout()
        self.use_paste = QPushButton("Use these emails")
        self.use_paste.clicked.connect(lambda: self.use_emails(emails_in(self.paste.toPlainText())))
        col.addWidget(self.use_paste)
        self.import_csv = QPushButton("Import CSV…")
        self.import_csv.clicked.connect(self._choose_csv)
        col.addWidget(self.import_csv)
        paste_row.addLayout(col)
        layout.addLayout(paste_row)

        self.summary = QLabel("Nobody chosen yet.")
        self.summary.setObjectName("bulkSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        run_row = QHBoxLayout()
        self.dry_run = QPushButton("Dry run")
        self.dry_run.clicked.connect(lambda: self.start(dry_run=True))
        self.send = QPushButton("Send invites")
        self.send.setObjectName("sendInvites")
        self.send.clicked.connect(lambda: self.start(dry_run=False))
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self.cancel_run)
        self.export = QPushButton("Export CSV…")
        self.export.clicked.connect(self._choose_export)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        for w in (self.dry_run, self.send, self.cancel, self.progress, self.export):
            run_row.addWidget(w)
        layout.addLayout(run_row)
        self.model = RecordsModel(RESULT_COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("bulkResults")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for c, width in enumerate((200, 260, 220)):
            self.table.setColumnWidth(c, width)
        layout.addWidget(self.table, 1)
        self._set_running(False)

    # -- choosing ------------------------------------------------------------------------------

    def _choose(self, contact_ids: list[int], what: str) -> None:
        self.contact_ids = list(dict.fromkeys(contact_ids))
        self.run = None
        self.model.set_records(
            [
                {"email": e, "outcome": "unknown_email", "detail": "Not in the customer list."}
                for e in self.unknown
            ]
        )
        extra = f" {len(self.unknown)} pasted emails match no customer." if self.unknown else ""
        self.summary.setText(f"{len(self.contact_ids):,} contacts chosen {what}.{extra}")
        self._set_running(False)

    def use_current_list(self) -> None:
        """The primary contacts of the customers the list shows now."""
        self.unknown = []
        rows = self.current_rows()
        self._choose(
            [r.primary_contact_id for r in rows if r.primary_contact_id],
            "from the customer list",
        )

    def use_emails(self, emails: list[str]) -> None:
        """The contacts whose email is in a pasted or imported list."""
        by_email = {
            (r.primary_email or "").lower(): r.primary_contact_id
            for r in self.all_rows()
            if r.primary_email and r.primary_contact_id
        }
        self.unknown = [e for e in emails if e not in by_email]
        self._choose([by_email[e] for e in emails if e in by_email], "from the emails")

    def use_pilot_group(self) -> None:
        """Repeat customers, from the jobs the console has synced."""
        self.ctx.ops.run(self.choose_pilot_group(), label="Finding repeat customers")

    async def choose_pilot_group(self) -> None:
        """Choose the pilot group (the jobs are read off the UI thread)."""
        self.unknown = []
        wanted = await pilot_group(self.ctx.cache, self.pilot_jobs.value(), datetime.now(UTC))
        rows = [r for r in self.all_rows() if r.id in wanted and r.primary_contact_id]
        self._choose([r.primary_contact_id for r in rows], "as the pilot group")

    def _choose_csv(self) -> None:
        dialog = QFileDialog(self, "Import emails", "", "CSV or text (*.csv *.txt);;All files (*)")
        dialog.fileSelected.connect(lambda p: self.use_emails(read_emails(Path(p))))
        dialog.open()

    def _choose_export(self) -> None:
        dialog = QFileDialog(self, "Export results", "invite-results.csv", "CSV (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda p: self.export_csv(Path(p)))
        dialog.open()

    def export_csv(self, path: Path) -> None:
        """Write the result table to a CSV file."""
        write_csv(path, self.model.as_rows())

    # -- running -------------------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        chosen = bool(self.contact_ids)
        can = self.ctx.session.can(Permission.BULK_INVITE)
        self.dry_run.setEnabled(chosen and not running and can)
        dry_ok = self.run is not None and self.run.dry_run
        self.send.setEnabled(chosen and not running and can and dry_ok)
        self.cancel.setEnabled(running)
        self.export.setEnabled(not running and self.model.rowCount() > 0)
        for w in (self.from_list, self.pilot, self.use_paste, self.import_csv):
            w.setEnabled(not running)

    def start(self, *, dry_run: bool) -> asyncio.Task[Any]:
        """Start a dry run or the real run over the chosen contacts."""
        ids = self.contact_ids
        if not dry_run and self.run is not None:
            # Send only to those the dry run said would be invited.
            ids = [r["contact_id"] for r in self.run.results if r["outcome"] == "would_invite"]
        self.run = BulkRun(dry_run)
        self.model.set_records([])
        self.progress.setRange(0, max(1, len(ids)))
        self.progress.setValue(0)
        self._set_running(True)
        label = "Checking who would be invited" if dry_run else "Sending invites"
        self.task = self.ctx.ops.run(
            self._execute(ids, dry_run), label=label, cancellable=True, key="bulk-invite"
        )
        return self.task

    async def _execute(self, ids: list[int], dry_run: bool) -> None:
        run = self.run
        assert run is not None
        seen = 0

        def progress(done: int, total: int) -> None:
            nonlocal seen
            self.model.append(run.results[seen:])
            seen = len(run.results)
            self.progress.setValue(done)
            self.ctx.ops.progress("Sending invites", done, total)

        try:
            await access.bulk_invite(self.ctx.api, ids, dry_run=dry_run, progress=progress, run=run)
        finally:
            self._finish(run, seen)
        if not dry_run:
            # The invited rows change status: let the list catch up now, not on the next tick.
            asyncio.get_running_loop().create_task(self._sync())

    async def _sync(self) -> None:
        try:
            await self.ctx.sync.sync_now()
        except Exception as exc:
            self.ctx.ops.report(exc)

    def _finish(self, run: BulkRun, seen: int) -> None:
        self.model.append(run.results[seen:])
        self.model.append(
            [
                {"contact_id": c, "outcome": "not_done", "detail": "Stopped before this one."}
                for c in run.not_done
            ]
        )
        counts = ", ".join(f"{n:,} {OUTCOMES.get(k, k).lower()}" for k, n in run.counts.items())
        head = "Dry run: " if run.dry_run else ""
        stopped = f" Stopped: {run.stopped}" if run.stopped else ""
        self.summary.setText(f"{head}{counts or 'nothing to do'}.{stopped}")
        self._set_running(False)

    def cancel_run(self) -> None:
        """Stop after the request in flight; what was done stays done and is listed."""
        if self.run is not None:
            self.run.cancel()
            self.cancel.setEnabled(False)
            self.summary.setText("Stopping after the batch being sent…")
