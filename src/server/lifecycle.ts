/** Shared process state the app reads on each request. */
export interface Lifecycle {
  /** Set by SIGTERM: readiness turns 503 and new requests are refused while in-flight ones finish. */
  draining: boolean;
  startedAt: number;
}

export function newLifecycle(): Lifecycle {
  return { draining: false, startedAt: Date.now() };
}
