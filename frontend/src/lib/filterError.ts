import { ProblemError } from "../api/problem";

export interface QueryMistake {
  message: string;
  /** 0-based offset into the parameter's text, when the server named one. */
  position: number | null;
}

const AT_POSITION = /\s*\(at position (\d+)\)\s*$/;

/**
 * What the server found wrong with one query parameter of a 422 (`filter`, `runs`, `date`).
 * The filter language ends its messages with "(at position N)", which the filter box turns
 * into a marker under the text. Null when the error is about something else.
 */
export function queryMistake(error: unknown, field: string): QueryMistake | null {
  if (!(error instanceof ProblemError) || error.status !== 422) return null;
  const item = error.errors.find((candidate) => candidate.loc.includes(field));
  if (!item) return null;
  const match = AT_POSITION.exec(item.msg);
  if (!match) return { message: item.msg, position: null };
  return { message: item.msg.slice(0, match.index), position: Number(match[1]) };
}
