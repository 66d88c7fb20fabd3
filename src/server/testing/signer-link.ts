/**
 * The certificates of the mutual-TLS link between web instances and the signer (docs/ca-signer.md), made with
 * the openssl command as an operator would: a private link CA (not the product's CA), the signer's server
 * certificate (localhost and 127.0.0.1) and one client certificate per web instance (CN = its name, which the
 * signer logs with every signature). Files `<dir>/ca.pem`, `<name>.pem`, `<name>.key`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function makeSignerLinkCerts(dir: string, clients: string[]): { read(file: string): Buffer; path(file: string): string } {
  const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  sh(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=certdesk signer link CA', '-days', '2']);
  const leaves: [string, string, string][] = [
    ['signer', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ...clients.map((c): [string, string, string] => [c, c, 'extendedKeyUsage=clientAuth']),
  ];
  for (const [name, cn, ext] of leaves) {
    sh(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    sh([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
  }
  return { read: (f) => readFileSync(path.join(dir, f)), path: (f) => path.join(dir, f) };
}
