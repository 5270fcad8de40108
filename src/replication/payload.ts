// The RDB payload of a full sync as it arrives on the master link (readSyncBulkPayload): a
// `$<length>` line and that many bytes, or, from a diskless master, `$EOF:<40-byte mark>` and
// bytes up to the mark. Newlines before the header are the master's keepalives. What follows
// the payload is the start of the stream.
const MARK_LEN = 40;

export type PayloadDone = { payload: Buffer; rest: Buffer };

export class PayloadReader {
  /** Bytes announced (0 with an EOF mark: unknown) and received, for INFO's master_sync_*. */
  total = 0;
  read = 0;
  private header = Buffer.alloc(0);
  private mark: Buffer | undefined;
  private length = -1;
  private chunks: Buffer[] = [];
  /** The last bytes received, where an EOF mark split across reads is looked for. */
  private tail = Buffer.alloc(0);

  /** Takes bytes; undefined while more are needed, an error text, or the payload and what followed. */
  push(bytes: Buffer): PayloadDone | string | undefined {
    if (this.length < 0 && !this.mark) {
      const buf = this.header.length ? Buffer.concat([this.header, bytes]) : bytes;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) {
          this.header = Buffer.from(buf.subarray(start));
          return undefined;
        }
        const line = buf.toString('latin1', start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl);
        start = nl + 1;
        if (line === '') continue;  // keepalive
        if (line[0] === '-') return `MASTER aborted replication with an error: ${line.slice(1)}`;
        if (line[0] !== '$') return `Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`;
        if (line.startsWith('$EOF:') && line.length - 5 >= MARK_LEN) {
          this.mark = Buffer.from(line.slice(5, 5 + MARK_LEN), 'latin1');
        } else {
          const n = Number(line.slice(1));
          if (!Number.isInteger(n) || n < 0) return `Bad protocol from MASTER: '${line}'`;
          this.length = n;
          this.total = n;
        }
        this.header = Buffer.alloc(0);
        bytes = Buffer.from(buf.subarray(start));
        break;
      }
    }
    if (this.mark) return this.pushUntilMark(bytes);
    const need = this.length - this.read;
    if (bytes.length < need) {
      this.chunks.push(Buffer.from(bytes));
      this.read += bytes.length;
      return undefined;
    }
    this.chunks.push(Buffer.from(bytes.subarray(0, need)));
    this.read += need;
    return { payload: Buffer.concat(this.chunks), rest: Buffer.from(bytes.subarray(need)) };
  }

  private pushUntilMark(bytes: Buffer): PayloadDone | undefined {
    const mark = this.mark!;
    const window = Buffer.concat([this.tail, bytes]);
    const at = window.indexOf(mark);
    if (at < 0) {
      this.chunks.push(Buffer.from(bytes));
      this.read += bytes.length;
      this.tail = Buffer.from(window.subarray(Math.max(0, window.length - MARK_LEN)));
      return undefined;
    }
    // The mark ends the payload: bytes before it (some may be in the tail, already kept) are data.
    const all = Buffer.concat([...this.chunks, bytes]);
    const endInAll = all.length - (window.length - at);
    this.read = endInAll;
    return { payload: all.subarray(0, endInAll), rest: Buffer.from(all.subarray(endInAll + MARK_LEN)) };
  }
}
