// Step-up (RFC 9470): an operation refused for an old sign-in is remembered, the user signs in again, it is retried.
import { ApiError } from './api.js';
import { setStatus } from './render.js';
import { state } from './state.js';

/** The operation a step-up challenge interrupted, kept across the trip through the login page. */
const STEP_UP_KEY = 'cognito-guard.step-up';

/**
 * Runs `operations[operation.kind](operation)`. On `ERR_STEP_UP_REQUIRED` the operation is remembered and the user
 * goes through the login page again (`prompt=login`); `resumeStepUp` retries it when they come back.
 */
export async function withStepUp(operation, operations) {
  try {
    await operations[operation.kind](operation);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'ERR_STEP_UP_REQUIRED') throw error;
    sessionStorage.setItem(STEP_UP_KEY, JSON.stringify(operation));
    setStatus('This operation needs a recent sign-in: taking you to the login page…', 'warning');
    await state.auth.startSignIn({ reauthenticate: true });
  }
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
