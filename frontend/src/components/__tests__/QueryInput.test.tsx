// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { QueryInput } from "../runs/QueryInput";

afterEach(cleanup);

describe("the filter box", () => {
  it("marks the position the server named and shows its message", () => {
    render(<QueryInput label="Filter" value="sampl == 1" placeholder="" mistake={{ message: "unknown field `sampl`", position: 0 }} onApply={() => undefined} />);
    expect(screen.getByRole("alert").textContent).toContain("unknown field `sampl`");
    expect(screen.getByRole("alert").querySelector("mark")?.textContent).toBe("s");
    expect(screen.getByLabelText("Filter").getAttribute("aria-invalid")).toBe("true");
  });

  it("marks the end of the text when the problem is that it ended", () => {
    render(<QueryInput label="Filter" value="a ==" placeholder="" mistake={{ message: "expected a value", position: 4 }} onApply={() => undefined} />);
    expect(screen.getByRole("alert").querySelector("mark")?.textContent).toBe(" ");
  });

  it("applies the typed text on Enter, trimmed", () => {
    const onApply = vi.fn();
    render(<QueryInput label="Filter" value="" placeholder="" mistake={null} onApply={onApply} />);
    const input = screen.getByLabelText("Filter");
    fireEvent.change(input, { target: { value: " number > 3 " } });
    fireEvent.submit(input.closest("form") as HTMLFormElement);
    expect(onApply).toHaveBeenCalledWith("number > 3");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
