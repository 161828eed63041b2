import { CardError } from '../../lib/apdu/errors';
import { fromHex } from '../../lib/bytes/hex';
import { OID } from '../card/oid';

/**
 * Access rules in gematik's card-image notation, e.g.
 *   CB{ [ACTIVATED,1,{ ({00||b0||??||??},ALW), ({00||d6||??||??},AND{SMMAC(13),SMCMDENC}) }]}, CL{ … }
 * CB = contact interface, CL = contactless; each rule set is [life-cycle state, SE, rules];
 * a rule is (command patterns, condition). Unknown terms parse as UNKNOWN and deny.
 */
export type Condition =
  | { op: 'ALW' }
  | { op: 'NEVER' }
  | { op: 'AND' | 'OR'; terms: Condition[] }
  | { op: 'SMMAC' | 'PWD' | 'AUTCHAT'; arg: string }
  | { op: 'SMCMDENC' | 'SMRSPENC' }
  | { op: 'UNKNOWN'; text: string };

export interface CommandPattern {
  /** CLA INS P1 P2, null = `??` wildcard. */
  bytes: [number | null, number | null, number | null, number | null];
}

export interface AccessRule {
  patterns: CommandPattern[];
  condition: Condition;
}

export interface RuleSet {
  lifeCycleStatus: string;
  /** Security environment number, or null for `??`. */
  se: number | null;
  rules: AccessRule[];
}

export type InterfaceRules = Record<string, RuleSet[]>;

class Parser {
  private p = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.p < this.s.length && /\s/.test(this.s[this.p])) this.p++;
  }
  private peek(): string {
    this.ws();
    return this.s[this.p] ?? '';
  }
  private expect(ch: string): void {
    this.ws();
    if (!this.s.startsWith(ch, this.p)) this.fail(`expected '${ch}'`);
    this.p += ch.length;
  }
  private word(): string {
    this.ws();
    const m = /^[A-Za-z0-9_?.:-]+/.exec(this.s.slice(this.p));
    if (!m) this.fail('expected a word');
    this.p += m[0].length;
    return m[0];
  }
  fail(msg: string): never {
    throw new CardError('IMAGE_MALFORMED', `access rules: ${msg}`, { details: { at: this.p, near: this.s.slice(this.p, this.p + 20) } });
  }

  all(): InterfaceRules {
    const out: InterfaceRules = {};
    for (;;) {
      const name = this.word();
      this.expect('{');
      const sets: RuleSet[] = [];
      while (this.peek() === '[') {
        sets.push(this.ruleSet());
        if (this.peek() === ',') this.expect(',');
      }
      this.expect('}');
      out[name] = sets;
      if (this.peek() !== ',') break;
      this.expect(',');
    }
    if (this.peek() !== '') this.fail('trailing text');
    return out;
  }

  private ruleSet(): RuleSet {
    this.expect('[');
    const lcs = this.word();
    this.expect(',');
    const seWord = this.word();
    const se = seWord === '??' ? null : Number.parseInt(seWord, 10);
    if (se !== null && Number.isNaN(se)) this.fail('bad SE');
    this.expect(',');
    this.expect('{');
    const rules: AccessRule[] = [];
    while (this.peek() === '(') {
      rules.push(this.rule());
      if (this.peek() === ',') this.expect(',');
    }
    this.expect('}');
    this.expect(']');
    return { lifeCycleStatus: lcs, se, rules };
  }

  private rule(): AccessRule {
    this.expect('(');
    this.expect('{');
    const patterns: CommandPattern[] = [];
    for (;;) {
      patterns.push(this.pattern());
      if (this.peek() !== ',') break;
      this.expect(',');
    }
    this.expect('}');
    this.expect(',');
    const condition = this.condition();
    this.expect(')');
    return { patterns, condition };
  }

  private pattern(): CommandPattern {
    const parts: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) this.expect('||');
      const w = this.word();
      if (w === '??') parts.push(null);
      else if (/^[0-9a-fA-F]{2}$/.test(w)) parts.push(Number.parseInt(w, 16));
      else this.fail('bad command byte');
    }
    return { bytes: parts as CommandPattern['bytes'] };
  }

  private condition(): Condition {
    const w = this.word();
    if (w === 'AND' || w === 'OR') {
      this.expect('{');
      const terms: Condition[] = [];
      for (;;) {
        terms.push(this.condition());
        if (this.peek() !== ',') break;
        this.expect(',');
      }
      this.expect('}');
      return { op: w, terms };
    }
    let arg: string | undefined;
    if (this.peek() === '(') {
      this.expect('(');
      const end = this.s.indexOf(')', this.p);
      if (end < 0) this.fail('unclosed (');
      arg = this.s.slice(this.p, end).trim();
      this.p = end + 1;
    }
    switch (w) {
      case 'ALW':
      case 'NEVER':
      case 'SMCMDENC':
      case 'SMRSPENC':
        return arg === undefined ? { op: w } : { op: 'UNKNOWN', text: `${w}(${arg})` };
      case 'SMMAC':
      case 'PWD':
      case 'AUTCHAT':
        return arg === undefined ? { op: 'UNKNOWN', text: w } : { op: w, arg };
      default:
        return { op: 'UNKNOWN', text: arg === undefined ? w : `${w}(${arg})` };
    }
  }
}

export function parseAccessRules(text: string): InterfaceRules {
  return new Parser(text).all();
}

/** What the card knows about the current command and session when it checks a rule. */
export interface SecurityContext {
  /** The command arrived under secure messaging with a valid MAC. */
  secureMessaging: boolean;
  /** Its data came encrypted (DO 87), or it had no data. */
  commandEncrypted: boolean;
  /** CHAT of the CVC the SM session was authenticated with (trusted channel). */
  sessionChat?: { oid: string; flags: Uint8Array };
  /** Key reference of a symmetric key the SM session was derived from (e.g. SK.CAN 02); none here. */
  sessionKeyRef?: number;
  /** CHATs of completed role authentications. */
  authenticatedChats: { oid: string; flags: Uint8Array }[];
  verifiedPasswords: ReadonlySet<number>;
}

export interface Decision {
  allowed: boolean;
  /** SMRSPENC was part of the satisfied condition: encrypt the response data (DO 87). */
  encryptResponse: boolean;
}

const FLAG_LISTS: Record<string, string> = { cvc_FlagList_TI: OID.CVC_FLAGLIST_TI, cvc_FlagList_CMS: OID.CVC_FLAGLIST_CMS };

function chatArg(arg: string): { oid: string; flags: Uint8Array } | null {
  const m = /^([A-Za-z_]+):([0-9a-fA-F]{14})$/.exec(arg);
  if (!m || !FLAG_LISTS[m[1]]) return null;
  return { oid: FLAG_LISTS[m[1]], flags: fromHex(m[2]) };
}

function chatCovers(have: { oid: string; flags: Uint8Array } | undefined, need: { oid: string; flags: Uint8Array }): boolean {
  if (!have || have.oid !== need.oid) return false;
  for (let i = 0; i < 7; i++) if ((have.flags[i] & need.flags[i]) !== need.flags[i]) return false;
  return true;
}

const DENY: Decision = { allowed: false, encryptResponse: false };

export function evaluate(c: Condition, ctx: SecurityContext): Decision {
  switch (c.op) {
    case 'ALW':
      return { allowed: true, encryptResponse: false };
    case 'NEVER':
    case 'UNKNOWN':
      return DENY;
    case 'SMCMDENC':
      return { allowed: ctx.secureMessaging && ctx.commandEncrypted, encryptResponse: false };
    case 'SMRSPENC':
      return { allowed: ctx.secureMessaging, encryptResponse: ctx.secureMessaging };
    case 'SMMAC': {
      if (!ctx.secureMessaging) return DENY;
      const need = chatArg(c.arg);
      if (need) return { allowed: chatCovers(ctx.sessionChat, need), encryptResponse: false };
      if (/^[0-9a-fA-F]{2}$/.test(c.arg)) return { allowed: ctx.sessionKeyRef === Number.parseInt(c.arg, 16), encryptResponse: false };
      return DENY;
    }
    case 'AUTCHAT': {
      const need = chatArg(c.arg);
      return { allowed: need !== null && ctx.authenticatedChats.some((h) => chatCovers(h, need)), encryptResponse: false };
    }
    case 'PWD':
      return /^[0-9a-fA-F]{2}$/.test(c.arg) && ctx.verifiedPasswords.has(Number.parseInt(c.arg, 16))
        ? { allowed: true, encryptResponse: false }
        : DENY;
    case 'AND': {
      let enc = false;
      for (const t of c.terms) {
        const d = evaluate(t, ctx);
        if (!d.allowed) return DENY;
        enc ||= d.encryptResponse;
      }
      return { allowed: true, encryptResponse: enc };
    }
    case 'OR': {
      for (const t of c.terms) {
        const d = evaluate(t, ctx);
        if (d.allowed) return d;
      }
      return DENY;
    }
  }
}

function matches(p: CommandPattern, header: readonly number[]): boolean {
  return p.bytes.every((b, i) => b === null || b === header[i]);
}

/**
 * Decides one command against an object's rules for one interface ('CB' contact).
 * The CLA is compared without its SM and channel bits, so `00||b0` covers 0C B0.
 * No rule set or no matching rule means deny.
 */
export function decide(
  rules: InterfaceRules | undefined,
  iface: 'CB' | 'CL',
  lifeCycleStatus: string,
  se: number,
  header: readonly [number, number, number, number],
  ctx: SecurityContext,
): Decision {
  const sets = rules?.[iface];
  if (!sets) return DENY;
  const set = sets.find((s) => s.lifeCycleStatus === lifeCycleStatus && (s.se === null || s.se === se));
  if (!set) return DENY;
  const cla = header[0] & 0x80 ? header[0] : header[0] & 0xf0;
  const h = [cla, header[1], header[2], header[3]];
  const rule = set.rules.find((r) => r.patterns.some((p) => matches(p, h)));
  return rule ? evaluate(rule.condition, ctx) : DENY;
}
