/** Turn a Temporal failure chain into the one line a user can act on. */
import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';

export function describeFailure(err: unknown): string {
  let step: string | undefined;
  let current: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  let message = err instanceof Error ? err.message : String(err);
  while (current instanceof Error) {
    if (current instanceof ActivityFailure) step = current.activityType;
    message = current.message;
    if (current instanceof ApplicationFailure) {
      if (!(current.cause instanceof TemporalFailure)) break;
    }
    current = (current as Error & { cause?: unknown }).cause;
  }
  return step ? `step ${step} failed: ${message}` : message;
}
