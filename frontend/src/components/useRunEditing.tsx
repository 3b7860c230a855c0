import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState, type ReactNode } from "react";
import { ProblemError } from "../api/problem";
import { saveRun, showSavedRun, type SaveResult } from "../api/runEdits";
import type { Run, RunPatch } from "../api/types";
import { ConflictView } from "./ConflictView";

type Conflict = Extract<SaveResult, { kind: "conflict" }>;

/** The message for an editor from a refused edit: the field's own message if the server named it. */
function editMessage(error: unknown, field: string | undefined): Error {
  if (error instanceof ProblemError) {
    const message = (field && error.fieldMessage(field)) || error.errors[0]?.msg || error.detail;
    return new Error(message);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Editing runs from any page: `edit` saves with If-Match and throws a readable message for the
 * editor on a 422; on a 412 it resolves and `dialog` shows the conflict until it is decided.
 */
export function useRunEditing(bt: number): { edit(run: Run, patch: RunPatch, field?: string): Promise<void>; dialog: ReactNode } {
  const client = useQueryClient();
  const [conflict, setConflict] = useState<Conflict | null>(null);

  const settle = useCallback(
    (result: SaveResult) => {
      if (result.kind === "saved") {
        showSavedRun(client, bt, result.run);
        setConflict(null);
      } else {
        showSavedRun(client, bt, result.current);
        setConflict(result);
      }
    },
    [bt, client],
  );

  const edit = useCallback(
    async (run: Run, patch: RunPatch, field?: string) => {
      try {
        settle(await saveRun(bt, run, patch));
      } catch (error) {
        throw editMessage(error, field);
      }
    },
    [bt, settle],
  );

  const dialog = conflict && (
    <ConflictView
      base={conflict.base}
      current={conflict.current}
      patch={conflict.patch}
      onDiscard={() => setConflict(null)}
      onOverwrite={() => {
        saveRun(bt, conflict.current, conflict.patch).then(settle, (error: unknown) => {
          setConflict(null);
          window.alert(editMessage(error, undefined).message);
        });
      }}
    />
  );
  return { edit, dialog };
}
