import type { CardTransportInfo } from '../../lib/card-transport/types';
import { DEFAULT_BRIDGE_PORT } from './loopback/protocol';
import { PATH_LABELS, PATH_REASONS, type Lang } from './messages';
import { smartCardApiAvailability } from './smartcard-api/transport';
import type { SmartCardResourceManagerLike } from './smartcard-api/smartcard-types';
import type { UsbLike } from './webusb-ccid/usb-types';

/**
 * How the dashboard picks its path to the card. The local bridge is the
 * default: it works with every reader and every browser. WebUSB is offered
 * where the browser has it, for vendor-class readers (a smart-card-class
 * reader ends in USB_PROTECTED_CLASS, which the UI answers with the bridge).
 * The Web Smart Card API appears only where it exists (Isolated Web Apps),
 * otherwise it is hidden with its one-line reason. The virtual reader only in
 * demo/test setups, always labelled.
 */
export type TransportKind = Exclude<CardTransportInfo['kind'], 'direct'>;

export interface TransportOption {
  kind: TransportKind;
  label: string;
  available: boolean;
  /** The path the picker preselects. */
  recommended: boolean;
  /** Not listed in the picker; `reason` says why (for a tooltip or the help page). */
  hidden: boolean;
  reason: string;
}

export interface DetectOptions {
  lang?: Lang;
  usb?: UsbLike;
  smartCard?: SmartCardResourceManagerLike;
  /** ws://127.0.0.1:<port> of the bridge; its /status answers the probe. */
  bridgeUrl?: string;
  /** Replaces the HTTP probe (tests, or a page that already holds a BridgeClient). */
  probeBridge?: (statusUrl: string) => Promise<boolean>;
  /** Offer the virtual reader (development and demo only). */
  allowVirtual?: boolean;
}

/** GET /status on the bridge with a short timeout; false on any failure (not running, blocked by the browser). */
export async function probeBridgeStatus(statusUrl: string, timeoutMs = 800): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const r = await fetch(statusUrl, { signal: controller.signal });
    const body = (await r.json()) as { bridge?: unknown };
    return r.ok && body.bridge === 'popp';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function bridgeStatusUrl(bridgeUrl = `ws://127.0.0.1:${DEFAULT_BRIDGE_PORT}`): string {
  return `${bridgeUrl.replace(/^ws/, 'http').replace(/\/+$/, '')}/status`;
}

export async function detectTransportOptions(o: DetectOptions = {}): Promise<TransportOption[]> {
  const lang = o.lang ?? 'de';
  const nav = (globalThis as { navigator?: { usb?: UsbLike; smartCard?: SmartCardResourceManagerLike } }).navigator;
  const usb = o.usb ?? nav?.usb;
  const smartCard = o.smartCard ?? nav?.smartCard;
  const bridgeUp = await (o.probeBridge ?? probeBridgeStatus)(bridgeStatusUrl(o.bridgeUrl));
  const options: TransportOption[] = [
    {
      kind: 'bridge',
      label: PATH_LABELS.bridge[lang],
      available: bridgeUp,
      recommended: true,
      hidden: false,
      reason: bridgeUp
        ? PATH_REASONS.bridge[lang]
        : lang === 'de'
          ? 'Brücke nicht erreichbar: bitte „npx popp bridge“ auf diesem PC starten (und Chromes Frage nach dem lokalen Netzwerk mit „Zulassen“ beantworten).'
          : 'Bridge not reachable: please start "npx popp bridge" on this PC (and allow Chrome\'s local network access prompt).',
    },
    {
      kind: 'webusb-ccid',
      label: PATH_LABELS['webusb-ccid'][lang],
      available: usb !== undefined,
      recommended: false,
      hidden: false,
      reason: usb ? PATH_REASONS['webusb-ccid'][lang] : lang === 'de' ? 'Dieser Browser bietet kein WebUSB.' : 'This browser has no WebUSB.',
    },
  ];
  const sc = smartCardApiAvailability(smartCard);
  options.push({
    kind: 'smartcard-api',
    label: PATH_LABELS['smartcard-api'][lang],
    available: sc.available,
    recommended: false,
    hidden: !sc.available,
    reason: sc.available
      ? PATH_REASONS['smartcard-api'][lang]
      : lang === 'de'
        ? sc.reason
        : 'Web Smart Card API not available: Isolated Web Apps only (ChromeOS for now), not ordinary web pages.',
  });
  if (o.allowVirtual) {
    options.push({
      kind: 'virtual',
      label: PATH_LABELS.virtual[lang],
      available: true,
      recommended: false,
      hidden: false,
      reason: PATH_REASONS.virtual[lang],
    });
  }
  return options;
}

/** The preselected option: the recommended one when available, else the first available one. */
export function pickDefault(options: TransportOption[]): TransportOption | undefined {
  return options.find((x) => x.available && x.recommended) ?? options.find((x) => x.available && !x.hidden);
}
