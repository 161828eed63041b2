import { parseResponse, type ResponseApdu } from '../../../lib/apdu/response';
import { EhcError } from './errors';
import { PHASE_SW_ERROR, type PlannedScenario } from './flow-types';

/**
 * The answer count rule: one response per step, or fewer when the client stopped at
 * the first status word not in `expectedStatusWords` — then that one is last. Any
 * other count is 79511.
 */
export function checkResponseCount(scenario: PlannedScenario, hex: readonly string[]): ResponseApdu[] {
  const m = scenario.steps.length;
  const n = hex.length;
  // The schema has checked the hex already; Buffer decodes it ~20× faster than a portable loop.
  const responses = hex.map((h) => parseResponse(new Uint8Array(Buffer.from(h, 'hex'))));
  if (n === m) return responses;
  const last = responses[n - 1];
  if (n === 0 || n > m || scenario.steps[n - 1].expected.includes(last.sw)) {
    throw new EhcError('response-count', 'response count does not match the scenario', { details: { steps: m, responses: n } });
  }
  return responses;
}

/**
 * Walks the responses in step order: the first unexpected status word ends the
 * session with its phase's code — unless it is the step's `fallbackOn` word on the
 * last response, which the flow answers with the longer path (returns true).
 */
export function evaluateScenario(scenario: PlannedScenario, responses: readonly ResponseApdu[]): { fallback: boolean } {
  for (let i = 0; i < responses.length; i++) {
    const step = scenario.steps[i];
    const r = responses[i];
    if (!step.expected.includes(r.sw)) {
      if (step.fallbackOn === r.sw && i === responses.length - 1) return { fallback: true };
      throw new EhcError(step.errorOn?.[r.sw] ?? PHASE_SW_ERROR[step.phase], `unexpected status word in ${step.id}`, {
        details: { step: step.id, sw: r.sw.toString(16).padStart(4, '0') },
      });
    }
    step.accept?.(r);
  }
  return { fallback: false };
}
