import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { I18nProvider } from '../client/i18n/provider';
import { TRPCReactProvider } from '../client/trpc/provider';
import { LANG_COOKIE, type Lang } from '../lib/i18n';
import './globals.css';

export const metadata: Metadata = { title: 'PoPP', description: 'Proof of Patient Presence' };
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const lang: Lang = (await cookies()).get(LANG_COOKIE)?.value === 'en' ? 'en' : 'de';
  return (
    <html lang={lang}>
      <body>
        <I18nProvider initial={lang}>
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
