/** The upload meter: shown on a terminal only, counting what fetch reads, cleared at the end. */
import { describe, expect, it } from 'vitest';
import { meteredBody } from '../../../src/infrastructure/cli/progress.js';

async function drain(body: ReadableStream<Uint8Array>): Promise<number> {
  const reader = body.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return total;
    total += value.length;
  }
}

function terminal(isTTY: boolean) {
  const lines: string[] = [];
  return { out: { isTTY, write: (text: string | Uint8Array) => lines.push(String(text)) > 0 }, lines };
}

describe('meteredBody', () => {
  it('passes every byte through, in chunks', async () => {
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const { out } = terminal(false);
    const meter = meteredBody(bytes, 'bundle.zip', { out });
    const chunks: Uint8Array[] = [];
    const reader = meter.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
    meter.done();
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(bytes));
  });

  it('draws the meter on a terminal and clears it when done', async () => {
    const { out, lines } = terminal(true);
    const meter = meteredBody(new Uint8Array(300_000), 'bundle.zip', { out, showAfterMs: 0 });
    expect(await drain(meter.body)).toBe(300_000);
    meter.done();
    expect(lines.some((l) => l.includes('Uploading bundle.zip: 100% (293.0 KiB of 293.0 KiB)'))).toBe(true);
    expect(lines.at(-1)).toBe('\r\x1b[K');
  });

  it('writes nothing when stderr is not a terminal', async () => {
    const { out, lines } = terminal(false);
    const meter = meteredBody(new Uint8Array(300_000), 'bundle.zip', { out, showAfterMs: 0 });
    await drain(meter.body);
    meter.done();
    expect(lines).toEqual([]);
  });
});
