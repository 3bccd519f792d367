/**
 * The queue's data functions: purging raw pointer events (opt-out) keeps scores, clearing empties it,
 * and every running client is told at once.
 */
import { describe, expect, it } from 'vitest';
import { meta, sampleChunk } from './fixtures';
import { pointerEnvelopes, scoreEnvelope, serializeEnvelope, utf8Bytes } from '../../../src/core/splunk/hec';
import { addEnvelope, drain, emptyBatcher, envelopeMatches, pendingWithoutEnvelopes, splitBatch, withoutEnvelopes, type HecBatch } from '../../../src/core/splunk/batcher';
import { clearAll, envelopesOfKind, memoryHecQueue, onHecQueueNotice, purgeKind, rawPointerEnvelopes, type HecQueueNotice, type QueuedBatch } from '../../../src/store/hecQueue';
import type { LiveScore } from '../../../src/core/score';

const score = (id: string): LiveScore => ({ id, sessionId: 's1', profileId: 'alice', modelId: 'm', windowIndex: 0, windowScore: 0.5, fusedScore: 0.5, confidence: 0.5, windowsSeen: 1, decision: 'not_yet', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: [], atEpochMs: 1 });
const pointerLine = (seq: number) => serializeEnvelope(pointerEnvelopes(sampleChunk('s1', seq, 20), meta, {})[0]);
const scoreLine = (id: string) => serializeEnvelope(scoreEnvelope(score(id), {}));

let n = 0;
const newId = () => `b${n++}`;
function batchOf(lines: string[]): QueuedBatch {
  let s = emptyBatcher();
  for (const l of lines) s = addEnvelope(s, l, utf8Bytes(l), JSON.parse(l).event.eventId, 0, { maxEvents: 1000, maxBytes: 1e9, maxWaitMs: 1e9 }, newId).state;
  return { ...drain(s, 0, newId).ready[0], attempts: 0 };
}

describe('queue purge by kind', () => {
  it('a kind rule reads the sourcetype', () => {
    expect(envelopeMatches(pointerLine(0), envelopesOfKind('pointer'))).toBe(true);
    expect(envelopeMatches(scoreLine('a'), envelopesOfKind('pointer'))).toBe(false);
    expect(envelopeMatches(scoreLine('a'), envelopesOfKind('score'))).toBe(true);
    expect(envelopeMatches('{"event":1}', envelopesOfKind('other'))).toBe(true);
    expect(envelopeMatches('{"event":1}', envelopesOfKind('pointer'))).toBe(false);
  });

  it('withoutEnvelopes (raw events) keeps scores, ids and byte counts aligned', () => {
    const b = batchOf([scoreLine('a'), pointerLine(0), scoreLine('b'), pointerLine(1)]);
    const kept = withoutEnvelopes(b, rawPointerEnvelopes).batch!;
    expect(kept.eventIds).toEqual(['a', 'b']);
    expect(kept.body).toBe([scoreLine('a'), scoreLine('b')].join('\n'));
    expect(kept.bytes).toBe(utf8Bytes(kept.body));
    expect(kept.id).toBe(b.id);
    expect(withoutEnvelopes(batchOf([pointerLine(2)]), rawPointerEnvelopes).batch).toBeNull();
    const scoresOnly = batchOf([scoreLine('c')]);
    expect(withoutEnvelopes(scoresOnly, rawPointerEnvelopes).batch).toBe(scoresOnly);
  });

  it('pendingWithoutEnvelopes drops gathering raw lines', () => {
    let s = emptyBatcher();
    for (const [l, id] of [[pointerLine(0), 'raw'], [scoreLine('x'), 'x']]) s = addEnvelope(s, l, utf8Bytes(l), id, 0, { maxEvents: 10, maxBytes: 1e9, maxWaitMs: 1e9 }, newId).state;
    const p = pendingWithoutEnvelopes(s, rawPointerEnvelopes);
    expect(p.state.lines).toEqual([scoreLine('x')]);
    expect(p.state.bytes).toBe(utf8Bytes(scoreLine('x')));
    expect(p.removedIds).toEqual(['raw']);
  });

  it('purgeKind removes raw events from every stored batch, deletes emptied ones, tells clients first', async () => {
    const store = memoryHecQueue();
    await store.put(batchOf([pointerLine(0), pointerLine(1)]));
    await store.put(batchOf([scoreLine('a'), pointerLine(2)]));
    await store.put(batchOf([scoreLine('b')]));
    const heard: HecQueueNotice[] = [];
    let storeWhenTold = -1;
    const off = onHecQueueNotice((m) => { heard.push(m); if (storeWhenTold < 0) void store.list().then((l) => (storeWhenTold = l.length)); });
    const r = await purgeKind('pointer', store);
    off();
    expect({ events: r.events, batches: r.batches }).toEqual({ events: 3, batches: 1 });
    expect(r.eventIds).toHaveLength(3);
    const left = await store.list();
    expect(left.map((b) => b.eventIds)).toEqual([['a'], ['b']]);
    for (const b of left) expect(b.body).not.toContain('pointerprint:pointer');
    expect(heard[0]).toEqual({ type: 'purge', rule: { by: 'kind', kind: 'pointer' } });
    expect(storeWhenTold).toBe(3); // told before the store changed, so gathering raw lines go first
  });

  it('clearAll empties the queue and tells clients', async () => {
    const store = memoryHecQueue();
    await store.put(batchOf([scoreLine('a')]));
    const heard: HecQueueNotice[] = [];
    const off = onHecQueueNotice((m) => { heard.push(m); });
    await clearAll(store);
    off();
    expect(await store.list()).toEqual([]);
    expect(heard).toContainEqual({ type: 'purge', rule: { by: 'all' } });
  });

  it('update never brings back a batch that was removed', async () => {
    const store = memoryHecQueue();
    const b = batchOf([scoreLine('a')]);
    await store.put(b);
    await store.delete(b.id);
    expect(await store.update(b.id, { attempts: 3 })).toBe(false);
    expect(await store.list()).toEqual([]);
  });
});

describe('split after HTTP 413', () => {
  it('halves until single events; a single event cannot be split', () => {
    const b: HecBatch = batchOf([scoreLine('a'), scoreLine('b'), scoreLine('c')]);
    const [x, y] = splitBatch(b, newId)!;
    expect(x.eventIds).toEqual(['a', 'b']);
    expect(y.eventIds).toEqual(['c']);
    expect(x.id).not.toBe(b.id);
    expect(x.body + '\n' + y.body).toBe(b.body);
    expect(splitBatch(y, newId)).toBeNull();
  });
});
