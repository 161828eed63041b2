/**
 * The slice of the Web Smart Card API (https://wicg.github.io/web-smart-card/)
 * used here, typed structurally (no TypeScript DOM types exist). The API is
 * [SecureContext, IsolatedContext]: only Isolated Web Apps see it.
 */
export type SmartCardProtocol = 'raw' | 't0' | 't1';
export type SmartCardAccessMode = 'shared' | 'exclusive' | 'direct';
export type SmartCardDisposition = 'leave' | 'reset' | 'unpower' | 'eject';

export interface SmartCardReaderStateFlagsIn {
  unaware?: boolean;
  ignore?: boolean;
  unavailable?: boolean;
  empty?: boolean;
  present?: boolean;
  exclusive?: boolean;
  inuse?: boolean;
  mute?: boolean;
  unpowered?: boolean;
}

export interface SmartCardReaderStateFlagsOut extends SmartCardReaderStateFlagsIn {
  changed?: boolean;
  unknown?: boolean;
}

export interface SmartCardReaderStateIn {
  readerName: string;
  currentState: SmartCardReaderStateFlagsIn;
  currentCount?: number;
}

export interface SmartCardReaderStateOut {
  readerName: string;
  eventState: SmartCardReaderStateFlagsOut;
  eventCount?: number;
  answerToReset?: ArrayBuffer;
}

export interface SmartCardConnectionLike {
  transmit(sendBuffer: Uint8Array, options?: { protocol?: SmartCardProtocol }): Promise<ArrayBuffer>;
  status(): Promise<{ readerName: string; state: string; answerToReset?: ArrayBuffer }>;
  disconnect(disposition?: SmartCardDisposition): Promise<void>;
}

export interface SmartCardContextLike {
  listReaders(): Promise<string[]>;
  getStatusChange(
    readerStates: SmartCardReaderStateIn[],
    options?: { timeout?: number; signal?: AbortSignal },
  ): Promise<SmartCardReaderStateOut[]>;
  connect(
    readerName: string,
    accessMode: SmartCardAccessMode,
    options?: { preferredProtocols?: SmartCardProtocol[] },
  ): Promise<{ connection: SmartCardConnectionLike; activeProtocol?: SmartCardProtocol }>;
}

export interface SmartCardResourceManagerLike {
  establishContext(): Promise<SmartCardContextLike>;
}

export function browserSmartCard(): SmartCardResourceManagerLike | undefined {
  const nav = (globalThis as { navigator?: { smartCard?: SmartCardResourceManagerLike } }).navigator;
  return nav?.smartCard;
}
