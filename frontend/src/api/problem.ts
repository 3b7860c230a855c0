/** RFC 9457 problem details, the body of every error the server sends (amarcord/api/errors.py). */
export interface FieldProblem {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: FieldProblem[];
}

/**
 * Every failed request becomes one of these (thrown by the fetch client's middleware), so pages
 * and the query layer handle errors in one way whatever the endpoint.
 */
export class ProblemError extends Error implements ProblemBody {
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldProblem[];

  constructor(body: ProblemBody) {
    super(body.detail || body.title);
    this.name = "ProblemError";
    this.type = body.type;
    this.status = body.status;
    this.title = body.title;
    this.detail = body.detail;
    this.errors = body.errors;
  }

  /** The message of the field error whose location ends with `field`, if any. */
  fieldMessage(...path: (string | number)[]): string | undefined {
    const match = this.errors.find((error) => endsWith(error.loc, path));
    return match?.msg;
  }
}

function endsWith(loc: (string | number)[], suffix: (string | number)[]): boolean {
  if (suffix.length > loc.length) return false;
  const offset = loc.length - suffix.length;
  return suffix.every((part, index) => String(loc[offset + index]) === String(part));
}

function isProblemBody(value: unknown): value is ProblemBody {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.status === "number" && typeof candidate.title === "string";
}

/** Builds a ProblemError from any failed response, also from proxies that answer with HTML. */
export async function problemFromResponse(response: Response): Promise<ProblemError> {
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isProblemBody(parsed)) {
    return new ProblemError({
      type: parsed.type ?? "about:blank",
      title: parsed.title,
      status: parsed.status,
      detail: parsed.detail ?? "",
      errors: Array.isArray(parsed.errors) ? parsed.errors : [],
    });
  }
  return new ProblemError({
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: text.slice(0, 500),
    errors: [],
  });
}

/** A network failure (server down, connection reset) in the same shape as a server problem. */
export function networkProblem(cause: unknown): ProblemError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ProblemError({
    type: "about:blank",
    title: "Network error",
    status: 0,
    detail: `The server could not be reached (${message}).`,
    errors: [],
  });
}

export function isProblem(error: unknown, status?: number): error is ProblemError {
  return error instanceof ProblemError && (status === undefined || error.status === status);
}
