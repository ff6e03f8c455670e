import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { fieldError } from '../common/validation';

/** A client certificate and its key, as a webhook holds them for mutual TLS. */
export interface ClientCertificate {
  client_certificate: string | null;
  client_key: string | null;
}

/**
 * Throws a 400 naming the field unless the pair is absent altogether or a PEM certificate with the
 * unencrypted PEM private key of its public key.
 */
export function assertClientCertificate({
  client_certificate,
  client_key,
}: ClientCertificate): void {
  if (client_certificate === null && client_key === null) return;
  if (client_certificate === null)
    throw fieldError('client_certificate', 'is required with client_key (mutual TLS needs both)');
  if (client_key === null)
    throw fieldError('client_key', 'is required with client_certificate (mutual TLS needs both)');
  let certificate: X509Certificate;
  try {
    if (!client_certificate.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not PEM');
    certificate = new X509Certificate(client_certificate);
  } catch {
    throw fieldError(
      'client_certificate',
      'must be a PEM certificate (-----BEGIN CERTIFICATE----- …) that parses',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: client_key, format: 'pem' });
  } catch {
    throw fieldError(
      'client_key',
      'must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- …) that parses',
    );
  }
  let matches = false;
  try {
    matches = certificate.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches)
    throw fieldError('client_key', 'does not match client_certificate (a different key pair)');
}
