"""A beamtime from the experimenters' side, in a real browser against a real server: sign in,
create a beamtime, let a DAQ start runs, edit a cell and watch the edit arrive in a second
browser, post a logbook entry with a pasted screenshot, and see the camera image change.

The steps depend on each other, so they form one test; the pictures it takes illustrate
docs/user-guide.md."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Server

# Acceptance: another person's edit, a new run and a new camera frame appear within 2 s.
LIVE_MS = 2000


def _frame(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _sign_in(page: Page, server: Server, user: str) -> None:
    page.goto(server.url + "/")
    # The beamtime list needs a session, so the app sends the visitor to the sign-in page.
    expect(page).to_have_url(f"{server.url}/signin?next=%2F")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Beamtimes")).to_be_visible()


def _create_beamtime(page: Page, shots: Path) -> int:
    page.get_by_role("link", name="New beamtime").click()
    page.get_by_label("Beamtime ID").fill("11019999")
    page.get_by_label("Title").fill("Lysozyme serial crystallography")
    page.get_by_label("Beamline").fill("P11")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.screenshot(path=shots / "01-new-beamtime.png")
    page.get_by_role("button", name="Create beamtime").click()
    expect(page.get_by_text("No runs yet")).to_be_visible()
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _define_attributi(page: Page, server: Server, bt: int, daq: Any, shots: Path) -> None:
    """People define the columns they type in; the DAQ defines its own."""
    page.goto(f"{server.url}/beamtimes/{bt}/attributi")
    for name, kind, unit in (
        ("sample", "string", ""),
        ("detector_distance", "decimal", "mm"),
        ("comment", "string", ""),
    ):
        page.get_by_role("button", name="New attributo").click()
        form = page.get_by_role("form", name="New attributo")
        form.get_by_label("Name").fill(name)
        form.get_by_label("Kind").select_option(kind)
        if unit:
            form.get_by_label("Unit").fill(unit)
            form.get_by_label("Minimum", exact=True).fill("0")
        if name == "comment":
            page.screenshot(path=shots / "01b-attributi.png")
        form.get_by_role("button", name="Create").click()
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    body = {
        "name": "frames",
        "group": "automatic",
        "associated_table": "run",
        "type": {"kind": "integer"},
    }
    response = daq.post(f"/api/beamtimes/{bt}/attributi", json=body)
    assert response.status_code == 201, response.text


def _start_runs(daq: Any, bt: int, count: int) -> None:
    for index in range(count):
        attributi = {"sample": "lysozyme", "detector_distance": 120 + index, "frames": 1000 * index}
        response = daq.post(f"/api/beamtimes/{bt}/runs", json={"attributi": attributi})
        assert response.status_code == 201, response.text
        response = daq.post(f"/api/beamtimes/{bt}/runs/latest/stop")
        assert response.status_code == 200, response.text


def _paste_image(page: Page) -> None:
    """What Ctrl+V of a screenshot does: a paste event carrying a PNG file."""
    page.evaluate(
        """async () => {
            const canvas = document.createElement("canvas");
            canvas.width = 80; canvas.height = 60;
            const context = canvas.getContext("2d");
            context.fillStyle = "#2a7"; context.fillRect(0, 0, 80, 60);
            const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
            const transfer = new DataTransfer();
            transfer.items.add(new File([blob], "screenshot.png", { type: "image/png" }));
            const box = document.querySelector('textarea[aria-label="Entry text"]');
            box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
        }"""
    )


def test_a_beamtime_from_sign_in_to_live_image(
    server: Server, browser: Any, screenshots: Path
) -> None:
    alice = browser.new_context(viewport={"width": 1400, "height": 900})
    bob = browser.new_context(viewport={"width": 1400, "height": 900})
    page = alice.new_page()
    other = bob.new_page()
    daq = server.daq()
    try:
        _sign_in(page, server, "alice")
        page.screenshot(path=screenshots / "00-beamtimes.png")
        bt = _create_beamtime(page, screenshots)
        _define_attributi(page, server, bt, daq, screenshots)
        _start_runs(daq, bt, 3)

        page.goto(f"{server.url}/beamtimes/{bt}/runs")
        rows = page.locator("tr[data-run]")
        expect(rows).to_have_count(3)
        _sign_in(other, server, "bob")
        other.goto(f"{server.url}/beamtimes/{bt}/runs")
        expect(other.locator("tr[data-run]")).to_have_count(3)

        # A new run started by the DAQ appears in both browsers without a reload.
        started = time.monotonic()
        assert (
            daq.post(
                f"/api/beamtimes/{bt}/runs", json={"attributi": {"sample": "thaumatin"}}
            ).status_code
            == 201
        )
        expect(page.locator('tr[data-run="4"]')).to_be_visible(timeout=LIVE_MS)
        expect(other.locator('tr[data-run="4"]')).to_contain_text("thaumatin", timeout=LIVE_MS)
        assert time.monotonic() - started < LIVE_MS / 1000 + 1

        # Alice edits a cell; Bob sees it.
        page.locator('tr[data-run="2"] td[data-column="comment"]').dblclick()
        editor = page.get_by_label("comment of run 2")
        editor.fill("crystals look great")
        editor.press("Enter")
        expect(page.locator('tr[data-run="2"]')).to_contain_text("crystals look great")
        expect(other.locator('tr[data-run="2"]')).to_contain_text(
            "crystals look great", timeout=LIVE_MS
        )
        page.screenshot(path=screenshots / "02-runs.png")

        # A value that does not fit is explained in place and not saved.
        page.locator('tr[data-run="3"] td[data-column="detector_distance"]').dblclick()
        page.get_by_label("detector_distance of run 3").fill("-5")
        page.get_by_label("detector_distance of run 3").press("Enter")
        expect(page.get_by_role("alert")).to_contain_text("must be at least 0")
        page.get_by_label("detector_distance of run 3").press("Escape")

        # The filter box shows where the server found a mistake.
        page.get_by_label("Filter").fill('sampel == "lysozyme"')
        page.get_by_label("Filter").press("Enter")
        expect(page.locator(".query-mistake")).to_contain_text("did you mean `sample`")
        page.screenshot(path=screenshots / "03-filter-mistake.png")
        page.get_by_label("Filter").fill('sample == "lysozyme" and detector_distance > 120')
        page.get_by_label("Filter").press("Enter")
        expect(rows).to_have_count(2)

        # Bob loses the change stream: a banner says so, and his copy of run 1 goes stale.
        other.route("**/changes/stream**", lambda route: route.abort())
        other.reload()
        expect(other.get_by_text("Connection to the server lost")).to_be_visible()
        # His copy must be complete before the DAQ writes, or it would not be stale.
        other.wait_for_load_state("networkidle")
        assert (
            daq.patch(
                f"/api/beamtimes/{bt}/runs/1", json={"attributi": {"comment": "from the DAQ"}}
            ).status_code
            == 200
        )
        # His edit of the stale copy is refused (If-Match) and the difference shown instead.
        other.locator('tr[data-run="1"] td[data-column="comment"]').dblclick()
        other.get_by_label("comment of run 1").fill("bob was here")
        other.get_by_label("comment of run 1").press("Enter")
        dialog = other.get_by_role("dialog")
        expect(dialog).to_contain_text("Run 1 changed while you were editing")
        expect(dialog).to_contain_text("from the DAQ")
        other.screenshot(path=screenshots / "05-conflict.png")
        dialog.get_by_role("button", name="Save my edit over the current run").click()
        expect(dialog).to_be_hidden()
        expect(other.locator('tr[data-run="1"]')).to_contain_text("bob was here")
        # Back online, the stream resumes and the banner goes.
        other.unroute("**/changes/stream**")
        expect(other.get_by_text("Connection to the server lost")).to_be_hidden(timeout=15000)

        # The logbook entry with a pasted screenshot.
        page.goto(f"{server.url}/beamtimes/{bt}")
        expect(page.get_by_role("heading", name="Run 4", exact=True)).to_be_visible()
        page.get_by_label("Entry text").fill("Switched to **thaumatin**; beam looks stable.")
        _paste_image(page)
        expect(page.locator(".event-form .attachments img")).to_be_visible()
        page.get_by_role("button", name="Post").click()
        entry = page.locator(".events .event").first
        expect(entry).to_contain_text("beam looks stable")
        expect(entry.locator("strong")).to_have_text("thaumatin")
        expect(entry.locator(".attachments img")).to_be_visible()

        # The camera: the image follows each new frame.
        assert (
            daq.put(
                f"/api/beamtimes/{bt}/live-stream",
                content=_frame("red"),
                headers={"Content-Type": "image/jpeg"},
            ).status_code
            == 200
        )
        image = page.get_by_alt_text("Live stream")
        expect(image).to_be_visible(timeout=LIVE_MS)
        first = image.get_attribute("src")
        assert (
            daq.put(
                f"/api/beamtimes/{bt}/live-stream",
                content=_frame("blue"),
                headers={"Content-Type": "image/jpeg"},
            ).status_code
            == 200
        )
        expect(image).not_to_have_attribute("src", first or "", timeout=LIVE_MS)
        page.wait_for_function(
            "() => document.querySelector('img[alt=\"Live stream\"]').naturalWidth === 320"
        )
        page.screenshot(path=screenshots / "04-overview.png")
    finally:
        daq.close()
        alice.close()
        bob.close()
