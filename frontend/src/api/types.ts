import type { ApiPaths } from "./client";
import type { components } from "./schema.gen";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Operation<P extends keyof ApiPaths, M extends string> = M extends keyof ApiPaths[P]
  ? ApiPaths[P][M]
  : never;
/** The JSON a successful call of `method path` answers with. */
export type Success<P extends keyof ApiPaths, M extends string> =
  Operation<P, M> extends { responses: infer R }
    ? JsonOf<R[Extract<keyof R, 200 | 201>]>
    : never;
/** The JSON body `method path` expects. */
export type Body<P extends keyof ApiPaths, M extends string> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

export type Beamtime = components["schemas"]["BeamtimeOut"];
export type BeamtimeCreate = Body<"/api/beamtimes", "post">;
export type Attributo = components["schemas"]["AttributoOut"];
export type AttributoType = Attributo["type"];
export type AttributoKind = AttributoType["kind"];

export type Run = components["schemas"]["RunOut"];
export type RunPage = Success<"/api/beamtimes/{bt}/runs", "get">;
export type RunPatch = Body<"/api/beamtimes/{bt}/runs/{number}", "patch">;
export type RunBulkPatch = Body<"/api/beamtimes/{bt}/runs", "patch">;
export type EventEntry = components["schemas"]["EventOut"];
export type FileSummary = components["schemas"]["FileSummary"];
export type EventCreate = Body<"/api/beamtimes/{bt}/events", "post">;
export type Change = Success<"/api/beamtimes/{bt}/changes", "get">["items"][number];
export type Configuration = components["schemas"]["ConfigurationOut"];
export type Overview = Success<"/api/beamtimes/{bt}/overview", "get">;
export type ExperimentType = components["schemas"]["ExperimentTypeOut"];
export type DataSet = components["schemas"]["DataSetOut"];
export type Chemical = components["schemas"]["ChemicalOut"];
export type Me = Success<"/api/auth/me", "get">;

/** A file as the upload endpoint answers (see FileOut in the server's schemas). */
export interface UploadedFile {
  id: number;
  name: string;
  mime_type: string;
  size: number;
  width: number | null;
  height: number | null;
}

/** Attributo values as they travel: keyed by name, `null` clears in a PATCH. */
export type AttributoValue = unknown;
