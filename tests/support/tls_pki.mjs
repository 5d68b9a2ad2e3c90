// A test PKI for the JavaScript TLS tests (Node and Chromium), made now by
// openssl in `dir`: ca.pem (the test CA), other.pem (a CA nobody trusts),
// server.pem + server.key (EC P-256, DNS:server.test, valid 2 days) and
// expired.pem (the same key, expired before it began).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Make the files in dir; returns a function naming a file in it. */
export function makeTestPki(dir) {
  const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  for (const k of ['ca', 'other', 'server']) ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${k}.key`);
  const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'];
  ossl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=synack JS test CA', '-days', '2', '-out', 'ca.pem', ...ca);
  ossl('req', '-x509', '-new', '-key', 'other.key', '-subj', '/CN=untrusted CA', '-days', '2', '-out', 'other.pem', ...ca);
  ossl('req', '-new', '-key', 'server.key', '-subj', '/CN=server.test', '-out', 'server.csr');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=DNS:server.test\nextendedKeyUsage=serverAuth\n');
  const sign = (days, out) => ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-days', days, '-extfile', 'ext', '-out', out);
  sign('2', 'server.pem');
  sign('-1', 'expired.pem');
  return (f) => join(dir, f);
}
