import type { ResponseApdu } from '../../../lib/apdu/response';
import type { EhcErrorCode } from './errors';

/**
 * The scenario phases gematik names in its BDE codes: an unexpected status word in a
 * step is reported with its phase's code (79506 / 79507 / 79509 / 79508).
 */
export type Phase = 'open-egk' | 'read-cvc' | 'trusted-channel' | 'read-x509';

export const PHASE_SW_ERROR: Record<Phase, EhcErrorCode> = {
  'open-egk': 'sw-open-egk',
  'read-cvc': 'sw-read-cvc',
  'trusted-channel': 'sw-trusted-channel',
  'read-x509': 'sw-read-x509',
};

/** One command of a scenario, with what its answer means to the flow. */
export interface PlannedStep {
  /** Step name for logs and tests (`select-mf`, `mse-set-dst`, …). */
  id: string;
  phase: Phase;
  command: Uint8Array;
  expected: readonly number[];
  /**
   * A status word outside `expected` that is an answer rather than an error — only
   * 6A88 on the speculative MSE SET DST ("card lacks that root"). The client stops
   * there, and the flow takes the longer path.
   */
  fallbackOn?: number;
  /** Status words with a more specific meaning than "unexpected" (6987/6988 under SM: the card refused our MAC). */
  errorOn?: Readonly<Record<number, EhcErrorCode>>;
  /** Reads the answer into the flow's state; throws an EhcError when it is unacceptable. */
  accept?(response: ResponseApdu): void;
}

export interface PlannedScenario {
  steps: PlannedStep[];
  /** Sent with `timeSpan` 0: the service's last scenario. */
  last: boolean;
}

export type FlowOutcome =
  | { kind: 'scenario'; scenario: PlannedScenario }
  | { kind: 'identity'; patientId: string; insurerId: string; holderName?: string | null };

/** The card conversation of one session; the session handles transport, deadlines and the token. */
export interface EhcFlow {
  first(): PlannedScenario;
  /**
   * Evaluates the responses to the scenario last returned (count already checked, see
   * checkResponseCount). `receivedAt` (ms) is when they arrived.
   */
  answer(responses: ResponseApdu[], receivedAt: number): Promise<FlowOutcome>;
}
