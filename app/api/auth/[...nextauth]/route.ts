import NextAuth from 'next-auth';
import { gesundheitsIdAuthOptions } from '../../../../server/identity/gesundheitsid';

export const dynamic = 'force-dynamic';

// Built per request: the client set-up comes from the custom server at start (same process).
async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(gesundheitsIdAuthOptions())(req as never, ctx as never);
}

export { handler as GET, handler as POST };
