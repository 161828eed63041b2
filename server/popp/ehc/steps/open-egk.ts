import { encodeCommand } from '../../../../lib/apdu/command';
import { AID, SFI, readBinary, selectAid } from '../../../../lib/apdu/commands';
import { SW } from '../../../../lib/apdu/status-words';
import { toHex } from '../../../../lib/bytes/hex';
import { findTlv, parseTlvs, readTlv } from '../../../../lib/tlv/tlv';
import { EhcError } from '../errors';
import type { PlannedStep } from '../flow-types';
import type { FlowContext } from './context';

/** Reads of transparent files: 6281/6282 are warnings that still deliver data (the content is checked on its own). */
export const READ_OK = [SW.NO_ERROR, SW.CORRUPT_DATA_WARNING, SW.END_OF_FILE_WARNING] as const;

/** G2.1 object-system versions gematik's sample service accepts (application.yaml `supported-g21-cards`). */
export const G21_OBJECT_SYSTEMS = ['040400', '040401', '040500', '040501', '040502', '040600', '040700'] as const;

// Commands that are the same bytes for every session are encoded once (and their hex cached by the session).
const SELECT_MF = encodeCommand(selectAid(AID.MF));
const READ_VERSION2 = encodeCommand(readBinary({ sfi: SFI.EF_VERSION2, ne: 256 }));

/** SELECT MF by its AID, so the SFI reads that follow address the root whatever the card had selected. */
export function selectMf(): PlannedStep {
  return { id: 'select-mf', phase: 'open-egk', command: SELECT_MF, expected: [SW.NO_ERROR] };
}

/**
 * READ EF.Version2 (SFI 11): `EF { C0 filling instructions, C1 object system, C2 product id, … }`.
 * Filling instructions other than 02 00 00 or no object-system version: the product is not
 * one we know how to read (79502); an object system outside the list (G3, future G2.x): 79503.
 */
export function readVersion2(ctx: FlowContext): PlannedStep {
  return {
    id: 'read-ef-version2',
    phase: 'open-egk',
    command: READ_VERSION2,
    expected: READ_OK,
    accept(r) {
      let fields;
      try {
        // The file may be longer than its content (positionLogicalEndOfFile): read the first TLV only.
        const outer = readTlv(r.data);
        if (outer.tag !== 0xef) throw new EhcError('product-not-accepted', 'EF.Version2 is not an EF template');
        fields = parseTlvs(outer.value);
      } catch (e) {
        throw new EhcError('product-not-accepted', 'EF.Version2 does not parse', { cause: e });
      }
      const filling = findTlv(fields, 0xc0)?.value;
      const objectSystem = findTlv(fields, 0xc1)?.value;
      const product = findTlv(fields, 0xc2)?.value;
      if (!filling || toHex(filling) !== '020000' || !objectSystem) {
        throw new EhcError('product-not-accepted', 'unknown EF.Version2 filling instructions');
      }
      if (product && ctx.settings.blockedProducts.includes(toHex(product).toLowerCase())) {
        throw new EhcError('product-not-accepted', 'eGK product blocked');
      }
      const os = toHex(objectSystem).toLowerCase();
      if (!ctx.settings.objectSystemVersions.includes(os)) {
        throw new EhcError('object-system-unsupported', 'eGK object system not supported', { details: { objectSystem: os } });
      }
    },
  };
}
