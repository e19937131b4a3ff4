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
from app.bulk_choice import (
    LINE_OUTCOMES,
    PastedChoice,
    contacts_from_records,
    match_pasted,
    pilot_customers,
    plural,
)
from app.csv_io import write_csv
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.access.records_model import RecordsModel

OUTCOMES = {
    "would_invite": "Would be invited",
    "invited": "Invited",
    "no_email": "No email address",
    "invalid_email": "Email has a problem",
    "email_shared": "Email shared with another customer",
    "email_taken": "Email used by another portal account",
    "already_invited": "Already invited",
    "already_active": "Already active",
    "disabled": "Access disabled",
    "not_found": "Not found",
    "not_done": "Not done",
    **LINE_OUTCOMES,
}
RESULT_COLUMNS = [
    ("Line", lambda r: r.get("line")),
    ("Contact", lambda r: r.get("contact_name")),
    ("Email", lambda r: r.get("email")),
    ("Result", lambda r: OUTCOMES.get(r.get("outcome", ""), r.get("outcome"))),
    ("Detail", lambda r: r.get("detail")),
]


class BulkInviteView(QWidget):
    """Pick contacts (current list, pasted emails, pilot group), dry run, then invite.

    Pasted lines that lead to nobody are listed with their reason above the contacts' results,
    in the dry run and in the real run alike.
    """

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
        self.skipped: list[dict[str, Any]] = []
        self.pasted: PastedChoice | None = None
        self.run: BulkRun | None = None
        self.task: asyncio.Task[Any] | None = None
        layout = QVBoxLayout(self)

        lead = QLabel(
            "Invite many contacts at once. Choose who, look at the dry run, then send. "
            "Contacts who cannot be invited are listed with the reason and skipped."
        )
        lead.setWordWrap(True)
        layout.addWidget(lead)
        self.held_note = QLabel(
            "The portal is coming soon: invites are held and their emails go out when the "
            "portal goes live. Each invite's 7 days start then."
        )
        self.held_note.setObjectName("formWarning")
        self.held_note.setWordWrap(True)
        self.held_note.setVisible(not ctx.session.portal_active)
        layout.addWidget(self.held_note)
        sources = QHBoxLayout()
        self.from_list = QPushButton("Use the customers in the list")
        self.from_list.setToolTip("The primary contact of each customer the list shows now.")
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
        self.paste.setPlaceholderText(
            "…or paste email addresses (one per line, or a CSV): every contact with that "
            "email is chosen, not only primary contacts"
        )
        self.paste.setFixedHeight(72)
        paste_row.addWidget(self.paste, 1)
        col = QVBoxLayout()
        self.use_paste = QPushButton("Use these emails")
        self.use_paste.clicked.connect(lambda: self.use_text(self.paste.toPlainText()))
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
        for w in (self.dry_run, self.send, self.cancel, self.progress):
            run_row.addWidget(w)
        run_row.addStretch(1)
        run_row.addWidget(self.export)
        layout.addLayout(run_row)
        self.model = RecordsModel(RESULT_COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("bulkResults")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for c, width in enumerate((44, 170, 220, 200)):
            self.table.setColumnWidth(c, width)
        layout.addWidget(self.table, 1)
        self._set_running(False)

    # -- choosing ------------------------------------------------------------------------------

    def _choose(self, contact_ids: list[int], summary: str) -> None:
        self.contact_ids = list(dict.fromkeys(contact_ids))
        self.run = None
        self.model.set_records(list(self.skipped))
        self.summary.setText(summary)
        self._set_running(False)

    def use_current_list(self) -> None:
        """The primary contacts of the customers the list shows now."""
        self.pasted, self.skipped = None, []
        rows = self.current_rows()
        ids = [r.primary_contact_id for r in rows if r.primary_contact_id]
        without = len(rows) - len(ids)
        text = f"{plural(len(ids), 'primary contact')} chosen from the customer list."
        if without:
            text += f" {plural(without, 'customer')} without a contact left out."
        self._choose(ids, text)

    def use_text(self, text: str) -> Any:
        """The contacts whose email is in pasted text or an imported file (every line listed)."""
        return self.ctx.ops.run(self._use_text(text), label="Matching emails", key="bulk-match")

    async def _use_text(self, text: str) -> None:
        # Decoding every cached contact is too much work for the window's thread.
        contacts = await asyncio.to_thread(self._contacts)
        choice = await asyncio.to_thread(match_pasted, text, contacts)
        self.pasted = choice
        self.skipped = [line.as_record() for line in choice.skipped]
        self._choose(choice.contact_ids, choice.summary())

    def _contacts(self) -> list[Any]:
        names = {r.id: r.name for r in self.all_rows()}
        return contacts_from_records(self.ctx.cache.records("contact"), names)

    def use_pilot_group(self) -> Any:
        """Repeat customers, from the jobs the console has synced."""
        return self.ctx.ops.run(self._use_pilot(), label="Finding repeat customers", key="pilot")

    async def _use_pilot(self) -> None:
        self.pasted, self.skipped = None, []
        jobs = await asyncio.to_thread(self.ctx.cache.records, "job")
        wanted = pilot_customers(jobs, self.pilot_jobs.value(), datetime.now(UTC))
        rows = [r for r in self.all_rows() if r.id in wanted and r.primary_contact_id]
        text = (
            f"{plural(len(rows), 'repeat customer')} with {self.pilot_jobs.value()} jobs or "
            "more in the last 12 months: their primary contacts are chosen."
        )
        self._choose([r.primary_contact_id for r in rows], text)

    def _choose_csv(self) -> None:
        dialog = QFileDialog(self, "Import emails", "", "CSV or text (*.csv *.txt);;All files (*)")
        dialog.fileSelected.connect(self.use_file)
        self._file_dialog = dialog
        dialog.open()

    def use_file(self, path: str) -> Any:
        """Read emails from a CSV or text file; a file that cannot be read is said so."""
        try:
            text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            self.summary.setText(f"Could not read {Path(path).name}: {exc.strerror or exc}.")
            return None
        return self.use_text(text)

    def _choose_export(self) -> None:
        dialog = QFileDialog(self, "Export results", "invite-results.csv", "CSV (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda p: self.export_csv(Path(p)))
        self._file_dialog = dialog
        dialog.open()

    def export_csv(self, path: Path) -> None:
        """Write the result table to a CSV file."""
        try:
            write_csv(path, self.model.as_rows())
        except OSError as exc:
            self.summary.setText(f"Could not write {path.name}: {exc.strerror or exc}.")

    # -- running -------------------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        chosen = bool(self.contact_ids)
        can = self.ctx.session.can(Permission.BULK_INVITE)
        self.dry_run.setEnabled(chosen and not running and can)
        dry_ok = self.run is not None and self.run.dry_run and not self.run.stopped
        would = dry_ok and any(r["outcome"] == "would_invite" for r in self.run.results)  # type: ignore[union-attr]
        self.send.setEnabled(chosen and not running and can and would)
        self.send.setToolTip("" if would else "Do a dry run first; it shows who would be invited.")
        self.cancel.setEnabled(running)
        # A bar only while something runs: a finished run's 100% says nothing about the next.
        self.progress.setVisible(running)
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
        self.model.set_records(list(self.skipped))
        self.progress.setRange(0, max(1, len(ids)))
        self.progress.setValue(0)
        self._set_running(True)
        label = "Checking who would be invited" if dry_run else "Sending invites"
        self.task = self.ctx.ops.run(
            self._execute(ids, dry_run, label), label=label, cancellable=True, key="bulk-invite"
        )
        return self.task

    async def _execute(self, ids: list[int], dry_run: bool, label: str) -> None:
        run = self.run
        assert run is not None
        seen = 0

        def progress(done: int, total: int) -> None:
            nonlocal seen
            self.model.append(run.results[seen:])
            seen = len(run.results)
            self.progress.setValue(done)
            self.ctx.ops.progress(label, done, total)

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
        self.summary.setText(self.outcome_text(run))
        self._set_running(False)

    def outcome_text(self, run: BulkRun) -> str:
        """What a run came to, counting the contacts and the pasted lines that led to nobody."""
        counts = "; ".join(f"{OUTCOMES.get(k, k).lower()}: {n:,}" for k, n in run.counts.items())
        skipped = "; ".join(
            f"{OUTCOMES[k].lower()}: {n:,}" for k, n in self._skipped_counts().items()
        )
        head = "Dry run of" if run.dry_run else "Sent to"
        text = f"{head} {plural(sum(run.counts.values()), 'contact')}"
        text += f". {counts[:1].upper()}{counts[1:]}." if counts else ": nobody to invite."
        if skipped:
            text += f" Pasted lines left out: {skipped}."
        if run.stopped:
            text += f" Stopped: {run.stopped}"
        if run.dry_run and not self.ctx.session.portal_active:
            text += " While the portal is coming soon, invites are held until it goes live."
        return text

    def _skipped_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for record in self.skipped:
            out[record["outcome"]] = out.get(record["outcome"], 0) + 1
        return out

    def cancel_run(self) -> None:
        """Stop after the request in flight; what was done stays done and is listed."""
        if self.run is not None:
            self.run.cancel()
            self.cancel.setEnabled(False)
            self.summary.setText("Stopping after the batch being sent…")
