// Rendering helpers shared by the panels: element lookup, the status line, the last-response box, durations, errors.
import { ApiError } from './api.js';

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** The status line at the top of the page; `kind` is info, ok, warning or error. */
export function setStatus(text, kind = 'info') {
  $('status').textContent = text;
  $('status').dataset.kind = kind;
}

/** The "Last API response" box: a title line, then the value (JSON unless it is a string). */
export function showResult(title, value) {
  const body = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  $('result').textContent = `${title}\n${body}`;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The first characters of a long id, for labels. */
export function shortId(id) {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** Shows an error on the status line (and an API error in the last-response box). */
export function reportError(error) {
  const message = error instanceof Error ? error.message : String(error);
  setStatus(message, 'error');
  if (error instanceof ApiError)
    showResult(`HTTP ${error.status}${error.code ? ` ${error.code}` : ''}`, message);
}
