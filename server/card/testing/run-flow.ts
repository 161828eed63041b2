import { parseResponse } from '../../../lib/apdu/response';
import { CardError } from '../../../lib/apdu/errors';
import type { CardCrypto } from '../../../lib/card-crypto/port';
import { type ChAut, parseChAut } from '../chaut';
import { certificatesToImport } from '../cvc/chain';
import { type Cvc, parseCvc } from '../cvc/cvc';
import type { CvcDate } from '../cvc/date';
import { type TrustAnchor, verifyChain } from '../cvc/verify';
import {
  type ScenarioStep,
  buildGa2Step,
  buildReadCvcSteps,
  buildSecureReadChAutSteps,
  buildTrustedChannelSteps,
  establishTrustedChannel,
  parseGa1Response,
  parseListPublicKey,
} from '../trusted-channel';

/**
 * Test helper: the whole contact flow from the service side against anything with
 * `transmit` (a SoftwareEgk), as the scenario state machine will run it over WebSocket.
 * Throws the first CardError (chain, status, SM) — tests assert on its code.
 */
export function runContactFlow(
  card: { transmit(apdu: Uint8Array): Uint8Array },
  p: { crypto: CardCrypto; serviceCvc: Cvc; servicePrivateKey: Uint8Array; pool: Cvc[]; anchors: TrustAnchor[]; today?: CvcDate },
): { chAut: ChAut; chAutDer: Uint8Array; cardCvc: Cvc } {
  const run = (steps: ScenarioStep[]) =>
    steps.map((s) => {
      const r = parseResponse(card.transmit(s.command));
      if (!s.expectedStatusWords.includes(r.sw)) {
        throw new CardError('STATUS_UNEXPECTED', 'card answered an unexpected status', { details: { sw: r.sw.toString(16) } });
      }
      return r;
    });
  const [sub, ee, lpk] = run(buildReadCvcSteps());
  const cardSub = parseCvc(sub.data);
  const cardCvc = parseCvc(ee.data);
  verifyChain(p.crypto, [cardSub, cardCvc], p.anchors, { date: p.today });
  const known = parseListPublicKey(lpk.data).map((e) => e.keyRef);
  const imports = certificatesToImport(p.serviceCvc, p.pool, known);
  if (!imports) throw new CardError('CVC_ISSUER_UNKNOWN', 'the card knows no key that leads to the service CVC');
  const tc = run(buildTrustedChannelSteps({ imports, serviceChr: p.serviceCvc.chr }));
  const cardEphemeralPublic = parseGa1Response(p.crypto, tc[tc.length - 1].data);
  const serviceEphemeral = p.crypto.generateKeyPair(cardCvc.publicKey.curve);
  const { sm } = establishTrustedChannel(p.crypto, {
    serviceStaticPrivate: p.servicePrivateKey,
    serviceEphemeral,
    cardStaticPublic: cardCvc.publicKey.point,
    cardEphemeralPublic,
  });
  run([buildGa2Step(serviceEphemeral.publicKey)]);
  const steps = buildSecureReadChAutSteps(sm);
  const [sel, read] = sm.unwrapResponses(steps.map((s) => card.transmit(s.command)));
  for (const r of [sel, read]) {
    if (r.sw !== 0x9000) throw new CardError('STATUS_UNEXPECTED', 'protected command failed', { details: { sw: r.sw.toString(16) } });
  }
  return { chAut: parseChAut(read.data), chAutDer: read.data, cardCvc };
}
