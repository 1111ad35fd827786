// App-client settings cognito-local drops (refresh-token rotation), kept by the twin beside cognito-local's clients.
import type { RefreshTokenRotationType } from '@aws-sdk/client-cognito-identity-provider';
import type { Context } from 'cognito-local/lib/services/context';
import type { DataStore } from 'cognito-local/lib/services/dataStore/dataStore';

/** Rotation of one client: on, with this grace period (RetryGracePeriodSeconds, 0-60 s). */
export interface Rotation {
  readonly graceSeconds: number;
}

/** Per-client `RefreshTokenRotation`, captured from CreateUserPoolClient / UpdateUserPoolClient. */
export class ClientSettings {
  constructor(
    private readonly store: DataStore,
    private readonly ctx: Context,
  ) {}

  /** The client's rotation, or undefined when rotation is off (Cognito's default). */
  async rotation(clientId: string): Promise<Rotation | undefined> {
    const saved = await this.store.get<RefreshTokenRotationType>(this.ctx, ['Rotation', clientId]);
    if (saved?.Feature !== 'ENABLED') return undefined;
    return { graceSeconds: saved.RetryGracePeriodSeconds ?? 0 };
  }

  async saveRotation(clientId: string, rotation: RefreshTokenRotationType | undefined): Promise<void> {
    if (rotation) await this.store.set(this.ctx, ['Rotation', clientId], rotation);
  }
}
