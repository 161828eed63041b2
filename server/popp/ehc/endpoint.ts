import type { EhcDeps } from './deps';
import { createFlowFactory } from './flow';
import { createEhcEndpointWithFlow, type EhcEndpoint } from './ws-endpoint';

export { EHC_PATH, type EhcEndpoint } from './ws-endpoint';

export type { EhcDeps, EhcActor, EhcTrust, EhcConfig, EhcTokenInput, EhcLogEvent } from './deps';

/**
 * The eGK check-in endpoint (issue 5): mount `handleUpgrade` for upgrade requests on
 * EHC_PATH. Throws at construction when `deps.trust` is inconsistent.
 */
export function createEhcEndpoint(deps: EhcDeps): EhcEndpoint {
  return createEhcEndpointWithFlow(deps, createFlowFactory(deps));
}
