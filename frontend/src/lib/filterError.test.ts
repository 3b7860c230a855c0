import { describe, expect, it } from "vitest";
import { ProblemError } from "../api/problem";
import { queryMistake } from "./filterError";

function problem(status: number, errors: { loc: string[]; msg: string }[]) {
  return new ProblemError({ type: "about:blank", title: "Validation failed", status, detail: errors[0]?.msg ?? "", errors });
}

describe("queryMistake", () => {
  it("splits the position off the filter message", () => {
    const error = problem(422, [{ loc: ["query", "filter"], msg: "unknown field `sampl`; did you mean `sample`? (at position 4)" }]);
    expect(queryMistake(error, "filter")).toEqual({ message: "unknown field `sampl`; did you mean `sample`?", position: 4 });
  });

  it("belongs only to the parameter it names", () => {
    const error = problem(422, [{ loc: ["query", "runs"], msg: "`5-` is not a run range" }]);
    expect(queryMistake(error, "filter")).toBeNull();
    expect(queryMistake(error, "runs")).toEqual({ message: "`5-` is not a run range", position: null });
  });

  it("ignores other failures", () => {
    expect(queryMistake(problem(500, [{ loc: ["filter"], msg: "boom" }]), "filter")).toBeNull();
    expect(queryMistake(new Error("x"), "filter")).toBeNull();
  });
});
