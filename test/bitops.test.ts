// Bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) byte for byte as
// redis-server answers them: test/scenarios/bitops.txt as recorded from it, with the arity errors
// and COMMAND INFO rows.
import { describe, it } from 'vitest';
import { replayScenario, startServer } from './helpers.js';

const server = await startServer();

describe('recorded from redis-server', () => {
  it('answers test/scenarios/bitops.txt as redis-server does', () => replayScenario(server.port, 'bitops'), 60000);
});
