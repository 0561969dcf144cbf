/**
 * Byte-level comparison: sizes, SHA-256 checksums and the offset of the first differing byte, computed while
 * streaming. Only the chunks currently being compared are held in memory.
 */
import { createHash } from "node:crypto";

export interface Digest {
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the content, lowercase hex. */
  sha256: string;
}

export interface ByteComparison {
  a: Digest;
  b: Digest;
  /** True when both streams hold exactly the same bytes. */
  equal: boolean;
  /** Zero-based offset of the first byte that differs, or where the shorter stream ends; absent when equal. */
  firstDifference?: number;
}

/** Size and SHA-256 of a stream. */
export async function digest(source: AsyncIterable<Buffer>): Promise<Digest> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest("hex") };
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads both streams side by side, hashing each and comparing the bytes until the first difference; after it,
 * both streams are still read to the end so that sizes and checksums are complete.
 */
export async function compareBytes(a: AsyncIterable<Buffer>, b: AsyncIterable<Buffer>): Promise<ByteComparison> {
  const sides = [new Reader(a), new Reader(b)] as const;
  const [ra, rb] = sides;
  let offset = 0;
  let firstDifference: number | undefined;
  try {
    for (;;) {
      await Promise.all(sides.map((r) => (r.pending.length === 0 && !r.done ? r.read() : undefined)));
      if (ra.pending.length === 0 && ra.done && rb.pending.length === 0 && rb.done) {
        break;
      }
      if (firstDifference !== undefined) {
        ra.pending = EMPTY;
        rb.pending = EMPTY;
        continue;
      }
      if (ra.pending.length > 0 && rb.pending.length > 0) {
        const n = Math.min(ra.pending.length, rb.pending.length);
        const x = ra.pending.subarray(0, n);
        const y = rb.pending.subarray(0, n);
        if (!x.equals(y)) {
          firstDifference = offset + firstMismatch(x, y);
        }
        offset += n;
        ra.pending = ra.pending.subarray(n);
        rb.pending = rb.pending.subarray(n);
      } else if ((ra.pending.length === 0 && ra.done) || (rb.pending.length === 0 && rb.done)) {
        // One stream has ended while the other still has bytes.
        firstDifference = offset;
      }
    }
  } finally {
    await Promise.all(sides.map((r) => r.close()));
  }
  const da = ra.result();
  const db = rb.result();
  const equal = firstDifference === undefined;
  return equal ? { a: da, b: db, equal } : { a: da, b: db, equal, firstDifference };
}

function firstMismatch(x: Buffer, y: Buffer): number {
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      return i;
    }
  }
  return x.length;
}

/** One stream being read chunk by chunk, hashed as it goes. */
class Reader {
  pending: Buffer = EMPTY;
  done = false;
  private size = 0;
  private readonly hash = createHash("sha256");
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async read(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done === true) {
      this.done = true;
      return;
    }
    const chunk = next.value;
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending = chunk;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }

  result(): Digest {
    return { size: this.size, sha256: this.hash.digest("hex") };
  }
}
