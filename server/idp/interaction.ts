/**
 * The test IdP's login page: pick a test person and the level of assurance, as a
 * stand-in for the insurer's GesundheitsID app. It refuses authorisation requests a
 * real sectoral IdP would refuse (no state or nonce, no PKCE S256) before any login.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { ACR_HIGH, ACR_SUBSTANTIAL, escapeHtml } from './provider';
import { TEST_PERSONS, findPerson } from './test-persons';

const page = (title: string, body: string) => `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#eef3f8;color:#14213d}
main{max-width:28rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.35rem}.badge{display:inline-block;background:#ffd166;border-radius:.3rem;padding:.1rem .45rem;font-size:.8rem}
form{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 3px #0002}
label.person{display:block;border:1px solid #c9d6e3;border-radius:.5rem;padding:.6rem;margin:.5rem 0}
button{width:100%;padding:.8rem;font-size:1rem;border:0;border-radius:.5rem;background:#1d4ed8;color:#fff;margin-top:.75rem}
small{color:#555}
</style></head><body><main>${body}</main></body></html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 4096) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Handles GET /idp/interaction/:uid and POST /idp/interaction/:uid/login; returns false if the path is not ours. */
export async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  const m = /^\/idp\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/.exec(pathname);
  if (!m) return false;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    send(res, 400, page('GesundheitsID', '<h1>Sitzung abgelaufen</h1><p>Bitte starten Sie die Anmeldung in der Praxis-App erneut.</p>'));
    return true;
  }
  const params = details.params as Record<string, string | undefined>;
  if (!params.state || !params.nonce || params.code_challenge_method !== 'S256') {
    send(res, 400, page('GesundheitsID', '<h1>Anfrage abgelehnt</h1><p>Die Anfrage enthält nicht state, nonce und PKCE (S256).</p>'));
    return true;
  }

  if (req.method === 'GET' && !m[2]) {
    const people = TEST_PERSONS.map(
      (p, i) =>
        `<label class="person"><input type="radio" name="person" value="${p.id}" ${i === 0 ? 'checked' : ''}> <b>${escapeHtml(p.givenName)} ${escapeHtml(p.familyName)}</b><br><small>KVNR ${p.kvnr} · ${escapeHtml(p.insurer)} (IK ${p.ik})</small></label>`,
    ).join('');
    send(
      res,
      200,
      page(
        'GesundheitsID (Test)',
        `<h1>GesundheitsID <span class="badge">Testumgebung</span></h1>
<p>Anmeldung für <b>${escapeHtml(String(params.client_id))}</b>. Wählen Sie eine Testperson:</p>
<form method="post" action="${escapeHtml(pathname)}/login">
${people}
<label class="person"><input type="checkbox" name="loa" value="substantial"> Nur Vertrauensniveau „substantiell“ (zum Testen einer Ablehnung)</label>
<button type="submit">Anmelden</button>
</form>`,
      ),
    );
    return true;
  }

  if (req.method === 'POST' && m[2]) {
    const form = await readForm(req).catch(() => null);
    const person = form ? findPerson(form.get('person') ?? '') : undefined;
    if (!person) {
      send(res, 400, page('GesundheitsID', '<h1>Bitte eine Testperson wählen</h1>'));
      return true;
    }
    const acr = form!.get('loa') === 'substantial' ? ACR_SUBSTANTIAL : ACR_HIGH;
    const grant = new provider.Grant({ accountId: person.id, clientId: String(params.client_id) });
    grant.addOIDCScope(String(params.scope ?? 'openid'));
    grant.addOIDCClaims(['acr', 'amr', 'auth_time']);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: person.id, acr, amr: ['urn:telematik:auth:eGK'] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    return true;
  }
  res.writeHead(405).end();
  return true;
}
