"""Every Qt model of the console passes pytest-qt's model tester, in each state it shows."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from app.customer_search import CustomerIndex
from tests.support.customer_rows import make_rows
from ui.models.customers import CustomerTableModel
from ui.panels.access.records_model import RecordsModel


def test_the_customer_table_model_empty_full_searched_sorted_and_patched(qtbot):
    model = CustomerTableModel()
    ModelTester(qtbot).check(model, force_py=True)  # empty: nothing cached yet
    rows = make_rows(300)
    model.set_index(CustomerIndex(rows))
    ModelTester(qtbot).check(model, force_py=True)
    assert model.rowCount() == 300 and model.columnCount() == 5
    model.set_filter(rows[0].name.split()[0].lower(), None)
    ModelTester(qtbot).check(model, force_py=True)
    assert 0 < model.rowCount() < 300
    model.set_filter("", frozenset({"active"}))
    ModelTester(qtbot).check(model, force_py=True)
    model.set_filter("no such customer at all", None)
    assert model.rowCount() == 0
    ModelTester(qtbot).check(model, force_py=True)
    model.set_filter("", None)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    ModelTester(qtbot).check(model, force_py=True)
    model.update_rows([replace(rows[5], name="Renamed Customer")])
    ModelTester(qtbot).check(model, force_py=True)
    assert model.row_at(model.row_of_customer(rows[5].id)).name == "Renamed Customer"


def test_the_records_model_empty_filled_appended_and_replaced(qtbot):
    model = RecordsModel([("Email", lambda r: r.get("email")), ("Result", lambda r: r["outcome"])])
    ModelTester(qtbot).check(model, force_py=True)
    model.set_records([{"email": f"a{i}@example.com", "outcome": "invited"} for i in range(5)])
    ModelTester(qtbot).check(model, force_py=True)
    model.append([{"email": None, "outcome": "skipped"}])
    ModelTester(qtbot).check(model, force_py=True)
    model.replace(0, {"email": "b@example.com", "outcome": "failed"})
    ModelTester(qtbot).check(model, force_py=True)
    assert model.rowCount() == 6 and model.columnCount() == 2
    model.set_records([])
    ModelTester(qtbot).check(model, force_py=True)
