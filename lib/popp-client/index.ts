export { runEhcCheck, DEFAULT_CLIENT_TIMING, type EhcCheckOptions, type EhcCheckResult, type EhcClientTiming, type EhcProgress } from './check';
export { runScenario, type ScenarioRun } from './scenario';
export { webSocketChannel, CLOSE_CODES, type MessageChannel, type WebSocketLike } from './channel';
export { EhcClientError, isEhcClientError, describeEhcError, type EhcClientErrorCode } from './errors';
