// Error texts more than one place gives, exactly as Redis 7.2 words them (server.c shared
// objects, networking.c, t_*.c). A text only one command family uses stays with that family.
// ---- replies (without the leading '-ERR ' unless they carry their own code) ----------------------
export const ERR_SYNTAX = 'syntax error';
export const ERR_NOT_INTEGER = 'value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'value is not a valid float';
export const ERR_OVERFLOW = 'increment or decrement would overflow';
export const ERR_WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_NO_SUCH_KEY = 'no such key';
export const ERR_INVALID_CURSOR = 'invalid cursor';
export const ERR_POSITIVE = 'value is out of range, must be positive';
export const ERR_NUMKEYS = 'numkeys should be greater than 0';
export const ERR_COUNT_POSITIVE = 'count should be greater than 0';
export const ERR_NAN_INFINITY = 'increment would produce NaN or Infinity';
export const ERR_SAME_OBJECT = 'source and destination objects are the same';
export const ERR_DB_RANGE = 'DB index is out of range';
export const ERR_TIMEOUT_NOT_FLOAT = 'timeout is not a float or out of range';
export const ERR_TIMEOUT_NEGATIVE = 'timeout is negative';
export const ERR_TIMEOUT_RANGE = 'timeout is out of range';
export const ERR_CLIENT_NAME = 'Client names cannot contain spaces, newlines or special characters.';
export const ERR_WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.';
export const ERR_UNBLOCKED = '-UNBLOCKED client unblocked via CLIENT UNBLOCK';

// ---- listeners and TLS (CONFIG SET replies; the cause goes to the log) -----------------------------
export const ERR_LISTEN = 'Unable to listen on this port. Check server logs.';
export const ERR_BIND = 'Failed to bind to specified addresses.';
export const ERR_TLS_UPDATE = 'Unable to update TLS configuration. Check server logs.';

/** Written unprompted to a non-local client in protected mode, before the connection closes. */
export const DENIED_TEXT =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

/** A read or write error as the log names it. */
export function errnoText(errno: number): string {
  return errno ? `errno ${errno}` : 'Connection reset by peer';
}

// glibc's strerror() texts for the errno codes file operations meet; Node reports errno by name.
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EEXIST: 'File exists',
  EBUSY: 'Device or resource busy',
  EXDEV: 'Invalid cross-device link',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ETXTBSY: 'Text file busy',
  EFBIG: 'File too large',
  EINVAL: 'Invalid argument',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
};

/** strerror() text for a Node errno code ("ENOENT"); an unknown code is returned as is. */
export function strerror(code: string | undefined): string {
  return (code !== undefined ? STRERROR[code] : undefined) ?? code ?? 'Unknown error';
}
