// What the page shows of device binding, and the handshake proof, for app.js (kept apart so app.js changes stay small).
import { boundKeyOf, socketProof } from './device-key.js';

export { socketProof };

/** `bound to <thumbprint>` for a token carrying `cnf.jkt`, else why it is not bound. */
export function deviceBindingLabel(accessToken) {
  const jkt = accessToken ? boundKeyOf(accessToken) : undefined;
  return jkt ? `bound to ${jkt}` : 'not bound (the session was signed in without a device key)';
}
