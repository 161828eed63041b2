/**
 * The development-only institution credential of the headless client (`popp card-check
 * --dev-credential`, env POPP_DEV_CREDENTIAL): sent as this header on the WebSocket
 * handshake, checked by the lead's `EhcDeps.authenticate` and refused there when
 * POPP_ENV=production. Machine access proper (SMC-B + DPoP) replaces it in its own issue.
 */
export const DEV_INSTITUTION_HEADER = 'x-popp-dev-institution';
