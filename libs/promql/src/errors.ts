/** Raised for a construct the engine does not evaluate yet (the conformance runner skips these). */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}

/** An evaluation error, as Prometheus reports it (HTTP 422 "execution" errors). */
export class EvalError extends Error {
  override readonly name = 'EvalError';
}
