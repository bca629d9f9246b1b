/** The workflow bundle's entry point: every workflow type the worker registers. */
export { platformNoisePipeline, progressQuery } from './pipeline';
export { labelPartitions, lineagePartitions } from './partitioned';
