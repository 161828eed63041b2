import type { CardTransport } from '../card-transport/types';
import { fromHex, toHex } from '../bytes/hex';
import type { ScenarioStep } from '../popp-messages/schemas';
import { EhcClientError } from './errors';

export interface ScenarioRun {
  /** Response APDUs (data ‖ SW) in lower-case hex, one per executed step. */
  responses: string[];
  /** The run stopped at a status word not in `expectedStatusWords` (the last response is that one). */
  stoppedAtUnexpected: boolean;
  /** The run was interrupted from outside (service message, card pulled); nothing is to be sent. */
  interrupted: boolean;
}

/**
 * Runs one scenario against the card, step by step in order, and stops at the first
 * status word the service did not list — the service expects exactly that: all
 * responses, or fewer with the unexpected one last. The client reads nothing into
 * the card's data (A_27594): it only compares status words.
 */
export async function runScenario(
  steps: readonly ScenarioStep[],
  card: CardTransport,
  hooks: { onStep?: (index: number) => void; interrupted?: () => boolean } = {},
): Promise<ScenarioRun> {
  const responses: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    if (hooks.interrupted?.()) return { responses, stoppedAtUnexpected: false, interrupted: true };
    hooks.onStep?.(i);
    let response: Uint8Array;
    try {
      response = await card.transmit(fromHex(steps[i].commandApdu));
    } catch (e) {
      throw new EhcClientError('card-error', 'card transmit failed', { cause: e, details: { step: i } });
    }
    if (!(response instanceof Uint8Array) || response.length < 2) {
      throw new EhcClientError('card-error', 'card answered without a status word', { details: { step: i } });
    }
    const hex = toHex(response).toLowerCase();
    responses.push(hex);
    const sw = hex.slice(-4);
    if (!steps[i].expectedStatusWords.some((e) => e.toLowerCase() === sw)) {
      return { responses, stoppedAtUnexpected: true, interrupted: false };
    }
  }
  return { responses, stoppedAtUnexpected: false, interrupted: false };
}
