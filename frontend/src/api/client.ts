import createFetchClient, { type Middleware } from "openapi-fetch";
import createQueryClient from "openapi-react-query";
import { networkProblem, problemFromResponse, ProblemError, type ProblemBody } from "./problem";
import type { paths } from "./schema.gen";

type Problem = { headers: { [name: string]: unknown }; content: { "application/problem+json": ProblemBody } };
/**
 * The server's description leaves out error responses, although every endpoint can answer
 * with problem+json; adding them here types the errors that queries and mutations report.
 */
type WithProblems<P> = {
  [Path in keyof P]: {
    [Method in keyof P[Path]]: P[Path][Method] extends { responses: infer R }
      ? Omit<P[Path][Method], "responses"> & { responses: R & { default: Problem } }
      : P[Path][Method];
  };
};

export type ApiPaths = WithProblems<paths>;

/** Failed responses and network errors become ProblemError, whichever endpoint was called. */
const problems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await problemFromResponse(response);
    return undefined;
  },
  onError({ error }) {
    // Aborts come from react-query cancelling a request nobody waits for any more.
    if (error instanceof ProblemError || (error instanceof DOMException && error.name === "AbortError")) return error;
    return networkProblem(error);
  },
};

// Requests are made against the page's own origin; the absolute base also lets the client run
// under jsdom in unit tests, where relative URLs have no base.
const origin = typeof window === "undefined" ? "http://localhost" : window.location.origin;

export const fetchClient = createFetchClient<ApiPaths>({ baseUrl: origin });
fetchClient.use(problems);

export const $api = createQueryClient(fetchClient);

/** `If-Match` for a resource version, as the server's ETag writes it. */
export function ifMatch(version: number): { "If-Match": string } {
  return { "If-Match": `"${version}"` };
}

/**
 * Multipart uploads go around the typed client: their bodies are FormData, which the
 * generated types describe only loosely.
 */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(origin + path, { method: "POST", body: form });
  } catch (error) {
    throw networkProblem(error);
  }
  if (!response.ok) throw await problemFromResponse(response);
  return (await response.json()) as T;
}
