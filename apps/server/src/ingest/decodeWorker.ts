/**
 * The decode thread: checks and prepares MQTT payloads (decode.ts, store.ts's `prepare`) off the main
 * thread, which keeps the broker and the database writes. See decodeThread.ts.
 *
 * A reply carries its records' numbers (chart signals, alert metrics, reader counts) in one
 * Float64Array and their raw rows in one byte array, both handed over without a copy: cloning a few
 * typed arrays per record cost the main thread more than writing the record.
 */
import { parentPort } from 'node:worker_threads';
import { METRIC_COUNT } from '@poscare/alerts';
import { decodeMessage } from './decode.js';
import { Signal } from './rollups.js';
import { prepare, type Prepared } from './store.js';
import { NUMBERS_STRIDE, type DecodeFailed, type DecodeReply, type DecodeRequest, type DecodeResult } from './decodeThread.js';

parentPort!.postMessage('ready');
parentPort!.on('message', (req: DecodeRequest) => {
  try {
    answer(req);
  } catch (err) {
    // The main thread decodes this batch itself (its checks answer every message); the thread stays.
    const reply: DecodeFailed = { batch: req.batch, failed: String((err as Error)?.message ?? err) };
    parentPort!.postMessage(reply);
  }
});

function answer(req: DecodeRequest): void {
  const data = Buffer.from(req.data);
  const results: DecodeResult[] = [];
  const lines: Buffer[] = [];
  const numbers: Float64Array[] = [];
  for (let i = 0; i < req.orgIds.length; i++) {
    const d = decodeMessage(data.subarray(req.offsets[i], req.offsets[i + 1]));
    if (!d.ok) {
      results.push(d);
      continue;
    }
    let rec: Prepared;
    try {
      rec = prepare(d.msg, req.orgIds[i]!, req.terminalIds[i]!, req.received[i]!);
    } catch {
      // A checked message that cannot be prepared is a defect of ours; it is refused alone.
      results.push({ ok: false, reason: 'invalid', detail: 'could not be checked', size: req.offsets[i + 1]! - req.offsets[i]!, sample: null });
      continue;
    }
    if (rec.kind === 'telemetry') {
      const { line, signals, features, ...rest } = rec;
      lines.push(line);
      numbers.push(signals, features.metrics, features.reads);
      results.push({ ok: true, rec: { ...rest, line: lines.length - 1 } });
    } else results.push({ ok: true, rec });
  }
  const lineOffsets = new Uint32Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) lineOffsets[i + 1] = lineOffsets[i]! + lines[i]!.length;
  // ArrayBuffers of their own, handed over without a copy.
  const out = new Uint8Array(lineOffsets[lines.length]!);
  for (let i = 0; i < lines.length; i++) out.set(lines[i]!, lineOffsets[i]);
  const nums = new Float64Array(lines.length * NUMBERS_STRIDE);
  for (let i = 0; i < numbers.length; i += 3) {
    const at = (i / 3) * NUMBERS_STRIDE;
    nums.set(numbers[i]!, at);
    nums.set(numbers[i + 1]!, at + Signal.Count);
    nums.set(numbers[i + 2]!, at + Signal.Count + METRIC_COUNT);
  }
  const reply: DecodeReply = { batch: req.batch, results, lines: out.buffer, lineOffsets, numbers: nums.buffer };
  parentPort!.postMessage(reply, [out.buffer, nums.buffer]);
}
