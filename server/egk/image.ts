import { DOMParser, type Element } from '@xmldom/xmldom';
import { CardError } from '../../lib/apdu/errors';
import { fromHex } from '../../lib/bytes/hex';
import { CURVES } from '../../lib/card-crypto/curves';
import type { CurveName } from '../../lib/card-crypto/port';
import { type InterfaceRules, parseAccessRules } from './access-rules';

/**
 * The object system of a gematik card image (XML: card/objectSystem/attribute[@id=root]/child…,
 * each child with attributes/attribute[@id], children/child and records/record). Only what
 * the software eGK needs is typed; the rest is kept as raw attributes.
 */
interface Common {
  id: string;
  lifeCycleStatus: string;
  accessRules?: InterfaceRules;
  attributes: Record<string, string>;
}

export interface DfNode extends Common {
  kind: 'df';
  aid?: Uint8Array;
  fid?: number;
  children: CardObject[];
}

export interface EfNode extends Common {
  kind: 'ef';
  structure: 'transparent' | 'records';
  fid?: number;
  sfi?: number;
  /** Transparent body up to the logical end of file. */
  body: Uint8Array;
  /** Reserved size (numberOfOctet). */
  size: number;
  records: Uint8Array[];
}

export interface PrivateElcKeyNode extends Common {
  kind: 'prk-elc';
  keyId: number;
  curve: CurveName;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  algorithms: string[];
}

export interface PublicElcKeyNode extends Common {
  kind: 'puk-elc';
  /** 8-byte key reference (CHR of the root it stands for). */
  keyRef: Uint8Array;
  curve: CurveName;
  point: Uint8Array;
  chat?: { listName: string; flags: Uint8Array };
  expirationDate?: Uint8Array;
}

export interface OtherNode extends Common {
  kind: 'other';
  objectType: string;
}

export type CardObject = DfNode | EfNode | PrivateElcKeyNode | PublicElcKeyNode | OtherNode;

export interface CardImage {
  name: string;
  mf: DfNode;
  coldAtr?: Uint8Array;
  warmAtr?: Uint8Array;
  /** The card's notion of "today" (CVC date digits YYMMDD), advanced by newer CVCs. */
  pointInTime?: Uint8Array;
  attributes: Record<string, string>;
}

function malformed(message: string, details?: Record<string, unknown>): never {
  throw new CardError('IMAGE_MALFORMED', message, { details });
}

function childElements(el: Element, name?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (name === undefined || (n as Element).nodeName === name)) out.push(n as Element);
  }
  return out;
}

function only(el: Element, name: string): Element | undefined {
  const c = childElements(el, name);
  if (c.length > 1) malformed(`more than one <${name}>`, { in: el.getAttribute('id') });
  return c[0];
}

/** Reads <attribute id="…">text</attribute>; extra attributes on the element (herstellerspezifisch=…) are ignored. */
function attributeMap(container: Element | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!container) return out;
  for (const a of childElements(container, 'attribute')) {
    const id = a.getAttribute('id');
    if (!id) malformed('<attribute> without id');
    out[id] = (a.textContent ?? '').trim();
  }
  return out;
}

function hexAttr(attrs: Record<string, string>, key: string, id: string): Uint8Array | undefined {
  const v = attrs[key];
  // Unpersonalised keys say so literally.
  if (v === undefined || v === '' || v === 'AttributeNotSet') return undefined;
  try {
    return fromHex(v.replace(/^\{|\}$/g, ''));
  } catch {
    malformed(`attribute ${key} of ${id} is not hex`);
  }
}

function intAttr(attrs: Record<string, string>, key: string, id: string): number | undefined {
  const b = hexAttr(attrs, key, id);
  if (!b) return undefined;
  return b.reduce((n, x) => n * 256 + x, 0);
}

function curveOf(name: string | undefined, id: string): CurveName {
  if (name && name in CURVES) return name as CurveName;
  throw new CardError('IMAGE_UNSUPPORTED', `unsupported domain parameters for ${id}`, { details: { curve: name } });
}

function rulesOf(attrs: Record<string, string>, id: string): InterfaceRules | undefined {
  const r = attrs.accessRules;
  if (r === undefined || r === '') return undefined;
  try {
    return parseAccessRules(r);
  } catch (e) {
    throw new CardError('IMAGE_MALFORMED', `access rules of ${id} do not parse`, { cause: e });
  }
}

function readObject(el: Element): CardObject {
  const id = el.getAttribute('id') ?? malformed('<child> without id');
  const objectType = el.getAttribute('objectType') ?? malformed('<child> without objectType', { id });
  const attributes = attributeMap(only(el, 'attributes'));
  const common: Common = {
    id,
    lifeCycleStatus: attributes.lifeCycleStatus ?? 'ACTIVATED',
    accessRules: rulesOf(attributes, id),
    attributes,
  };
  switch (objectType) {
    case 'ADF':
    case 'Application':
    case 'DF': {
      const kids = only(el, 'children');
      return {
        ...common,
        kind: 'df',
        aid: hexAttr(attributes, 'applicationIdentifier', id),
        fid: intAttr(attributes, 'fileIdentifier', id),
        children: kids ? childElements(kids, 'child').map(readObject) : [],
      };
    }
    case 'TransparentElementaryFile':
    case 'LinearFixedElementaryFile':
    case 'LinearVariableElementaryFile':
    case 'CyclicElementaryFile': {
      const transparent = objectType === 'TransparentElementaryFile';
      const body = hexAttr(attributes, 'body', id) ?? new Uint8Array(0);
      const size = intAttr(attributes, 'numberOfOctet', id) ?? body.length;
      const end = intAttr(attributes, 'positionLogicalEndOfFile', id);
      if (transparent && end !== undefined && end > body.length) malformed(`logical end of ${id} lies past its body`, { end, body: body.length });
      const recordsEl = only(el, 'records');
      return {
        ...common,
        kind: 'ef',
        structure: transparent ? 'transparent' : 'records',
        fid: intAttr(attributes, 'fileIdentifier', id),
        sfi: intAttr(attributes, 'shortFileIdentifier', id),
        body: end !== undefined ? body.slice(0, end) : body,
        size,
        records: recordsEl
          ? childElements(recordsEl, 'record').map((r) => hexAttr(attributeMap(r), 'recordValue', id) ?? new Uint8Array(0))
          : [],
      };
    }
    case 'PrivateElcKey': {
      const curve = curveOf(attributes.domainParameterOid, id);
      const privateKey = hexAttr(attributes, 'privateKey', id);
      const publicKey = hexAttr(attributes, 'P', id);
      const keyId = intAttr(attributes, 'keyIdentifier', id);
      if (keyId === undefined) malformed(`ELC key ${id} lacks a key identifier`);
      if (!privateKey || !publicKey) return { ...common, kind: 'other', objectType };
      const algs = /\(([^)]*)\)/.exec(attributes.listAlgorithmIdentifier ?? '')?.[1] ?? '';
      return { ...common, kind: 'prk-elc', keyId, curve, privateKey, publicKey, algorithms: algs.split(',').map((s) => s.trim()).filter(Boolean) };
    }
    case 'PublicElcVerificationKey': {
      const curve = curveOf(attributes.domainParameterOid, id);
      const keyRef = hexAttr(attributes, 'keyIdentifier', id);
      const point = hexAttr(attributes, 'P', id);
      if (!keyRef || !point) malformed(`public key ${id} lacks key material`);
      const chatM = /^([A-Za-z_]+):([0-9a-fA-F]{14})$/.exec(attributes.CHAT ?? '');
      return {
        ...common,
        kind: 'puk-elc',
        keyRef,
        curve,
        point,
        chat: chatM ? { listName: chatM[1], flags: fromHex(chatM[2]) } : undefined,
        expirationDate: hexAttr(attributes, 'expirationDate', id),
      };
    }
    default:
      return { ...common, kind: 'other', objectType };
  }
}

/** Loads a card image with a real XML parser; malformed XML or structure is IMAGE_MALFORMED. */
export function loadCardImage(xml: string): CardImage {
  let doc;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (e) {
    throw new CardError('IMAGE_MALFORMED', 'card image is not well-formed XML', { cause: e });
  }
  const card = doc.documentElement;
  if (!card || card.nodeName !== 'card') malformed('root element must be <card>');
  const os = only(card, 'objectSystem') ?? malformed('no <objectSystem>');
  const rootAttr = childElements(os, 'attribute').find((a) => a.getAttribute('id') === 'root') ?? malformed('no root attribute');
  const mfEl = childElements(rootAttr, 'child');
  if (mfEl.length !== 1) malformed('root must hold exactly one MF');
  const mf = readObject(mfEl[0]);
  if (mf.kind !== 'df') malformed('root object is not a DF');
  const attributes = attributeMap(os);
  delete attributes.root;
  return {
    name: card.getAttribute('name') ?? '',
    mf,
    coldAtr: hexAttr(attributes, 'coldAnswerToReset', 'objectSystem'),
    warmAtr: hexAttr(attributes, 'warmAnswerToReset', 'objectSystem'),
    pointInTime: hexAttr(attributes, 'pointInTime', 'objectSystem'),
    attributes,
  };
}

export function* walk(df: DfNode): Generator<{ obj: CardObject; parent: DfNode }> {
  for (const c of df.children) {
    yield { obj: c, parent: df };
    if (c.kind === 'df') yield* walk(c);
  }
}

export function findById(image: CardImage, id: string): CardObject | undefined {
  if (image.mf.id === id) return image.mf;
  for (const { obj } of walk(image.mf)) if (obj.id === id) return obj;
  return undefined;
}
