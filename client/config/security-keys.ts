// The security settings Strait cannot honour. There is no TLS, no SASL and no authorizer, so a config
// file that asks for one stops start-up naming the key: connecting in plaintext where TLS was asked for,
// or running without the ACLs a file names, is worse than refusing to start. Shared by the broker's
// config and the mirror's (whose cluster and client prefixes are stripped before asking).

/** Why every connection is plaintext; ends the refusal messages. */
export const NO_TLS_OR_SASL = 'Strait has no TLS or SASL: every listener is PLAINTEXT';

/**
 * Why a security key cannot be used, or undefined for any other key. Callers check it before their
 * key tables, so a key Strait does not know (ssl.*, sasl.*) stops start-up instead of being ignored
 * with a warning.
 */
export function refusedSecurityKey(key: string, value: string): string | undefined {
  const k = key.toLowerCase();
  if (/^ssl\./.test(k) || /^listener\.name\.[^.]+\.(?:[^.]+\.)?ssl\./.test(k)) return `TLS is not implemented (${NO_TLS_OR_SASL})`;
  if (/^sasl\./.test(k) || /^listener\.name\.[^.]+\.(?:[^.]+\.)?sasl\./.test(k)) return `SASL is not implemented (${NO_TLS_OR_SASL})`;
  if (k === 'security.protocol' && value.trim().toUpperCase() !== 'PLAINTEXT') return `"${value.trim()}" is not implemented (${NO_TLS_OR_SASL})`;
  if (k === 'authorizer.class.name' && value.trim() !== '') return 'ACLs are not implemented: no authorizer would run, so this setting would protect nothing';
  return undefined;
}
