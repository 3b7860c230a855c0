import type { ApiPaths } from "./client";
import type { components } from "./schema.gen";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Operation<P extends keyof ApiPaths, M extends string> = M extends keyof ApiPaths[P]
  ? ApiPaths[P][M]
  : never;
/** The JSON a successful call of `method path` answers with. */
type Success<P extends keyof ApiPaths, M extends string> =
  Operation<P, M> extends { responses: infer R }
    ? JsonOf<R[Extract<keyof R, 200 | 201>]>
    : never;
/** The JSON body `method path` expects. */
type Body<P extends keyof ApiPaths, M extends string> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

export type Beamtime = components["schemas"]["BeamtimeOut"];
export type Attributo = components["schemas"]["AttributoOut"];
export type AttributoType = Attributo["type"];
export type AttributoKind = AttributoType["kind"];

export type Run = components["schemas"]["RunOut"];
export type RunPage = Success<"/api/beamtimes/{bt}/runs", "get">;
export type RunPatch = Body<"/api/beamtimes/{bt}/runs/{number}", "patch">;
export type EventEntry = components["schemas"]["EventOut"];
export type Change = Success<"/api/beamtimes/{bt}/changes", "get">["items"][number];
export type Configuration = components["schemas"]["ConfigurationOut"];
export type ExperimentType = components["schemas"]["ExperimentTypeOut"];
export type Chemical = components["schemas"]["ChemicalOut"];
export type Me = Success<"/api/auth/me", "get">;

export type UploadedFile = Success<"/api/beamtimes/{bt}/files", "post">;
