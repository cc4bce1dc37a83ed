// An independent FIT-Connect sender and SET verifier written on the npm `jose` package (not
// our code). Driven by tests/interop.rs; prints one JSON object on stdout.
//
//   node interop.mjs sender <info.json>                  send one application over HTTP
//   node interop.mjs verify-events <info.json> <caseId> <tags.json>
//                                                        verify the case's SETs, find our accept
//   node interop.mjs offline < input.json                decrypt/verify our objects, make its own
import * as jose from 'jose';
import { readFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';

const sha512 = (bytes) => createHash('sha512').update(bytes).digest('hex');
const enc = new TextEncoder();
const dec = new TextDecoder();

async function token(info, who) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: info[who].client_id,
    client_secret: info[who].client_secret,
  });
  const r = await fetch(info.token_url, { method: 'POST', body });
  if (!r.ok) throw new Error(`token: HTTP ${r.status}`);
  return (await r.json()).access_token;
}

async function api(info, tok, method, path, body, contentType = 'application/json') {
  const r = await fetch(info.base_url + path, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : body,
  });
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

async function encryptFor(key, bytes, cty) {
  const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: key.kid };
  if (cty) header.cty = cty;
  return await new jose.CompactEncrypt(bytes).setProtectedHeader(header).encrypt(await jose.importJWK(key, 'RSA-OAEP-256'));
}

const tagOf = (jwe) => jwe.split('.')[4];

async function sender(infoPath) {
  const info = JSON.parse(readFileSync(infoPath, 'utf8'));
  const tok = await token(info, 'sender');
  const dest = await api(info, tok, 'GET', `/v1/destinations/${info.destination_id}`);
  const keyRes = await fetch(`${info.base_url}/v1/destinations/${info.destination_id}/keys/${dest.encryptionKid}`);
  const key = await keyRes.json();
  const service = dest.services.find((s) => s.submissionSchemas[0].schemaUri.includes('meldebescheinigung')) ?? dest.services[0];
  const data = enc.encode(JSON.stringify({
    antragsteller: {
      vorname: 'Node', familienname: 'Interop', geburtsdatum: '1990-01-01',
      anschrift: { strasse: 'Teststraße', hausnummer: '1', plz: '12345', ort: 'Musterstadt' },
    },
    bescheinigung: { art: 'einfach', anzahl: 1, zustellung: 'Post' },
  }));
  const pdf = enc.encode('%PDF-1.4\n% interop attachment\n%%EOF\n');
  const attachmentId = randomUUID();
  const metadata = {
    publicServiceType: { identifier: service.identifier },
    contentStructure: {
      data: {
        hash: { type: 'sha512', content: sha512(data) },
        submissionSchema: { schemaUri: service.submissionSchemas[0].schemaUri, mimeType: 'application/json' },
      },
      attachments: [{
        attachmentId, hash: { type: 'sha512', content: sha512(pdf) },
        purpose: 'attachment', filename: 'interop.pdf', mimeType: 'application/pdf',
      }],
    },
  };
  const encryptedMetadata = await encryptFor(key, enc.encode(JSON.stringify(metadata)), 'application/json');
  const encryptedData = await encryptFor(key, data, 'application/json');
  const encryptedAttachment = await encryptFor(key, pdf);
  const created = await api(info, tok, 'POST', '/v1/submissions', {
    destinationId: info.destination_id,
    announcedAttachments: [attachmentId],
    serviceType: { name: 'Interop', identifier: service.identifier },
  });
  await api(info, tok, 'PUT', `/v1/submissions/${created.submissionId}/attachments/${attachmentId}`,
    encryptedAttachment, 'application/jose');
  await api(info, tok, 'PUT', `/v1/submissions/${created.submissionId}`, { encryptedMetadata, encryptedData });
  return {
    submissionId: created.submissionId,
    caseId: created.caseId,
    tags: {
      metadata: tagOf(encryptedMetadata),
      data: tagOf(encryptedData),
      attachments: { [attachmentId]: tagOf(encryptedAttachment) },
    },
  };
}

async function verifyEvents(infoPath, caseId, tagsPath) {
  const info = JSON.parse(readFileSync(infoPath, 'utf8'));
  const expected = JSON.parse(readFileSync(tagsPath, 'utf8'));
  const tok = await token(info, 'sender');
  const jwks = await (await fetch(`${info.base_url}/.well-known/jwks.json`)).json();
  const log = await api(info, tok, 'GET', `/v1/cases/${caseId}/events`);
  const out = { verified: 0, serviceSigned: 0, subscriberSigned: 0, accept: false, tagsMatch: false, events: [] };
  for (const set of log.eventLog) {
    const header = jose.decodeProtectedHeader(set);
    let jwk = jwks.keys.find((k) => k.kid === header.kid);
    if (jwk) out.serviceSigned++;
    else {
      jwk = await (await fetch(`${info.base_url}/v1/destinations/${info.destination_id}/keys/${header.kid}`)).json();
      out.subscriberSigned++;
    }
    const { payload, protectedHeader } = await jose.compactVerify(set, await jose.importJWK(jwk, 'PS512'), { algorithms: ['PS512'] });
    if (protectedHeader.typ !== 'secevent+jwt') throw new Error(`typ ${protectedHeader.typ}`);
    const claims = JSON.parse(dec.decode(payload));
    if (claims.txn !== `case:${caseId}`) throw new Error(`txn ${claims.txn}`);
    out.verified++;
    const [uri, body] = Object.entries(claims.events)[0];
    out.events.push(uri.split('/').pop());
    if (uri === 'https://schema.fitko.de/fit-connect/events/accept-submission') {
      out.accept = true;
      out.tagsMatch = JSON.stringify(sortKeys(body.authenticationTags)) === JSON.stringify(sortKeys(expected));
    }
  }
  return out;
}

function sortKeys(v) {
  if (Array.isArray(v) || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

// Our objects in, its own objects out: JWE and JWS in both directions without HTTP.
async function offline(input) {
  const ourPrivate = await jose.importPKCS8(input.encPrivatePkcs8Pem, 'RSA-OAEP-256');
  const { plaintext, protectedHeader } = await jose.compactDecrypt(input.ourJwe, ourPrivate);
  const ourSet = await jose.compactVerify(input.ourSet, await jose.importJWK(input.sigJwk, 'PS512'), { algorithms: ['PS512'] });
  const { publicKey, privateKey } = await jose.generateKeyPair('PS512', { modulusLength: 4096, extractable: true });
  const theirSigJwk = { ...(await jose.exportJWK(publicKey)), kid: 'node-sig-0001', alg: 'PS512', key_ops: ['verify'] };
  const theirSet = await new jose.CompactSign(enc.encode(JSON.stringify({ jti: randomUUID(), iss: 'node', iat: Math.floor(Date.now() / 1000), sub: 'submission:' + randomUUID(), txn: 'case:' + randomUUID(), events: { 'https://schema.fitko.de/fit-connect/events/accept-submission': {} } })))
    .setProtectedHeader({ alg: 'PS512', kid: 'node-sig-0001', typ: 'secevent+jwt' })
    .sign(privateKey);
  const theirJwe = await encryptFor(input.encJwk, enc.encode(input.message), 'text/plain');
  return {
    decrypted: dec.decode(plaintext),
    jweHeader: protectedHeader,
    setPayload: JSON.parse(dec.decode(ourSet.payload)),
    setHeader: ourSet.protectedHeader,
    theirJwe,
    theirSet,
    theirSigJwk,
  };
}

const [cmd, ...args] = process.argv.slice(2);
let result;
if (cmd === 'sender') result = await sender(args[0]);
else if (cmd === 'verify-events') result = await verifyEvents(args[0], args[1], args[2]);
else if (cmd === 'offline') result = await offline(JSON.parse(readFileSync(0, 'utf8')));
else throw new Error(`unknown command ${cmd}`);
process.stdout.write(JSON.stringify(result));
