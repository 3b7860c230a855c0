// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AttributoEditor } from "../AttributoEditor";

afterEach(cleanup);
const context = { timeZone: "UTC" };

describe("AttributoEditor", () => {
  it("explains a value that does not fit before sending anything", () => {
    const onCommit = vi.fn(() => Promise.resolve());
    render(<AttributoEditor type={{ kind: "integer", minimum: 0, maximum: 10 }} value={3} context={context} onCommit={onCommit} onCancel={() => undefined} />);
    const input = screen.getByLabelText("value");
    fireEvent.change(input, { target: { value: "12" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(screen.getByRole("alert").textContent).toBe("must be at most 10");
    expect(onCommit).not.toHaveBeenCalled();
  });

  it("commits the parsed value, and shows the server's refusal in the same place", async () => {
    const onCommit = vi.fn(() => Promise.reject(new Error("detector_distance: 3 is below the minimum 5")));
    render(<AttributoEditor type={{ kind: "integer", minimum: null, maximum: null }} value={null} context={context} onCommit={onCommit} onCancel={() => undefined} />);
    const input = screen.getByLabelText("value");
    fireEvent.change(input, { target: { value: "3" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onCommit).toHaveBeenCalledWith(3);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("below the minimum"));
  });

  it("offers choices as a list and saves on picking", () => {
    const onCommit = vi.fn(() => Promise.resolve());
    render(<AttributoEditor type={{ kind: "choice", choices: ["bad", "good"] }} value="bad" context={context} onCommit={onCommit} onCancel={() => undefined} />);
    fireEvent.change(screen.getByLabelText("value"), { target: { value: "good" } });
    expect(onCommit).toHaveBeenCalledWith("good");
  });

  it("cancels on Escape and when nothing changed", () => {
    const onCancel = vi.fn();
    render(<AttributoEditor type={{ kind: "string", max_length: null }} value="x" context={context} onCommit={() => Promise.resolve()} onCancel={onCancel} />);
    fireEvent.keyDown(screen.getByLabelText("value"), { key: "Escape" });
    expect(onCancel).toHaveBeenCalledTimes(1);
  });
});
