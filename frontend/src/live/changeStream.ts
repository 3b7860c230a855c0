import type { Change } from "../api/types";

export type StreamStatus = "connecting" | "open" | "lost";

export interface StreamHandlers {
  onChange(change: Change): void;
  onFrame(updatedAt: string): void;
  onStatus(status: StreamStatus): void;
  /** Changes may have been missed and cannot be replayed: reload what is cached. */
  onResync(): void;
}

/** The part of EventSource this module uses, so tests can drive it without a server. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;
const RETRY_MS = [1000, 2000, 5000, 10000];

/**
 * Follows a beamtime's change feed over Server-Sent Events. While the browser reconnects on
 * its own it sends Last-Event-ID, so nothing is lost; when it gives up (the server answered
 * with an error status), a new connection resumes with `?after=<last seq>`. Only if no change
 * has arrived yet is the position unknown, and then the caller is told to reload instead.
 */
export class ChangeStream {
  private source: EventSourceLike | null = null;
  private lastSeq: number | null = null;
  private failures = 0;
  private wasLost = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly handlers: StreamHandlers,
    private readonly factory: EventSourceFactory = (url) => new EventSource(url),
  ) {}

  start(): void {
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
  }

  private connect(): void {
    if (this.closed) return;
    this.handlers.onStatus(this.wasLost ? "lost" : "connecting");
    const resume = this.lastSeq === null ? "" : `${this.url.includes("?") ? "&" : "?"}after=${this.lastSeq}`;
    const source = this.factory(this.url + resume);
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      if (this.wasLost && this.lastSeq === null) this.handlers.onResync();
      this.wasLost = false;
      this.handlers.onStatus("open");
    };
    source.onerror = () => {
      if (this.closed || source !== this.source) return;
      this.wasLost = true;
      this.handlers.onStatus("lost");
      if (source.readyState === CLOSED) this.reconnectLater();
    };
    source.addEventListener("change", (event) => this.receiveChange(event));
    source.addEventListener("live-stream", (event) => this.receiveFrame(event));
  }

  private reconnectLater(): void {
    this.source?.close();
    const delay = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)] as number;
    this.failures += 1;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, delay);
  }

  private receiveChange(event: MessageEvent<string>): void {
    let change: Change;
    try {
      change = JSON.parse(event.data) as Change;
    } catch {
      return;
    }
    const seq = Number(event.lastEventId || change.seq);
    if (Number.isFinite(seq)) {
      if (this.lastSeq !== null && seq <= this.lastSeq) return; // replayed after a reconnect
      this.lastSeq = seq;
    }
    this.handlers.onChange(change);
  }

  private receiveFrame(event: MessageEvent<string>): void {
    try {
      const data = JSON.parse(event.data) as { updated_at?: string };
      this.handlers.onFrame(data.updated_at ?? new Date().toISOString());
    } catch {
      this.handlers.onFrame(new Date().toISOString());
    }
  }
}
