import { ReaderError, isReaderError } from '../../../lib/ccid/errors';

/**
 * WebUSB failures arrive as DOMExceptions whose `name` says what happened.
 * Chrome's message for a protected class is "The requested interface
 * implements a protected class." (mdn/browser-compat-data#23657); an OS
 * driver holding the device gives NetworkError "Unable to claim interface"
 * or "Access denied" (whatwg/usb#184).
 */
function nameOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isProtectedClassRefusal(e: unknown): boolean {
  return nameOf(e) === 'SecurityError' || /protected class/i.test(messageOf(e));
}

export function usbError(e: unknown, phase: 'open' | 'claim' | 'transfer' | 'control'): ReaderError {
  if (isReaderError(e)) return e;
  const name = nameOf(e);
  const details = { phase, domException: name, message: messageOf(e) };
  if (phase === 'claim' && isProtectedClassRefusal(e)) {
    return new ReaderError('USB_PROTECTED_CLASS', 'the browser refuses WebUSB access to smart-card-class interfaces', {
      cause: e,
      details,
    });
  }
  if (name === 'NotFoundError') return new ReaderError('READER_GONE', 'the reader was disconnected', { cause: e, details });
  if (name === 'AbortError') return new ReaderError('CLOSED', 'the USB transfer was aborted', { cause: e, details });
  if ((phase === 'open' || phase === 'claim') && (name === 'NetworkError' || name === 'SecurityError' || name === 'InvalidStateError')) {
    return new ReaderError('USB_ACCESS_DENIED', 'another driver holds the reader (pcscd, the OS smart card service)', {
      cause: e,
      details,
    });
  }
  return new ReaderError('USB_TRANSFER_FAILED', 'USB transfer failed', { cause: e, details });
}
