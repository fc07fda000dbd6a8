import { useCallback, useState } from 'react';
import type { ApiError } from './api';

/**
 * Runs a call that changes something, keeps its refusal for display, and reloads the screen's data
 * either way (the hub's state is the truth, whatever the call did).
 */
export function useApiAction(reload: () => Promise<void>) {
  const [error, setError] = useState<ApiError | null>(null);
  const act = useCallback(
    async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        setError(null);
      } catch (err) {
        setError(err as ApiError);
      }
      await reload();
    },
    [reload],
  );
  return { act, error, setError };
}
