// "Your sessions": every device signed in as you (GET /me/sessions), each one ended with a click.
import { $ } from './render.js';
import { signOut } from './session-panel.js';
import { run, state } from './state.js';

/** Lists the caller's active sessions, newest first. */
export async function loadMySessions() {
  const { sessions } = await state.auth.call('/me/sessions');
  const body = $('my-sessions-body');
  body.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.sessionId;
    const device = document.createElement('th');
    device.scope = 'row';
    device.textContent = session.device ?? 'unknown device';
    device.title = session.userAgent ?? 'no User-Agent recorded'; // the raw string, for whoever needs it
    if (session.current) {
      const marker = document.createElement('strong');
      marker.className = 'this-device';
      marker.textContent = ' (this device)';
      device.append(marker);
    }
    row.append(device);
    for (const text of [
      session.ip ?? '',
      new Date(session.createdAt * 1000).toLocaleString(),
      new Date(session.lastUsedAt * 1000).toLocaleString(),
    ]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    const actions = document.createElement('td');
    const end = document.createElement('button');
    end.type = 'button';
    end.className = 'danger';
    end.textContent = 'Sign out this device';
    end.setAttribute('aria-label', `Sign out session ${session.sessionId}`);
    end.addEventListener('click', () =>
      run(async () => {
        if (session.current) return signOut(false); // this tab's own session: a full sign-out
        await state.auth.call(`/me/sessions/${encodeURIComponent(session.sessionId)}/revoke`, {
          method: 'POST',
        });
        await loadMySessions();
        $('my-sessions-result').textContent =
          `Signed out ${session.device ?? 'that device'}: its tokens are refused and its sockets closed.`;
      }),
    );
    actions.append(end);
    row.append(actions);
    body.append(row);
  }
  $('my-sessions-caption').textContent = `Your sessions (${sessions.length}, newest first)`;
}
