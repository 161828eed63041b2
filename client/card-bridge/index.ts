/**
 * The card bridge: every way from the dashboard to a card, each a CardTransport.
 * See docs/readers.md for which path is used when, and why.
 */
export { detectTransportOptions, pickDefault, probeBridgeStatus, bridgeStatusUrl, type TransportOption, type TransportKind, type DetectOptions } from './select';
export { readerErrorText, offersBridge, PATH_LABELS, PATH_REASONS, type Lang } from './messages';
export { WebUsbCcidTransport, type WebUsbCcidOptions } from './webusb-ccid/transport';
export { requestCcidReader, grantedCcidReaders, ccidDeviceFilters } from './webusb-ccid/request';
export { describeCcidDevice } from './webusb-ccid/open-reader';
export { SmartCardApiTransport, smartCardApiAvailability } from './smartcard-api/transport';
export { BridgeClient, type BridgeClientOptions, type BridgeState } from './loopback/bridge-client';
export { LoopbackBridgeTransport } from './loopback/transport';
export { LOCAL_NETWORK_ACCESS_GUIDANCE, PAIRING_GUIDANCE } from './loopback/guidance';
export { formatPairingCode, normalisePairingCode, DEFAULT_BRIDGE_PORT } from './loopback/protocol';
export { VirtualReaderTransport, VIRTUAL_READER_LABEL, type VirtualCardPort } from './virtual/transport';
export { webSocketVirtualCard } from './virtual/websocket-card';
