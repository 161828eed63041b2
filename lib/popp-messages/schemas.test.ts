import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { interopAvailable, interopPath } from '../../server/testing/interop';
import { BDE, bdeByCode, bdeText } from './bde-codes';
import { decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeServerMessage } from './codec';
import { isMessageError } from './errors';
import {
  connectorScenarioMessage,
  errorMessage,
  scenarioResponseMessage,
  scenarioStep,
  standardScenarioMessage,
  startMessage,
  tokenMessage,
} from './schemas';

const start = { type: 'Start', version: '1.0.0', cardConnectionType: 'contact-standard', clientSessionId: '123e4567-e89b-12d3-a456-426614174000' };
const scenario = {
  type: 'StandardScenario',
  version: '1.0.0',
  clientSessionId: start.clientSessionId,
  sequenceCounter: 0,
  timeSpan: 1000,
  steps: [{ commandApdu: '00a4040c', expectedStatusWords: ['9000', '6f00'] }],
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isMessageError(e)) return e.code;
    throw e;
  }
  return 'ok';
}

describe('decoding what the service receives', () => {
  it('accepts the yaml examples and drops unknown properties', () => {
    expect(decodeClientMessage(JSON.stringify(start))).toEqual(start);
    const r = decodeClientMessage(JSON.stringify({ type: 'ScenarioResponse', steps: ['9000', 'abcd9000', '11223344559000', '6a81'], extra: 1 }));
    expect(r).toEqual({ type: 'ScenarioResponse', steps: ['9000', 'abcd9000', '11223344559000', '6a81'] });
  });

  it.each([
    ['not JSON', '{"type":', 'not-json'],
    ['array', '[1]', 'not-object'],
    ['null', 'null', 'not-object'],
    ['unknown type', '{"type":"Hello"}', 'unknown-type'],
    ['missing type', '{"version":"1.0.0"}', 'unknown-type'],
    ['server message from a client', JSON.stringify({ type: 'Token', token: 'a.b.c' }), 'wrong-direction'],
    ['wrong version', JSON.stringify({ ...start, version: '2.0.0' }), 'schema'],
    ['unknown connection type', JSON.stringify({ ...start, cardConnectionType: 'nfc' }), 'schema'],
    ['missing clientSessionId', JSON.stringify({ type: 'Start', version: '1.0.0', cardConnectionType: 'contact-standard' }), 'schema'],
    ['response shorter than a status word', JSON.stringify({ type: 'ScenarioResponse', steps: ['90'] }), 'schema'],
    ['odd hex', JSON.stringify({ type: 'ScenarioResponse', steps: ['900'] }), 'schema'],
    ['non-hex', JSON.stringify({ type: 'ScenarioResponse', steps: ['90zz'] }), 'schema'],
    ['64 answers', JSON.stringify({ type: 'ScenarioResponse', steps: Array(64).fill('9000') }), 'schema'],
  ])('%s → %s', (_name, text, code) => {
    expect(codeOf(() => decodeClientMessage(text))).toBe(code);
  });

  it('never throws anything but a MessageError, whatever the frame', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ type: 'Start', v }))), (text) => {
        const c = codeOf(() => decodeClientMessage(text));
        expect(typeof c).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('decoding what the client receives', () => {
  it('accepts a scenario and a Token with SAMPLE’s extra `pn`', () => {
    expect(decodeServerMessage(JSON.stringify(scenario))).toEqual(scenario);
    expect(decodeServerMessage('{"type":"Token","token":"eyJh.eyJi.c2ln","pn":"pn"}')).toEqual({ type: 'Token', token: 'eyJh.eyJi.c2ln' });
  });
  it.each([
    ['counter above 32767', { ...scenario, sequenceCounter: 32768 }],
    ['negative timeSpan', { ...scenario, timeSpan: -1 }],
    ['fractional timeSpan', { ...scenario, timeSpan: 1.5 }],
    ['64 steps', { ...scenario, steps: Array(64).fill(scenario.steps[0]) }],
    ['3-byte command', { ...scenario, steps: [{ commandApdu: '00a404', expectedStatusWords: [] }] }],
    ['5-digit status word', { ...scenario, steps: [{ commandApdu: '00a4040c', expectedStatusWords: ['90000'] }] }],
    ['token that is no JWT', { type: 'Token', token: 'hello' }],
    ['Error without code', { type: 'Error' }],
  ])('%s → schema', (_n, msg) => {
    expect(codeOf(() => decodeServerMessage(JSON.stringify(msg)))).toBe('schema');
  });
  it('a Start sent by the service is the wrong direction', () => {
    expect(codeOf(() => decodeServerMessage(JSON.stringify(start)))).toBe('wrong-direction');
  });
});

describe('encoding validates outgoing messages too', () => {
  it('refuses a non-conformant message of our own', () => {
    expect(codeOf(() => encodeServerMessage({ ...scenario, timeSpan: 40000 } as never))).toBe('encode');
    expect(codeOf(() => encodeClientMessage({ type: 'ScenarioResponse', steps: ['x'] }))).toBe('encode');
    expect(JSON.parse(encodeServerMessage({ type: 'Error', errorCode: '79511' }))).toEqual({ type: 'Error', errorCode: '79511' });
  });
});

describe('BDE code table', () => {
  it('has unique five-digit codes, each with German and English text', () => {
    const codes = Object.values(BDE).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of Object.values(BDE)) {
      expect(e.code).toMatch(/^79\d{3}$/);
      expect(e.de.length).toBeGreaterThan(5);
      expect(e.en.length).toBeGreaterThan(5);
    }
    expect(bdeByCode('79511')?.name).toBe('INVALID_MESSAGE');
    expect(bdeText('79500', 'en')).toMatch(/Authentication/);
    expect(bdeText('70000', 'de')).toContain('70000');
  });
});

describe.runIf(interopAvailable())('agreement with gematik’s I_PoPP_Token_Generation.yaml', () => {
  // Loaded on first use: a skipped describe still runs its body when collecting.
  let loaded: { doc: { components: { schemas: Record<string, { examples?: unknown[] }> } }; ajv: Ajv2020 } | undefined;
  const yaml = () => {
    if (!loaded) {
      const doc = parseYaml(readFileSync(interopPath('api', 'I_PoPP_Token_Generation.yaml'), 'utf8'));
      const ajv = new Ajv2020({ strict: false, allErrors: false });
      addFormats(ajv);
      ajv.addSchema({ $id: 'popp', $defs: {}, components: doc.components });
      loaded = { doc, ajv };
    }
    return loaded;
  };
  const yamlValid = (name: string, v: unknown) => yaml().ajv.validate({ $ref: `popp#/components/schemas/${name}` }, v);

  const pairs = [
    ['StartMessage', startMessage],
    ['StandardScenarioMessage', standardScenarioMessage],
    ['ScenarioStep', scenarioStep],
    ['ConnectorScenarioMessage', connectorScenarioMessage],
    ['ScenarioResponseMessage', scenarioResponseMessage],
    ['TokenMessage', tokenMessage],
    ['ErrorMessage', errorMessage],
  ] as const;

  it.each(pairs)('%s: every yaml example passes our schema', (name, schema) => {
    for (const ex of yaml().doc.components.schemas[name].examples ?? []) {
      expect(yamlValid(name, ex)).toBe(true);
      expect(schema.safeParse(ex).success).toBe(true);
    }
  });

  const hex = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('hex'));
  const anything = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null), fc.boolean());
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: anything });
  // Hex fields go wrong only by type here: a wrong string would hit our (stricter) hex rule.
  const notString = fc.oneof(fc.integer(), fc.constant(null), fc.boolean());
  const maybeHex = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: notString });
  const messages = fc.oneof(
    fc.record(
      {
        type: maybe(fc.constant('Start')),
        version: maybe(fc.constantFrom('1.0.0', '1.0')),
        cardConnectionType: maybe(fc.constantFrom('contact-standard', 'contactless-connector', 'x')),
        clientSessionId: maybe(fc.uuid()),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        type: maybe(fc.constant('StandardScenario')),
        version: maybe(fc.constant('1.0.0')),
        clientSessionId: maybe(fc.uuid()),
        sequenceCounter: maybe(fc.integer({ min: -2, max: 32770 })),
        timeSpan: maybe(fc.integer({ min: -2, max: 32770 })),
        steps: maybe(fc.array(fc.record({ commandApdu: maybeHex(hex(4, 20)), expectedStatusWords: maybe(fc.array(hex(2, 2), { maxLength: 3 })) }), { maxLength: 65 })),
      },
      { requiredKeys: [] },
    ),
    fc.record({ type: maybe(fc.constant('ScenarioResponse')), steps: maybe(fc.array(maybeHex(hex(2, 40)), { maxLength: 65 })) }, { requiredKeys: [] }),
    fc.record({ type: maybe(fc.constant('Error')), errorCode: maybe(fc.constantFrom('79511', '79500')), errorDetail: maybe(fc.string()) }, { requiredKeys: [] }),
  );
  const byType: Record<string, [string, (typeof pairs)[number][1]]> = {
    Start: ['StartMessage', startMessage],
    StandardScenario: ['StandardScenarioMessage', standardScenarioMessage],
    ScenarioResponse: ['ScenarioResponseMessage', scenarioResponseMessage],
    Error: ['ErrorMessage', errorMessage],
  };

  it('our schemas accept nothing the yaml refuses, and accept what it allows for well-formed hex', () => {
    fc.assert(
      fc.property(messages, (m) => {
        const t = (m as { type?: unknown }).type;
        if (typeof t !== 'string' || !byType[t]) return;
        const [name, schema] = byType[t];
        const ours = schema.safeParse(m).success;
        const theirs = yamlValid(name, m);
        if (ours) expect(theirs).toBe(true);
        // Our only extra rules: hex shapes (the generator always meets them) and a printable,
        // 1..64-character clientSessionId (checked here).
        const id = (m as { clientSessionId?: unknown }).clientSessionId;
        const idOk = typeof id !== 'string' || /^[\x21-\x7e]{1,64}$/.test(id);
        if (theirs && idOk) expect(ours).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
