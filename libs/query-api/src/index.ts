export { ApiError, STATUS_OF } from './api-error';
export type { ErrorType } from './api-error';
export { dataPieces, encodeData, errorBody, formatTime, successBody, successPieces } from './encode';
export { formOf, MAX_TIME_MS, MIN_TIME_MS, parseDuration, parseTime } from './params';
export type { Form } from './params';
export { BUILD_INFO, QueryApi, toApiError } from './query-api';
export type { ApiResponse, QueryApiDeps, QueryLimits } from './query-api';
export { limitSeries, QueryLimitError } from './series-limit';
