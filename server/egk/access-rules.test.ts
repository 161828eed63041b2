import { describe, expect, it } from 'vitest';
import { fromHex } from '../../lib/bytes';
import { OID } from '../card/oid';
import { type SecurityContext, decide, evaluate, parseAccessRules } from './access-rules';
import { loadCardImage, walk } from './image';
import { interopAvailable } from '../testing/interop';
import { readCardImageXml } from '../card/testing/interop-fixtures';

const none: SecurityContext = { secureMessaging: false, commandEncrypted: false, authenticatedChats: [], verifiedPasswords: new Set() };
const smTi: SecurityContext = { ...none, secureMessaging: true, commandEncrypted: true, sessionChat: { oid: OID.CVC_FLAGLIST_TI, flags: fromHex('00000000000000') } };
const smCms: SecurityContext = { ...smTi, sessionChat: { oid: OID.CVC_FLAGLIST_CMS, flags: fromHex('00800000000000') } };

const RULES = `CB{ [ACTIVATED,1,{ ({00||e4||00||00,80||0e||??||??},OR{SMMAC(13),SMMAC(cvc_FlagList_CMS:00800000000000)}),
  ({00||d6||??||??},AND{OR{SMMAC(13),SMMAC(cvc_FlagList_CMS:00800000000000)},SMCMDENC}), ({00||b0||??||??},ALW) }],
  [DEACTIVATED,??,{ ({00||b0||??||??},NEVER) }]},
  CL{ [ACTIVATED,1,{ ({00||b0||??||??},AND{SMMAC(02),SMRSPENC}), ({00||88||00||00},AND{PWD(01),AUTCHAT(cvc_FlagList_TI:00080000000000)}), ({00||2a||??||??},FOO(1)) }]}`;

describe('access rules', () => {
  const r = parseAccessRules(RULES);

  it('parses interfaces, rule sets, patterns and conditions', () => {
    expect(Object.keys(r)).toEqual(['CB', 'CL']);
    expect(r.CB.map((s) => [s.lifeCycleStatus, s.se])).toEqual([
      ['ACTIVATED', 1],
      ['DEACTIVATED', null],
    ]);
    expect(r.CB[0].rules[0].patterns[1].bytes).toEqual([0x80, 0x0e, null, null]);
    expect(r.CL[0].rules[2].condition).toEqual({ op: 'UNKNOWN', text: 'FOO(1)' });
  });

  it('contact: READ ALW; UPDATE needs SM by a CMS role with encrypted data; SM/chaining bits of CLA ignored', () => {
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x00, 0xb0, 0x84, 0x00], none).allowed).toBe(true);
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x0c, 0xb0, 0x84, 0x00], smTi).allowed).toBe(true);
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x00, 0xd6, 0, 0], none).allowed).toBe(false);
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x0c, 0xd6, 0, 0], smTi).allowed).toBe(false); // TI flag list, no CMS right
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x0c, 0xd6, 0, 0], smCms).allowed).toBe(true);
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x0c, 0xd6, 0, 0], { ...smCms, commandEncrypted: false }).allowed).toBe(false);
  });

  it('no rule, other life-cycle state, other SE, other interface: deny', () => {
    expect(decide(r, 'CB', 'ACTIVATED', 1, [0x00, 0x20, 0, 0], none).allowed).toBe(false);
    expect(decide(r, 'CB', 'DEACTIVATED', 1, [0x00, 0xb0, 0, 0], none).allowed).toBe(false);
    expect(decide(r, 'CB', 'ACTIVATED', 2, [0x00, 0xb0, 0, 0], none).allowed).toBe(false);
    expect(decide(undefined, 'CB', 'ACTIVATED', 1, [0x00, 0xb0, 0, 0], none).allowed).toBe(false);
  });

  it('SMRSPENC asks for response encryption; PWD, AUTCHAT without authentication and unknown terms deny', () => {
    expect(decide(r, 'CL', 'ACTIVATED', 1, [0x0c, 0xb0, 0, 0], { ...smTi, sessionKeyRef: 2 })).toEqual({ allowed: true, encryptResponse: true });
    expect(decide(r, 'CL', 'ACTIVATED', 1, [0x0c, 0xb0, 0, 0], smTi).allowed).toBe(false);
    expect(decide(r, 'CL', 'ACTIVATED', 1, [0x00, 0x88, 0, 0], none).allowed).toBe(false);
    const authed = { ...none, verifiedPasswords: new Set([1]), authenticatedChats: [{ oid: OID.CVC_FLAGLIST_TI, flags: fromHex('00080000000000') }] };
    expect(decide(r, 'CL', 'ACTIVATED', 1, [0x00, 0x88, 0, 0], authed).allowed).toBe(true);
    expect(decide(r, 'CL', 'ACTIVATED', 1, [0x00, 0x2a, 0, 0], authed).allowed).toBe(false);
    expect(evaluate({ op: 'SMMAC', arg: 'nonsense' }, smTi).allowed).toBe(false);
  });

  it.each(['', 'CB{', 'CB{ [ACTIVATED,1,{ ({00||b0},ALW) }]}', 'CB{ [ACTIVATED,1,{ ({zz||b0||??||??},ALW) }]}', 'CB{ [ACTIVATED,x,{ }]}', 'CB{ [ACTIVATED,1,{ ({00||b0||??||??},ALW) }]} junk'])(
    'malformed rule text %j is IMAGE_MALFORMED',
    (t) => {
      expect(() => parseAccessRules(t)).toThrow(expect.objectContaining({ code: 'IMAGE_MALFORMED' }));
    },
  );
});

describe('card image loader', () => {
  it.each([
    ['not xml', '<card'],
    ['wrong root', '<x/>'],
    ['no object system', '<card/>'],
    ['no MF', '<card><objectSystem><attribute id="root"/></objectSystem></card>'],
    ['bad hex', '<card><objectSystem><attribute id="root"><child id="MF" objectType="ADF"><attributes><attribute id="fileIdentifier">3fzz</attribute></attributes></child></attribute></objectSystem></card>'],
    ['body shorter than logical end', '<card><objectSystem><attribute id="root"><child id="MF" objectType="ADF"><children><child id="EF" objectType="TransparentElementaryFile"><attributes><attribute id="body">00</attribute><attribute id="positionLogicalEndOfFile">05</attribute></attributes></child></children></child></attribute></objectSystem></card>'],
  ])('%s → IMAGE_MALFORMED', (_n, xml) => {
    expect(() => loadCardImage(xml)).toThrow(expect.objectContaining({ code: 'IMAGE_MALFORMED' }));
  });

  it('unknown curve → IMAGE_UNSUPPORTED', () => {
    const xml = `<card><objectSystem><attribute id="root"><child id="MF" objectType="ADF"><children><child id="K" objectType="PrivateElcKey"><attributes>
      <attribute id="keyIdentifier">09</attribute><attribute id="domainParameterOid">secp256k1</attribute><attribute id="privateKey">01</attribute><attribute id="P">04</attribute>
      </attributes></child></children></child></attribute></objectSystem></card>`;
    expect(() => loadCardImage(xml)).toThrow(expect.objectContaining({ code: 'IMAGE_UNSUPPORTED' }));
  });

  it.skipIf(!interopAvailable())("gematik's image: every object's access rules parse; body elements with extra attributes load", () => {
    const img = loadCardImage(readCardImageXml());
    let n = 0;
    for (const { obj } of walk(img.mf)) {
      expect(obj.accessRules?.CB, obj.id).toBeDefined();
      n++;
    }
    expect(n).toBeGreaterThan(60);
    const gdo = [...walk(img.mf)].find((x) => x.obj.id === 'EF.GDO')!.obj;
    expect(gdo.kind === 'ef' && gdo.body.length).toBe(12); // <attribute id="body" herstellerspezifisch="true">
    // contact read rules: CH.AUT ALW, EF.NFD needs a role (AUTCHAT) or PIN
    const rule = (id: string) => [...walk(img.mf)].find((x) => x.obj.id === id)!.obj.accessRules;
    expect(decide(rule('EF.C.CH.AUT.E256'), 'CB', 'ACTIVATED', 1, [0, 0xb0, 0x84, 0], none).allowed).toBe(true);
    expect(decide(rule('EF.NFD'), 'CB', 'ACTIVATED', 1, [0, 0xb0, 0x90, 0], none).allowed).toBe(false);
  });
});
