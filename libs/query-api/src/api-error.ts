/**
 * The Prometheus HTTP API's error types and the status each is answered with
 * (web/api/v1/api.go): bad_data 400, execution 422, timeout 503, unavailable 503, internal 500,
 * canceled 499 (the client closed the request; nobody reads that answer).
 */
export type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'unavailable' | 'internal' | 'not_found';

export const STATUS_OF: Readonly<Record<ErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 499,
  unavailable: 503,
  internal: 500,
  not_found: 404,
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS_OF[this.type];
  }
}
