import { useState } from 'preact/hooks';
import { errorMessage } from '../hooks';

/** One action at a time, with its outcome (or error) to show beside the button. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const run = (fn: () => Promise<string | undefined>): void => {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    fn()
      .then(setMessage, (e: unknown) => setError(errorMessage(e)))
      .finally(() => setBusy(false));
  };
  const output = (
    <>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
  return { busy, run, output };
}
