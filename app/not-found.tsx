'use client';

import { NotFoundView } from '../client/components/NotFoundView';

export default function NotFound() {
  return <NotFoundView />;
}
