// The Redis version respd reports wherever Redis prints its own: INFO redis_version, HELLO, the
// startup banner and the "*** FATAL CONFIG FILE ERROR (Redis x.y.z) ***" header.
// Clients gate features on this number, so it names the Redis release whose behaviour we match.
export const REDIS_VERSION = '7.2.4';
