import { ConsentPage } from '../../../client/components/ConsentPage';

export default async function Page({ params, searchParams }: { params: Promise<{ code: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { code } = await params;
  const sp = await searchParams;
  const err = typeof sp.fehler === 'string' ? sp.fehler : typeof sp.error === 'string' ? 'LOGIN_REQUEST_INVALID' : null;
  return <ConsentPage code={code} loginError={err} />;
}
