// The admin panel: find users by email, list a user's sessions, revoke one session or the whole user (step-up).
import { $, shortId, showResult } from './render.js';
import { run, state } from './state.js';
import { withStepUp } from './step-up.js';

const SUB = /^[A-Za-z0-9-]{1,128}$/;
const EMAIL_PREFIX = /^[^"\\\s]{1,128}$/;

/** Wires the panel's controls. */
export function initAdminPanel() {
  $('admin-find-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      $('admin-result').textContent = '';
      await findUsers(adminEmail());
    });
  });
  $('admin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      $('admin-result').textContent = '';
      await listSessions(adminSub());
    });
  });
  $('admin-revoke-user').addEventListener('click', () =>
    run(async () => {
      const sub = adminSub();
      // Every session of the user ends and Cognito signs them out everywhere: ask first.
      if (!confirm(`Revoke all sessions of ${sub}? Every device of this user is signed out at once.`)) {
        $('admin-result').textContent = 'Nothing revoked.';
        return;
      }
      await withStepUp({ kind: 'revokeUser', sub }, ADMIN_OPERATIONS);
    }),
  );
}

/** Offers a user id in the admin form's suggestions. */
export function addKnownSub(value, label) {
  if (!SUB.test(value) || [...$('known-subs').options].some((o) => o.value === value)) return;
  const option = document.createElement('option');
  option.value = value;
  option.label = label;
  $('known-subs').append(option);
}

/** The admin operations behind step-up, by kind (what a remembered operation may be). */
export const ADMIN_OPERATIONS = {
  async revokeSession({ sessionId, sub }) {
    await state.auth.call(`/admin/sessions/${encodeURIComponent(sessionId)}/revoke`, { method: 'POST' });
    $('admin-result').textContent =
      `Session ${shortId(sessionId)} revoked: its tokens are refused and its sockets closed.`;
    await listSessions(sub);
  },
  async revokeUser({ sub }) {
    const result = await state.auth.call(`/admin/users/${encodeURIComponent(sub)}/revoke`, {
      method: 'POST',
    });
    $('admin-result').textContent =
      `User revoked: ${result.sessionsRevoked} session(s) ended, every token issued so far is refused.`;
    await listSessions(sub);
  },
};

async function listSessions(sub) {
  const result = await state.auth.call(`/admin/users/${encodeURIComponent(sub)}/sessions`);
  showResult(`HTTP 200 GET /admin/users/${sub}/sessions`, result);
  const body = $('sessions-body');
  body.replaceChildren();
  for (const session of result.sessions) {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.sessionId;
    const cells = [
      session.sessionId,
      session.status + (session.revokedReason ? ` (${session.revokedReason})` : ''),
      new Date(session.createdAt * 1000).toLocaleString(),
      new Date(session.refreshedAt * 1000).toLocaleTimeString(),
      String(session.rotations),
    ];
    for (const [index, text] of cells.entries()) {
      const cell = document.createElement(index === 0 ? 'th' : 'td');
      if (index === 0) cell.scope = 'row';
      const content = index === 0 ? document.createElement('code') : cell;
      content.textContent = text;
      if (index === 0) cell.append(content);
      row.append(cell);
    }
    const actions = document.createElement('td');
    if (session.status === 'active') {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'danger';
      revoke.textContent = 'Revoke';
      revoke.setAttribute('aria-label', `Revoke session ${session.sessionId}`);
      revoke.addEventListener('click', () =>
        run(() => withStepUp({ kind: 'revokeSession', sessionId: session.sessionId, sub }, ADMIN_OPERATIONS)),
      );
      actions.append(revoke);
    }
    row.append(actions);
    body.append(row);
  }
  $('sessions-caption').textContent = `Sessions of ${sub} (${result.sessions.length}, newest first)`;
  $('sessions-table').hidden = false;
  if (result.sessions.length === 0) $('admin-result').textContent = 'No sessions recorded for this user.';
}

/** One page of users whose email starts with `email`; `next` continues a previous lookup. */
async function findUsers(email, next) {
  const query = new URLSearchParams({ email, ...(next ? { next } : {}) });
  const result = await state.auth.call(`/admin/users?${query}`);
  const list = $('user-matches');
  if (!next) list.replaceChildren();
  for (const user of result.users) {
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = `${user.email || user.username} · ${user.status}${user.enabled ? '' : ' · disabled'}`;
    const choose = document.createElement('button');
    choose.type = 'button';
    choose.textContent = 'Choose';
    choose.setAttribute('aria-label', `Choose ${user.email || user.username}`);
    choose.addEventListener('click', () =>
      run(async () => {
        $('admin-sub').value = user.sub;
        $('admin-result').textContent = '';
        await listSessions(user.sub);
      }),
    );
    item.append(name, ' ', choose);
    list.append(item);
    addKnownSub(user.sub, user.email || user.username);
  }
  const more = $('user-matches-more');
  more.hidden = !result.next;
  more.onclick = () => run(() => findUsers(email, result.next));
  if (!next && result.users.length === 0)
    $('admin-result').textContent = `No user’s email starts with “${email}”.`;
}

/** The trimmed value of input `id` if it matches `pattern`; otherwise marks the field invalid and throws `hint`. */
function checkedInput(id, pattern, hint) {
  const field = $(id);
  const value = field.value.trim();
  if (!pattern.test(value)) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
    throw new Error(hint);
  }
  field.removeAttribute('aria-invalid');
  return value;
}

function adminEmail() {
  return checkedInput(
    'admin-email',
    EMAIL_PREFIX,
    'Enter the start of an email address (no spaces or quotes).',
  );
}

function adminSub() {
  return checkedInput('admin-sub', SUB, 'Enter a user id (sub): letters, digits and dashes.');
}
