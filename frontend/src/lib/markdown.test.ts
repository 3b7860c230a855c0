import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown, safeUrl } from "./markdown";

describe("markdown", () => {
  it("parses blocks", () => {
    const blocks = parseMarkdown("# Title\n\nline one\nline two\n\n- a\n- b\n\n```\ncode <b>\n```\n> quoted");
    expect(blocks.map((block) => block.t)).toEqual(["h", "p", "ul", "pre", "quote"]);
    expect(blocks[1]).toEqual({ t: "p", c: [{ t: "text", v: "line one" }, { t: "br" }, { t: "text", v: "line two" }] });
    expect(blocks[3]).toEqual({ t: "pre", v: "code <b>" });
  });

  it("parses inline emphasis, code, links and bare URLs", () => {
    expect(parseInline("**bold** and *it* `x*y`")).toEqual([
      { t: "strong", c: [{ t: "text", v: "bold" }] },
      { t: "text", v: " and " },
      { t: "em", c: [{ t: "text", v: "it" }] },
      { t: "text", v: " " },
      { t: "code", v: "x*y" },
    ]);
    expect(parseInline("see https://desy.de/x.")).toEqual([
      { t: "text", v: "see " },
      { t: "link", href: "https://desy.de/x", c: [{ t: "text", v: "https://desy.de/x" }] },
      { t: "text", v: "." },
    ]);
    expect(parseInline("snake_case_name stays")).toEqual([{ t: "text", v: "snake_case_name stays" }]);
  });

  it("never produces script URLs", () => {
    expect(parseInline("[x](javascript:alert(1))")[0]).toMatchObject({ t: "text" });
    expect(parseInline("![x](data:text/html;base64,AAAA)")[0]).toMatchObject({ t: "text" });
    expect(safeUrl("//evil.example/x")).toBeNull();
    expect(safeUrl("/api/files/3")).toBe("/api/files/3");
  });
});
