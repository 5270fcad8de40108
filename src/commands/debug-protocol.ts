// DEBUG PROTOCOL <type>: one sample of each reply type, as debug.c writes them, so clients can test
// their RESP2 and RESP3 decoders (attributes and push data included) against the server.
import type { CommandCall } from '../table/table.js';

export function debugProtocol(call: CommandCall): void {
  const { reply } = call;
  switch (call.args.lower(2)) {
    case 'string':
      reply.bulkStr('Hello World');
      return;
    case 'integer':
      reply.integer(12345);
      return;
    case 'double':
      reply.double(3.141);
      return;
    case 'bignum':
      reply.bigNumber('1234567999999999999999999999999999999');
      return;
    case 'null':
      reply.nullBulk();
      return;
    case 'array':
      reply.array(3);
      for (let j = 0; j < 3; j++) reply.integer(j);
      return;
    case 'set':
      reply.set(3);
      for (let j = 0; j < 3; j++) reply.integer(j);
      return;
    case 'map':
      reply.map(3);
      for (let j = 0; j < 3; j++) {
        reply.integer(j);
        reply.bool(j === 1);
      }
      return;
    case 'attrib':
      // RESP2 has no attributes: only the real reply that follows goes out there.
      if (reply.resp === 3) {
        reply.attribute(1);
        reply.bulkStr('key-popularity');
        reply.array(2);
        reply.bulkStr('key:123');
        reply.integer(90);
      }
      reply.bulkStr('Some real reply following the attribute');
      return;
    case 'push':
      if (reply.resp < 3) {
        reply.error('RESP2 is not supported by this command');
        return;
      }
      reply.push(2);
      reply.bulkStr('server-cpu-usage');
      reply.integer(42);
      reply.bulkStr('Some real reply following the push reply');
      return;
    case 'true':
      reply.bool(true);
      return;
    case 'false':
      reply.bool(false);
      return;
    case 'verbatim':
      reply.verbatim('This is a verbatim\nstring');
      return;
    default:
      reply.error('Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}
