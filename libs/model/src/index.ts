export { METRIC_NAME, compareLabels, formatLabels, getLabel, labelsKey, labelsString, sortLabels } from './labels';
export type { Label, Labels } from './labels';
export { Matcher } from './matcher';
export type { MatchType } from './matcher';
export { decodeLabels, encodeLabels, labelKeyOf, skipLabels } from './label-bytes';
export { intersectSorted, unionSorted } from './sorted';
export { labelsHash, xxhash64 } from './labels-hash';
export { NO_AUTH_TENANT, tenantOf, validateTenantId } from './tenant';
export { withRoom } from './bytes';
