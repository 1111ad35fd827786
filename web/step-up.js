// Step-up (RFC 9470): an operation refused for an old sign-in is remembered, the user signs in again, it is retried.
import { ApiError } from './api.js';
import { $, formatDuration, setStatus } from './render.js';
import { stepUpWindowMs } from './session-panel.js';
import { run, state } from './state.js';

/** The operation a step-up challenge interrupted, kept across the trip through the login page. */
const STEP_UP_KEY = 'cognito-guard.step-up';

/** What each operation is called when the page explains a challenge. */
const NAMES = { revokeSession: 'Revoking a session', revokeUser: 'Revoking a user' };

/**
 * Runs `operations[operation.kind](operation)`. On `ERR_STEP_UP_REQUIRED` the page says why (the login form cannot)
 * and offers a button; it remembers the operation and goes through the login page again (`prompt=login`), and
 * `resumeStepUp` retries it when they come back.
 */
export async function withStepUp(operation, operations) {
  try {
    await operations[operation.kind](operation);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'ERR_STEP_UP_REQUIRED') throw error;
    const why = explainChallenge(operation);
    setStatus(why, 'warning');
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'primary';
    again.textContent = 'Sign in again';
    again.addEventListener('click', () =>
      run(async () => {
        sessionStorage.setItem(STEP_UP_KEY, JSON.stringify(operation));
        setStatus('Taking you to the login page…', 'warning');
        await state.auth.startSignIn({ reauthenticate: true });
      }),
    );
    $('admin-result').replaceChildren(`${why} `, again);
  }
}

/** "Revoking a user needs a sign-in within the last 15:00; yours was 17:03 ago." */
function explainChallenge(operation) {
  const name = NAMES[operation.kind] ?? 'This operation';
  const window = stepUpWindowMs();
  const within =
    window === undefined ? 'a recent sign-in' : `a sign-in within the last ${formatDuration(window)}`;
  const authTime = state.me?.authTime;
  const age = authTime == null ? '' : `; yours was ${formatDuration(Date.now() - authTime * 1000)} ago`;
  return `${name} needs ${within}${age}. Sign in again (the login page asks for your password) to finish it.`;
}

/** The remembered operation, taken (removed) whatever happens next: it is retried at most once. */
export function takeStepUp(operations) {
  const saved = sessionStorage.getItem(STEP_UP_KEY);
  sessionStorage.removeItem(STEP_UP_KEY);
  try {
    const operation = saved ? JSON.parse(saved) : null;
    return Object.hasOwn(operations, operation?.kind ?? '') ? operation : null;
  } catch {
    return null;
  }
}

/** Back from a step-up sign-in: retry the operation once (a second challenge is reported, not looped). */
export async function resumeStepUp(operation, operations) {
  await operations[operation.kind](operation);
  setStatus('Signed in again: the operation that needed a recent sign-in is done.', 'ok');
}
