/**
 * Failures a user must act on. They are non-retryable: retrying bad data cannot fix it. Everything
 * else thrown by a step (I/O hiccups, a killed worker) is retried by the workflow's retry policy.
 */
import { ApplicationFailure } from '@temporalio/common';

/** Error types the workflow's retry policy lists as non-retryable. */
export const NON_RETRYABLE_TYPES = ['BadInput', 'BadRules', 'PathOutsideDataRoots', 'OutputLocked', 'BadWorkflowInput'] as const;

export const BadInput = {
  of(message: string): ApplicationFailure {
    return ApplicationFailure.nonRetryable(message, 'BadInput');
  },
  unreadable(files: string[], cause: unknown): ApplicationFailure {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    const which = files.length === 1 ? files[0] : `${files.length} files (${files[0]}, ...)`;
    return ApplicationFailure.nonRetryable(
      `input ${which} is not readable as parquet (${detail}); replace or remove the damaged file and run again`,
      'BadInput',
    );
  },
};

export function badRules(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'BadRules');
}
