// Environment variable names of revocation events: publishing (every revoking function) and the events-in function.

export const EventsEnv = {
  /** Our EventBridge bus: every revocation is published there (AWS). */
  eventBusName: 'REVOCATION_EVENT_BUS_NAME',
  /** Offline instead of a bus: the JSON-lines file every event is appended to. */
  eventsFile: 'REVOCATION_EVENTS_FILE',
  /** The user pool's token issuer, for the events' subject identifiers. */
  issuer: 'REVOCATION_EVENT_ISSUER',
} as const;
