// One definition of the batch: the record shapes and constants TypeScript decodes with
// (src/engine/layout.ts) are the ones native writes with (native/core/batch.h, engine.h).
import { describe, expect, it } from 'vitest';
import { loadBinding } from '../src/engine/native.js';
import { BIG_ARG_LEN, CloseReason, Field, OpenFlag, ProtoError, RECORDS, recordWords, SLOT_FIELDS, Stat, STAT_FIELDS } from '../src/engine/layout.js';

describe('batch layout', () => {
  const native = loadBinding().layout;

  it('has the same record types and shapes in C++ and TypeScript', () => {
    expect(RECORDS.map((r) => ({ ...r }))).toEqual(native.records);
  });

  it('has the same constants and counter indexes', () => {
    expect({
      bigArgLen: BIG_ARG_LEN,
      openLocal: OpenFlag.Local,
      openUnix: OpenFlag.Unix,
      statFields: STAT_FIELDS,
      slotFields: SLOT_FIELDS,
      closeAfterReply: CloseReason.AfterReply,
      closeHandshake: CloseReason.Handshake,
      fieldMemory: Field.Memory,
      statIoWrites: Stat.IoWrites,
      protoErrorLast: ProtoError.UnauthBulkLength,
    }).toEqual({ ...native, records: undefined });
  });

  it('walks a batch of every record type by the table', () => {
    // open, a command with 2 arguments, log, close: 4 + (3 + 2 * 2) + 4 + 4 words.
    const r = Uint32Array.from([1, 0, 0, 1, 3, 0, 2, 0, 3, 3, 5, 5, 3, 0, 4, 2, 0, 1, 0]);
    const sizes: number[] = [];
    for (let i = 0; i < r.length; i += recordWords(r, i)) sizes.push(recordWords(r, i));
    expect(sizes).toEqual([4, 7, 4, 4]);
  });
});
