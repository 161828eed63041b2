import { z } from 'zod';

/**
 * The WebSocket messages of gematik's `I_PoPP_Token_Generation.yaml` (API 3.1.0,
 * message version 1.0.0), one zod schema each. Like the yaml, unknown properties
 * are allowed and dropped (SAMPLE still sends `pn` in Token); everything the yaml
 * pins — `type`, `version`, ranges, array sizes, required fields — is enforced.
 * Hex fields are checked tighter than the yaml's prose ("hexadecimal string",
 * responses "at least 4 characters") because the bytes go to a card or a parser.
 */

export const MESSAGE_VERSION = '1.0.0';

const version = z.literal(MESSAGE_VERSION);

/** Whole bytes in hex, either case (the yaml's examples are lower case, gematik's traces upper case). */
const hexBytes = /^(?:[0-9a-fA-F]{2})+$/;

/** CLA INS P1 P2 at least. */
export const commandApduHex = z.string().min(8).regex(hexBytes);
export const statusWordHex = z.string().regex(/^[0-9a-fA-F]{4}$/);
/** Response data ‖ SW1 SW2: at least the status word. */
export const responseApduHex = z.string().min(4).regex(hexBytes);

/**
 * 128 bits as a UUID is recommended; with a Konnektor it is the `SessionId` of
 * StartCardSession (≤ 64 characters). Printable ASCII only, because we echo it.
 */
export const clientSessionId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/);

export const cardConnectionType = z.enum([
  'contact-standard',
  'contact-connector',
  'contactless-standard',
  'contactless-connector',
]);

/** The yaml's bounds for both counters: 0..32767. */
const u15 = z.int().min(0).max(32767);

/** Steps per scenario (yaml `maxItems: 63`); also bounds the answers. */
export const MAX_STEPS = 63;

const compactJwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

export const startMessage = z.object({
  type: z.literal('Start'),
  version,
  cardConnectionType,
  clientSessionId,
});

export const scenarioStep = z.object({
  commandApdu: commandApduHex,
  expectedStatusWords: z.array(statusWordHex),
});

export const standardScenarioMessage = z.object({
  type: z.literal('StandardScenario'),
  version,
  clientSessionId,
  sequenceCounter: u15,
  /** ms the service promises between a ScenarioResponse and its next scenario; 0 = this is the last one. */
  timeSpan: u15,
  steps: z.array(scenarioStep).max(MAX_STEPS),
});

/** For `*-connector` clients: a JWT (`typ` JWT, ES256, `x5c`, `stpl`) whose claim `message` is a StandardScenario. */
export const connectorScenarioMessage = z.object({
  type: z.literal('ConnectorScenario'),
  version,
  signedScenario: z.string().regex(compactJwt),
});

export const signedScenarioHeaders = z.object({
  typ: z.literal('JWT'),
  alg: z.literal('ES256'),
  x5c: z.array(z.string()),
  stpl: z.string(),
});

export const signedScenarioClaims = z.object({ message: standardScenarioMessage });

export const scenarioResponseMessage = z.object({
  type: z.literal('ScenarioResponse'),
  steps: z.array(responseApduHex).max(MAX_STEPS),
});

export const tokenMessage = z.object({
  type: z.literal('Token'),
  token: z.string().regex(compactJwt),
});

export const errorMessage = z.object({
  type: z.literal('Error'),
  // As loose as the yaml: an Error must reach the user even from a service with odd codes.
  errorCode: z.string(),
  errorDetail: z.string().optional(),
});

/** Client → service. */
export const clientMessage = z.discriminatedUnion('type', [startMessage, scenarioResponseMessage]);
/** Service → client. */
export const serverMessage = z.discriminatedUnion('type', [
  standardScenarioMessage,
  connectorScenarioMessage,
  tokenMessage,
  errorMessage,
]);

export type CardConnectionType = z.infer<typeof cardConnectionType>;
export type StartMessage = z.infer<typeof startMessage>;
export type ScenarioStep = z.infer<typeof scenarioStep>;
export type StandardScenarioMessage = z.infer<typeof standardScenarioMessage>;
export type ConnectorScenarioMessage = z.infer<typeof connectorScenarioMessage>;
export type ScenarioResponseMessage = z.infer<typeof scenarioResponseMessage>;
export type TokenMessage = z.infer<typeof tokenMessage>;
export type ErrorMessage = z.infer<typeof errorMessage>;
export type ClientMessage = z.infer<typeof clientMessage>;
export type ServerMessage = z.infer<typeof serverMessage>;

export const CLIENT_MESSAGE_TYPES = ['Start', 'ScenarioResponse'] as const;
export const SERVER_MESSAGE_TYPES = ['StandardScenario', 'ConnectorScenario', 'Token', 'Error'] as const;
