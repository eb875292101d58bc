/**
 * Readiness of a process: not ready until the HTTP server is listening, then ready only while
 * every registered check passes. A check returns undefined when ready, or the reason it is not.
 */
export type ReadinessCheck = () => string | undefined;

export class Readiness {
  private started = false;
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} registered twice`);
    this.checks.set(name, check);
  }

  markStarted(): void {
    this.started = true;
  }

  /** The reasons the process is not ready; empty when it is. */
  notReadyReasons(): string[] {
    if (!this.started) return ['starting'];
    const reasons: string[] = [];
    for (const [name, check] of this.checks) {
      let reason: string | undefined;
      try {
        reason = check();
      } catch (e) {
        reason = `check failed: ${(e as Error).message}`;
      }
      if (reason !== undefined) reasons.push(`${name}: ${reason}`);
    }
    return reasons;
  }
}
