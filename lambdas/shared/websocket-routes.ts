// The signaling WebSocket API's routes and subprotocol: read by the SignalingApi construct, the runtime and the shim.

import { SIGNALING_SCOPE } from './oauth-scopes';
import type { RoutePolicy } from './route-policy';

/** What `$connect` asks of the token beyond being valid and unrevoked: the signaling scope. */
export const CONNECT_POLICY: RoutePolicy = { scopes: [SIGNALING_SCOPE] };

/** The subprotocol clients offer next to `bearer.<token>`, and the one `$connect` selects. */
export const SUBPROTOCOL = 'cognito-guard.v1';

/** API Gateway selects the route from the frame's `action` field. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** Client actions, each a route of its own (anything else goes to `$default`). */
export const SIGNALING_ACTIONS = ['join', 'signal', 'reauth', 'leave'] as const;
export type SignalingAction = (typeof SIGNALING_ACTIONS)[number];

/** Every route key of the API; all are served by the signaling function. */
export const WEBSOCKET_ROUTE_KEYS = ['$connect', '$disconnect', '$default', ...SIGNALING_ACTIONS] as const;
