import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { keyBeamtime } from "../api/keys";
import type { Change } from "../api/types";
import { applyActions } from "./applyActions";
import { mergeActions, planChange, type CacheAction } from "./changePlan";
import { ChangeStream, type StreamStatus } from "./changeStream";

interface LiveState {
  status: StreamStatus | "idle";
  /** `updated_at` of the newest live-stream frame announced on the stream. */
  frame: string | null;
}

const LiveContext = createContext<LiveState>({ status: "idle", frame: null });

export function useLive(): LiveState {
  return useContext(LiveContext);
}

/** Changes are applied in batches this often, so a bulk edit becomes one request. */
const BATCH_MS = 100;

/**
 * The one change-feed connection of this tab, for the beamtime being looked at. Pages never
 * poll: whatever they show is kept current by what arrives here.
 */
export function LiveProvider({ bt, children }: { bt: number | null; children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>({ status: "idle", frame: null });

  useEffect(() => {
    if (bt === null) {
      setState({ status: "idle", frame: null });
      return undefined;
    }
    let pending: CacheAction[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    let running: Promise<void> = Promise.resolve();
    const flush = () => {
      timer = null;
      const actions = mergeActions(pending);
      pending = [];
      // One batch at a time, so an older answer never overwrites a newer one.
      running = running.then(() => applyActions(client, bt, actions)).catch(() => {
        void client.invalidateQueries({ predicate: (query) => keyBeamtime(query.queryKey) === bt });
      });
    };
    const stream = new ChangeStream(`/api/beamtimes/${bt}/changes/stream`, {
      onChange(change: Change) {
        pending.push(...planChange(change));
        timer ??= setTimeout(flush, BATCH_MS);
      },
      onFrame(updatedAt) {
        setState((previous) => ({ ...previous, frame: updatedAt }));
      },
      onStatus(status) {
        setState((previous) => (previous.status === status ? previous : { ...previous, status }));
      },
      onResync() {
        void client.invalidateQueries({ predicate: (query) => keyBeamtime(query.queryKey) === bt });
      },
    });
    stream.start();
    return () => {
      stream.close();
      if (timer !== null) clearTimeout(timer);
    };
  }, [bt, client]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export function ConnectionBanner() {
  const { status } = useLive();
  if (status !== "lost") return null;
  return (
    <div className="banner banner-warning" role="status">
      Connection to the server lost — reconnecting. Changes made meanwhile will appear once it is back.
    </div>
  );
}
