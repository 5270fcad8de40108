// The replies and log reasons for a malformed request, by the code native's parser records
// (layout.ts's ProtoError), as Redis 7.2 words them (networking.c setProtocolError callers).
import { ProtoError } from './layout.js';

/** The reply to a malformed request (networking.c setProtocolError callers). */
const PROTO_ERROR_TEXT: Record<ProtoError, string> = {
  [ProtoError.TooBigInline]: 'too big inline request',
  [ProtoError.UnbalancedQuotes]: 'unbalanced quotes in request',
  [ProtoError.TooBigMbulkCount]: 'too big mbulk count string',
  [ProtoError.InvalidMbulkLength]: 'invalid multibulk length',
  [ProtoError.UnauthMbulkLength]: 'unauthenticated multibulk length',
  [ProtoError.TooBigBulkCount]: 'too big bulk count string',
  [ProtoError.ExpectedDollar]: "expected '$'",
  [ProtoError.InvalidBulkLength]: 'invalid bulk length',
  [ProtoError.UnauthBulkLength]: 'unauthenticated bulk length',
};

/** The log's reason strings, which differ from the reply texts. */
const PROTO_ERROR_REASON: Record<ProtoError, string> = {
  [ProtoError.TooBigInline]: 'too big inline request',
  [ProtoError.UnbalancedQuotes]: 'unbalanced quotes in inline request',
  [ProtoError.TooBigMbulkCount]: 'too big mbulk count string',
  [ProtoError.InvalidMbulkLength]: 'invalid mbulk count',
  [ProtoError.UnauthMbulkLength]: 'unauth mbulk count',
  [ProtoError.TooBigBulkCount]: 'too big bulk count string',
  [ProtoError.ExpectedDollar]: 'expected $ but got something else',
  [ProtoError.InvalidBulkLength]: 'invalid bulk length',
  [ProtoError.UnauthBulkLength]: 'unauth bulk length',
};

/** "Protocol error: ..." as the client gets it; `byte` is what stood where '$' was expected. */
export function protocolErrorText(code: ProtoError, byte: number): string {
  return code === ProtoError.ExpectedDollar
    ? `Protocol error: expected '$', got '${String.fromCharCode(byte)}'`
    : `Protocol error: ${PROTO_ERROR_TEXT[code]}`;
}

export function protocolErrorReason(code: ProtoError): string {
  return PROTO_ERROR_REASON[code];
}
