/**
 * Search attributes the pipeline sets, so runs are easy to find in the Web UI's list
 * (e.g. `WintapDataset = "acme4" AND WintapStatus = "failed"`). Registered by `npm run server` and by
 * the worker at start-up on servers that lack them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DATASET = defineSearchAttributeKey('WintapDataset', SearchAttributeType.KEYWORD);
export const RUN_STATUS = defineSearchAttributeKey('WintapStatus', SearchAttributeType.KEYWORD);

/** Name -> type, for registering them on a server. */
export const SEARCH_ATTRIBUTE_TYPES = { WintapDataset: 'Keyword', WintapStatus: 'Keyword' } as const;
