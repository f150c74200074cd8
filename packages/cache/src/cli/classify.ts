import { isPatinoxError, toError } from '@patinox/errors';
import { CLI_EXIT_CODES, CliFailure } from './exit-codes.js';

/** What the CLI knows about the connection when something fails. */
export interface FailureContext {
  /** The redacted target, e.g. `rediss://***@10.0.0.5:6380`. */
  target: string;
  /** True when TLS was asked for (`--tls`, `rediss://`, or a certificate flag). */
  tls: boolean;
  /** True once the connection was up: a reset before that, over TLS, is a refused handshake. */
  connected?: boolean;
  /** Connection-level errors ioredis reported (its `error` / `node error` events), oldest first. */
  connectionErrors?: readonly Error[];
}

const X509_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
]);

/**
 * Turns any failure into the exit code and message an operator can act on. Redis' replies
 * (WRONGPASS, NOPERM) and Node's TLS error codes are what tell the cases apart; ioredis reports the
 * connection-level reason only on its `error` event, so the caller passes the last one seen.
 */
export function classifyFailure(err: unknown, context: FailureContext): CliFailure {
  if (err instanceof CliFailure) return err;
  const error = toError(err);
  const seen = context.connectionErrors ?? [];
  const reasons = [...chain(error), ...seen.flatMap((e) => [...chain(e)])];
  const at = context.target;
  for (const reason of reasons) {
    const message = reason.message;
    const code = (reason as { code?: unknown }).code;
    if (/^(WRONGPASS|NOAUTH)\b/.test(message) || /^ERR AUTH\b/.test(message)) {
      return new CliFailure(
        `Redis at ${at} refused the credentials (${firstLine(message)}). Check --user and --password (or PATINOX_REDIS_USER / PATINOX_REDIS_PASSWORD).`,
        CLI_EXIT_CODES.authFailed,
        { cause: reason },
      );
    }
    if (/^NOPERM\b/.test(message)) {
      return new CliFailure(
        `Redis at ${at} denied this ACL user (${firstLine(message)}). The user needs the command and the namespace's keys (e.g. ACL SETUSER <user> ~<namespace>:* &* +@all).`,
        CLI_EXIT_CODES.noPermission,
        { cause: reason },
      );
    }
    const tlsCode = typeof code === 'string' && (X509_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
    // The same failure may arrive without its code (re-thrown by ioredis as a plain Error with the text).
    if (tlsCode || (context.tls && TLS_MESSAGE.test(message))) {
      const name = tlsCode ? (code) : 'TLS';
      return new CliFailure(`TLS handshake with ${at} failed (${name}: ${firstLine(message)}). ${tlsHint(name, message)}`, CLI_EXIT_CODES.tlsFailed, { cause: reason });
    }
  }
  if (context.tls && context.connected !== true && reasons.some((r) => (r as { code?: unknown }).code === 'ECONNRESET' || /before secure TLS connection|socket hang up/.test(r.message))) {
    return new CliFailure(
      `TLS handshake with ${at} failed: the server closed the connection. It may want a client certificate (--cert and --key), or not trust the one given.`,
      CLI_EXIT_CODES.tlsFailed,
      { cause: error },
    );
  }
  if (isPatinoxError(error, 'CACHE_BACKEND_UNAVAILABLE') || isConnectionMessage(error.message) || reasons.some((r) => isNetworkCode((r as { code?: unknown }).code))) {
    const detail = [...seen].reverse().find((e) => isNetworkCode((e as { code?: unknown }).code)) ?? seen.at(-1) ?? error;
    const code = (detail as { code?: unknown }).code;
    const hint =
      code === 'ECONNRESET' && !context.tls
        ? ' The server closed the connection: if it expects TLS, add --tls (or use a rediss:// URL).'
        : code === 'ETIMEDOUT' && context.tls
          ? ' If the port does not speak TLS, drop --tls (or use a redis:// URL).'
          : ' Is it running? Check --url or REDIS_URL.';
    return new CliFailure(`cannot reach Redis at ${at}: ${firstLine(detail.message)}.${hint}`, CLI_EXIT_CODES.unavailable, { cause: error });
  }
  return new CliFailure(firstLine(error.message), CLI_EXIT_CODES.failed, { cause: error });
}

function* chain(error: Error): Generator<Error> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Not `instanceof Error`: errors from Node's TLS layer may come from another realm (vm contexts).
  while (typeof current === 'object' && current !== null && typeof (current as Error).message === 'string' && !seen.has(current)) {
    seen.add(current);
    yield current as Error;
    current = (current as Error).cause;
  }
}

function isNetworkCode(code: unknown): boolean {
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(code);
}

function isConnectionMessage(message: string): boolean {
  return /Connection is closed|None of startup nodes is available|Failed to refresh slots cache|Stream isn't writeable|max retries per request|CLUSTERDOWN/.test(message);
}

const TLS_MESSAGE = /SSL routines|alert certificate|alert handshake|alert bad certificate|alert unknown ca|self[- ]signed certificate|unable to verify|unable to get (local )?issuer|certificate has expired|Hostname\/IP does not match|wrong version number/i;

function tlsHint(code: string, message: string): string {
  if (/certificate required|handshake failure/i.test(message)) return 'The server wants a client certificate: pass --cert and --key.';
  if (/unknown ca|bad certificate|certificate unknown/i.test(message)) return 'The server did not accept the client certificate: check --cert and --key against its CA.';
  if (/wrong version number/i.test(message)) return 'The port does not speak TLS: drop --tls (or use a redis:// URL).';
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return 'The server wants a client certificate: pass --cert and --key.';
  }
  if (code.includes('CERTIFICATE_UNKNOWN') || code.includes('BAD_CERTIFICATE') || code.includes('UNKNOWN_CA')) {
    return 'The server did not accept the client certificate: check --cert and --key against its CA.';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return "The server's certificate does not name this host: connect by a name it lists.";
  if (code.startsWith('ERR_SSL_WRONG_VERSION') || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return 'The port does not speak TLS: drop --tls (or use a redis:// URL).';
  return "The server's certificate is not trusted: pass the CA that signed it with --cacert.";
}

function firstLine(text: string): string {
  // OpenSSL messages carry their library, function and source file: keep the reason only.
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(text);
  if (ssl !== null) return ssl[1]!.trim();
  const line = text.split('\n', 1)[0]!.trim();
  return line.endsWith('.') ? line.slice(0, -1) : line;
}
