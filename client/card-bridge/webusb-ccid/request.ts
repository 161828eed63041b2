import { USB_CLASS_SMART_CARD } from '../../../lib/ccid/classify';
import { ReaderError } from '../../../lib/ccid/errors';
import { VENDOR_CLASS_READERS } from '../../../lib/ccid/quirks';
import { browserUsb, type UsbDeviceFilterLike, type UsbDeviceLike, type UsbLike } from './usb-types';

/**
 * Chooser filters: every smart-card-class device (claimable only in Isolated
 * Web Apps, but listing it lets the UI explain the refusal and offer the
 * bridge) plus the known vendor-class CCID readers from the quirks table.
 */
export function ccidDeviceFilters(): UsbDeviceFilterLike[] {
  return [{ classCode: USB_CLASS_SMART_CARD }, ...VENDOR_CLASS_READERS.map(({ vendorId, productId }) => ({ vendorId, productId }))];
}

/** Shows the browser's device chooser. Resolves undefined when the user cancels. */
export async function requestCcidReader(usb: UsbLike | undefined = browserUsb()): Promise<UsbDeviceLike | undefined> {
  if (!usb) throw new ReaderError('USB_UNAVAILABLE', 'this browser offers no WebUSB');
  try {
    return await usb.requestDevice({ filters: ccidDeviceFilters() });
  } catch (e) {
    if (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'NotFoundError') return undefined;
    throw new ReaderError('USB_UNAVAILABLE', 'the device chooser failed', { cause: e });
  }
}

/** Readers this origin was granted earlier (no chooser needed). */
export async function grantedCcidReaders(usb: UsbLike | undefined = browserUsb()): Promise<UsbDeviceLike[]> {
  if (!usb) return [];
  return usb.getDevices();
}
