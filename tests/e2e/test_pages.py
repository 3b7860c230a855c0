"""The beamtime's other pages in a real browser: chemicals, experiment types with data sets
that fill as the DAQ writes runs, the schedule behind "on shift", members and tokens."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Server

LIVE_MS = 2000


def _signed_in(browser: Any, server: Server) -> Page:
    page: Page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(server.url + "/signin")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Beamtimes")).to_be_visible()
    return page


def _beamtime(daq: Any) -> int:
    body = {"external_id": "pages", "start": "2026-11-20T08:00:00Z", "end": "2030-01-01T00:00:00Z"}
    response = daq.post("/api/beamtimes", json=body)
    assert response.status_code == 201, response.text
    bt: int = response.json()["id"]
    attributo = {
        "name": "distance",
        "associated_table": "run",
        "type": {"kind": "decimal", "unit": "mm"},
    }
    assert daq.post(f"/api/beamtimes/{bt}/attributi", json=attributo).status_code == 201
    return bt


def test_chemicals_data_sets_schedule_and_access(server: Server, browser: Any) -> None:
    page = _signed_in(browser, server)
    with server.daq() as daq:
        bt = _beamtime(daq)

        page.goto(f"{server.url}/beamtimes/{bt}/chemicals")
        page.get_by_role("button", name="New chemical").click()
        form = page.get_by_role("form", name="New chemical")
        form.get_by_label("Name").fill("lysozyme")
        form.get_by_label("Responsible person").fill("Alice")
        form.get_by_role("button", name="Create").click()
        expect(page.get_by_role("cell", name="lysozyme")).to_be_visible()

        page.goto(f"{server.url}/beamtimes/{bt}/experiment-types")
        page.get_by_role("button", name="New experiment type").click()
        form = page.get_by_role("form", name="New experiment type")
        form.get_by_label("Name").fill("SFX")
        form.get_by_label("distance").check()
        form.get_by_role("button", name="Create").click()
        data_set_form = page.get_by_role("form", name="New data set of SFX")
        data_set_form.get_by_label("distance").fill("120")
        data_set_form.get_by_role("button", name="Add data set").click()
        expect(page.get_by_text("none yet")).to_be_visible()
        # The DAQ measures at 120 mm: the data set fills without a reload.
        run = {"attributi": {"distance": 120}, "experiment_type_id": None}
        type_id = daq.get(f"/api/beamtimes/{bt}/experiment-types").json()["items"][0]["id"]
        run["experiment_type_id"] = type_id
        assert daq.post(f"/api/beamtimes/{bt}/runs", json=run).status_code == 201
        expect(page.get_by_role("link", name="1", exact=True)).to_be_visible(timeout=LIVE_MS)

        page.goto(f"{server.url}/beamtimes/{bt}/schedule")
        page.get_by_role("button", name="Add shift").click()
        page.get_by_label("People of shift 1").fill("alice, bob")
        page.get_by_role("button", name="Save schedule").click()
        expect(page.get_by_text("Saved.")).to_be_visible()
        page.goto(f"{server.url}/beamtimes/{bt}")
        expect(page.get_by_text("alice, bob")).to_be_visible()
        expect(page.get_by_text("Data set #1")).to_be_visible()

        page.goto(f"{server.url}/beamtimes/{bt}/access")
        page.get_by_label("User name to add").fill("bob")
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_label("Role of bob")).to_have_value("editor")
        page.get_by_label("Token name").fill("camera")
        page.get_by_role("button", name="Create token").click()
        expect(page.get_by_role("status")).to_contain_text("Copy the secret now")
        expect(page.get_by_role("cell", name="camera")).to_be_visible()
    page.context.close()


def test_the_history_of_a_run_shows_its_own_changes(server: Server, browser: Any) -> None:
    page = _signed_in(browser, server)
    with server.daq() as daq:
        bt = _beamtime(daq)
        for number in (1, 2):
            body = {"attributi": {"distance": 100 + number}}
            assert daq.put(f"/api/beamtimes/{bt}/runs/{number}", json=body).status_code == 201
        edit = {"attributi": {"distance": 150}}
        assert daq.patch(f"/api/beamtimes/{bt}/runs/1", json=edit).status_code == 200
        assert daq.patch(f"/api/beamtimes/{bt}/runs/2", json=edit).status_code == 200

        page.goto(f"{server.url}/beamtimes/{bt}/runs")
        page.locator('tr[data-run="1"]').get_by_role("button", name="1", exact=True).click()
        history = page.get_by_role("complementary", name="History of run 1")
        expect(history).to_contain_text("distance: 101 → 150")
        expect(history.locator("ol.history > li")).to_have_count(2)
        expect(history.locator("ol.history > li").first).to_contain_text("updated")


def test_bulk_edit_sets_an_attributo_and_the_experiment_type(server: Server, browser: Any) -> None:
    page = _signed_in(browser, server)
    with server.daq() as daq:
        bt = _beamtime(daq)
        for number in (1, 2, 3):
            assert daq.put(f"/api/beamtimes/{bt}/runs/{number}", json={}).status_code == 201
        created = daq.post(
            f"/api/beamtimes/{bt}/experiment-types", json={"name": "SFX", "attributi": []}
        )
        assert created.status_code == 201, created.text

        page.goto(f"{server.url}/beamtimes/{bt}/runs")
        page.get_by_label("Select run 1").click()
        page.get_by_label("Select run 2").click(modifiers=["Shift"])
        form = page.get_by_role("form", name="Edit selected runs")
        expect(form).to_contain_text("2 runs selected")
        form.get_by_label("Set").select_option(label="distance")
        form.get_by_label("New value").fill("123")
        form.get_by_role("button", name="Apply to selection").click()
        expect(form).to_contain_text("2 of 2 runs changed.")
        form.get_by_label("Set").select_option(label="experiment type")
        expect(form).not_to_contain_text("runs changed")  # a new edit starts without a result
        form.get_by_label("New experiment type").select_option(label="SFX")
        form.get_by_role("button", name="Apply to selection").click()
        expect(form).to_contain_text("2 of 2 runs changed.")

        runs = daq.get(f"/api/beamtimes/{bt}/runs?limit=all").json()["items"]
        by_number = {run["number"]: run for run in runs}
        type_id = created.json()["id"]
        assert [by_number[n]["experiment_type_id"] for n in (1, 2, 3)] == [type_id, type_id, None]
        assert [by_number[n]["attributi"].get("distance") for n in (1, 2, 3)] == [123, 123, None]
