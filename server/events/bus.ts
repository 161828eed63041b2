/**
 * Carries "check-in changed" from whoever changed it to whichever SSE stream
 * shows that practice. In-process today; the interface is what a PostgreSQL
 * LISTEN/NOTIFY implementation would offer when there is more than one instance.
 */
import { EventEmitter } from 'node:events';

export interface CheckinChanged {
  practiceId: string;
  checkinId: string;
  version: number;
}

export interface EventBus {
  publish(event: CheckinChanged): void;
  subscribe(practiceId: string, listener: (e: CheckinChanged) => void): () => void;
}

export function createInProcessBus(): EventBus {
  const ee = new EventEmitter();
  ee.setMaxListeners(0); // one listener per open dashboard tab
  return {
    publish(e) {
      ee.emit(`practice:${e.practiceId}`, e);
    },
    subscribe(practiceId, listener) {
      const name = `practice:${practiceId}`;
      ee.on(name, listener);
      return () => ee.off(name, listener);
    },
  };
}
