import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Change } from "../api/types";
import { ChangeStream, type EventSourceLike, type StreamStatus } from "./changeStream";

class FakeSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  listeners = new Map<string, (event: MessageEvent<string>) => void>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  emit(type: string, data: unknown, id = "") {
    this.listeners.get(type)?.(new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id }));
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event("error"));
  }
}

function harness() {
  const sources: FakeSource[] = [];
  const changes: Change[] = [];
  const frames: string[] = [];
  const statuses: StreamStatus[] = [];
  let resyncs = 0;
  const stream = new ChangeStream(
    "/api/beamtimes/1/changes/stream",
    {
      onChange: (change) => changes.push(change),
      onFrame: (at) => frames.push(at),
      onStatus: (status) => statuses.push(status),
      onResync: () => (resyncs += 1),
    },
    (url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    },
  );
  return { stream, sources, changes, frames, statuses, resyncs: () => resyncs };
}

const change = (seq: number): Change => ({ seq, at: "", actor: "a", entity: "run", entity_id: seq, action: "updated", before: null, after: null });

describe("ChangeStream", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes changes and live-stream frames on", () => {
    const h = harness();
    h.stream.start();
    h.sources[0]?.open();
    h.sources[0]?.emit("change", change(4), "4");
    h.sources[0]?.emit("live-stream", { updated_at: "2026-11-22T10:00:00Z" });
    expect(h.changes.map((c) => c.seq)).toEqual([4]);
    expect(h.frames).toEqual(["2026-11-22T10:00:00Z"]);
    expect(h.statuses).toEqual(["connecting", "open"]);
  });

  it("reports a lost connection while the browser retries, and nothing is replayed twice", () => {
    const h = harness();
    h.stream.start();
    const source = h.sources[0] as FakeSource;
    source.open();
    source.emit("change", change(4), "4");
    source.fail(false);
    expect(h.statuses.at(-1)).toBe("lost");
    source.open();
    source.emit("change", change(4), "4");
    source.emit("change", change(5), "5");
    expect(h.changes.map((c) => c.seq)).toEqual([4, 5]);
    expect(h.statuses.at(-1)).toBe("open");
    expect(h.resyncs()).toBe(0);
  });

  it("reconnects after the server refused the stream, resuming after the last seq", () => {
    const h = harness();
    h.stream.start();
    h.sources[0]?.open();
    h.sources[0]?.emit("change", change(9), "9");
    h.sources[0]?.fail(true);
    expect(h.sources).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(h.sources[1]?.url).toBe("/api/beamtimes/1/changes/stream?after=9");
    h.sources[1]?.open();
    expect(h.resyncs()).toBe(0);
  });

  it("asks for a reload when it cannot know what it missed", () => {
    const h = harness();
    h.stream.start();
    h.sources[0]?.open();
    h.sources[0]?.fail(true);
    vi.advanceTimersByTime(1000);
    expect(h.sources[1]?.url).toBe("/api/beamtimes/1/changes/stream");
    h.sources[1]?.open();
    expect(h.resyncs()).toBe(1);
  });

  it("stops for good when closed", () => {
    const h = harness();
    h.stream.start();
    h.sources[0]?.fail(true);
    h.stream.close();
    vi.advanceTimersByTime(20000);
    expect(h.sources).toHaveLength(1);
  });
});
