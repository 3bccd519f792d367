import { describe, expect, it } from 'vitest';
import { meta, sampleChunk } from './fixtures';
import type { GroupLiveScore, LiveScore } from '../../../src/core/score';
import {
  SOURCETYPE_GROUP_SCORE, SOURCETYPE_POINTER, SOURCETYPE_SCORE, SPLUNK_DEFAULT_TRUNCATE_BYTES, epochMsToHecTime, hecTimeToEpochMs, joinUrl, pointerEnvelopes, scoreEnvelope,
  serializeEnvelope, splitConcatenatedJson, utf8Bytes,
} from '../../../src/core/splunk/hec';
import { HEC_STATUS, backoffDelayMs, classifyHecResponse, classifyNetworkError, parseRetryAfter } from '../../../src/core/splunk/hecStatus';
import { addEnvelope, drain, emptyBatcher, nextDeadline, pickForKeepalive, tick, type BatchLimits, type HecBatch } from '../../../src/core/splunk/batcher';

describe('HEC envelopes', () => {
  it('time is epoch seconds with millisecond fractions, and round-trips (number and string)', () => {
    expect(epochMsToHecTime(1_732_545_691_123)).toBe(1732545691.123);
    expect(hecTimeToEpochMs(1732545691.123)).toBe(1_732_545_691_123);
    expect(hecTimeToEpochMs('1732545691.123')).toBe(1_732_545_691_123);
    expect(hecTimeToEpochMs('abc')).toBeNull();
    expect(hecTimeToEpochMs('')).toBeNull();
  });

  it('one compact pointer event per chunk: columns as arrays, session meta, ids for dedup', () => {
    const [env, ...rest] = pointerEnvelopes(sampleChunk('s1', 3, 100, 1000), meta, { host: 'h', source: 'pointerprint', index: 'pointerprint' });
    expect(rest).toHaveLength(0);
    expect(env.sourcetype).toBe(SOURCETYPE_POINTER);
    expect(env).toMatchObject({ host: 'h', source: 'pointerprint', index: 'pointerprint' });
    expect(env.time).toBe(1732545692.123); // session start + first sample (1000 ms)
    expect(env.event).toMatchObject({ type: 'pointer', v: 1, eventId: 's1:3:0', seq: 3, offset: 0, length: 100, chunkLength: 100 });
    expect(env.event.session).toMatchObject({ id: 's1', profileId: 'alice', label: 'customer', space: { width: 1280, height: 800 } });
    expect(env.event.columns.x.slice(0, 3)).toEqual([10, 11.25, 12.5]);
    expect(env.event.columns.tMs[1]).toBe(1008.333); // rounded to µs
    expect(Object.keys(env.event.columns).sort()).toEqual(['button', 'buttons', 'dx', 'dy', 'kind', 'pointerKind', 'tMs', 'x', 'y']);
    expect(env.fields).toEqual({ pp_event_id: 's1:3:0', pp_session: 's1', pp_profile: 'alice', pp_label: 'customer' });
    expect(JSON.parse(serializeEnvelope(env))).toEqual(env);
  });

  it('splits a long chunk into parts with stable ids', () => {
    const envs = pointerEnvelopes(sampleChunk('s1', 0, 1000), meta, {}, { maxSamplesPerEvent: 400, maxEventBytes: 1e9 });
    expect(envs.map((e) => e.event.eventId)).toEqual(['s1:0:0', 's1:0:400', 's1:0:800']);
    expect(envs.map((e) => e.event.length)).toEqual([400, 400, 200]);
    expect(envs[0]).not.toHaveProperty('index'); // token default index when unset
    for (const e of envs) expect(utf8Bytes(serializeEnvelope(e))).toBeLessThan(60 * 1024);
  });

  it("every pointer event fits Splunk's default TRUNCATE (10,000 bytes), measured in bytes; parts tile the chunk", () => {
    // Realistic worst case: 1000 samples with full-precision coordinates, deltas, a long label and ids.
    const n = 1000;
    const chunk = sampleChunk('a-long-session-id-0123456789abcdef', 12, n, 123456.789);
    for (let i = 0; i < n; i++) {
      chunk.x[i] = 1234.5678 + i * 0.321; chunk.y[i] = 987.6543 - i * 0.123; chunk.dx[i] = -12.345; chunk.dy[i] = 6.789; chunk.buttons[i] = 1;
    }
    const longMeta = { ...meta, id: 'a-long-session-id-0123456789abcdef', label: 'customer-segment-ééé-'.repeat(5), profileId: 'profile-'.repeat(8) };
    const envs = pointerEnvelopes(chunk, longMeta, { host: 'shop.example.com', source: 'pointerprint', index: 'pointerprint' });
    expect(envs.length).toBeGreaterThan(3);
    let at = 0;
    for (const e of envs) {
      expect(utf8Bytes(serializeEnvelope(e))).toBeLessThanOrEqual(9000);
      expect(utf8Bytes(JSON.stringify(e.event))).toBeLessThan(SPLUNK_DEFAULT_TRUNCATE_BYTES);
      expect(e.event.offset).toBe(at);
      expect(e.event.eventId).toBe(`${longMeta.id}:12:${at}`);
      at += e.event.length;
    }
    expect(at).toBe(n);
    // Parts are filled, not cut needlessly small: each but the last is within a sample's size of the limit.
    for (const e of envs.slice(0, -1)) expect(utf8Bytes(serializeEnvelope(e))).toBeGreaterThan(9000 - 120);
  });

  it('score events under pointerprint:score at the score time', () => {
    const s: LiveScore = { id: 'sc1', sessionId: 's1', profileId: 'alice', modelId: 'm1', windowIndex: 4, windowScore: 0.2, fusedScore: 0.31, confidence: 0.7, windowsSeen: 5, decision: 'mismatch', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: ['constant-speed'], atEpochMs: 1_732_545_700_500 };
    const env = scoreEnvelope(s, { index: 'pointerprint' });
    expect(env).toMatchObject({ time: 1732545700.5, sourcetype: SOURCETYPE_SCORE, index: 'pointerprint' });
    expect(env.event).toMatchObject({ type: 'score', eventId: 'sc1', fusedScore: 0.31, decision: 'mismatch', flags: ['constant-speed'] });
    expect(env.fields).toMatchObject({ pp_event_id: 'sc1', pp_decision: 'mismatch' });
  });

  it('group model scores under their own sourcetype (pointerprint:group_score): no decision field for the mismatch alert to match', () => {
    const s: GroupLiveScore = {
      id: 'g1', sessionId: 's1', profileId: 'group-humans-vs-bots', modelId: 'm2', windowIndex: 2, windowGroup: 'bots', windowProba: { bots: 0.7, humans: 0.3 },
      notPeople: 0.97, notPeopleThreshold: 0.9, windowsSeen: 3, shares: { bots: 2 / 3, humans: 1 / 3 }, leadingGroup: 'bots', windowClockMs: null, clock: null, flags: [], atEpochMs: 1_732_545_700_500,
    };
    const env = scoreEnvelope(s, { index: 'pointerprint' });
    expect(env).toMatchObject({ time: 1732545700.5, sourcetype: SOURCETYPE_GROUP_SCORE, index: 'pointerprint' });
    expect(env.event).toMatchObject({ type: 'group_score', eventId: 'g1', leadingGroup: 'bots', shares: { bots: 2 / 3 }, windowProba: { humans: 0.3 } });
    expect(env.fields).toEqual({ pp_event_id: 'g1', pp_session: 's1', pp_profile: 'group-humans-vs-bots', pp_group: 'bots' });
    expect(env.event).not.toHaveProperty('decision');
    // A tie: no leading group, so no indexed group field either.
    expect(scoreEnvelope({ ...s, leadingGroup: null }, {}).fields).not.toHaveProperty('pp_group');
  });

  it('utf8Bytes matches TextEncoder', () => {
    for (const s of ['abc', 'é', '€uro', '😀x', '']) expect(utf8Bytes(s)).toBe(new TextEncoder().encode(s).length);
  });

  it('joinUrl handles slashes and same-origin proxy bases', () => {
    expect(joinUrl('https://s:8088/', '/services/collector/event')).toBe('https://s:8088/services/collector/event');
    expect(joinUrl('/splunk-hec', 'services/collector/health')).toBe('/splunk-hec/services/collector/health');
  });

  it('splits concatenated JSON bodies (HEC batching), including braces inside strings', () => {
    expect(splitConcatenatedJson('{"event":"a}"}{"event":{"b":1}}\n {"event":"c"}')).toEqual({ objects: ['{"event":"a}"}', '{"event":{"b":1}}', '{"event":"c"}'], rest: '' });
    expect(splitConcatenatedJson('{"event":1} garbage').rest).toBe('garbage');
    expect(splitConcatenatedJson('{"event":1}{"ev').rest).toBe('{"ev');
  });
});

describe('HEC response classification', () => {
  const table: [number, string, string][] = [
    [200, '{"text":"Success","code":0}', 'ok'],
    [503, '{"text":"Server is busy","code":9}', 'retry'],
    [500, '{"text":"Internal server error","code":8}', 'retry'],
    [502, '<html>bad gateway</html>', 'retry'],
    [429, '', 'retry'],
    [200, '{"text":"Succ', 'retry'], // truncated: outcome unknown, resend
    [403, '{"text":"Invalid token","code":4}', 'pause'],
    [403, '{"text":"Token disabled","code":1}', 'pause'],
    [401, '{"text":"Token is required","code":2}', 'pause'],
    [401, '{"text":"Invalid authorization","code":3}', 'pause'],
    [400, '{"text":"Invalid token","code":21}', 'pause'], // some versions: HTTP 400 for token problems
    [400, '{"text":"Token disabled","code":22}', 'pause'],
    [400, '{"text":"Incorrect index","code":7,"invalid-event-number":0}', 'pause'],
    [400, '{"text":"Invalid data format","code":6,"invalid-event-number":2}', 'reject'],
    [400, '{"text":"No data","code":5}', 'reject'],
    [400, '{"text":"Event field is required","code":12}', 'reject'],
    [400, '{"text":"Error in handling indexed fields","code":15}', 'reject'],
    [400, '{"text":"Data channel is missing","code":10}', 'needs-channel'],
    [400, '{"text":"Invalid data channel","code":11}', 'pause'],
    [400, '{"text":"ACK is disabled","code":14}', 'pause'],
    [400, '{"text":"Something new","code":99}', 'pause'], // a code we do not know: keep the data
    // Answers without a HEC code (a proxy, a wrong port, a static host) never drop anything.
    [404, 'not found', 'pause'],
    [400, '<html>Bad Request</html>', 'pause'],
    [405, '', 'pause'],
    [403, 'Forbidden', 'pause'],
    [401, '', 'pause'],
    [413, '', 'too-large'],
    [413, '{"text":"Content too large","code":6}', 'too-large'],
  ];
  it.each(table)('HTTP %i %s → %s', (status, body, kind) => {
    const o = classifyHecResponse(status, body);
    expect(o.kind).toBe(kind);
    if (o.kind === 'pause' || o.kind === 'reject') {
      expect(o.error.message.length).toBeGreaterThan(20);
      if (o.hecCode !== undefined) expect(o.error.message).toContain(`HEC code ${o.hecCode}`);
    }
    if (o.kind === 'pause') expect(o.error.message).toMatch(/kept/);
  });

  it('codes 21 and 22 are token problems in words', () => {
    for (const code of [21, 22]) {
      const o = classifyHecResponse(400, JSON.stringify({ text: 'Invalid token', code }));
      expect(o.kind === 'pause' && o.error.message).toContain('HEC token');
      expect(o.kind === 'pause' && o.error.message).toContain(`HEC code ${code}`);
    }
  });

  it('a rejected batch says which event Splunk refused', () => {
    const o = classifyHecResponse(400, '{"text":"Invalid data format","code":6,"invalid-event-number":2}');
    expect(o).toMatchObject({ kind: 'reject', hecCode: 6, invalidEventNumber: 2 });
  });

  it('the status table matches the documented HTTP status per code', () => {
    expect(HEC_STATUS[4]).toEqual({ http: 403, text: 'Invalid token' });
    expect(HEC_STATUS[9]).toEqual({ http: 503, text: 'Server is busy' });
    expect(HEC_STATUS[7]).toEqual({ http: 400, text: 'Incorrect index' });
    expect(HEC_STATUS[10]).toEqual({ http: 400, text: 'Data channel is missing' });
    expect(HEC_STATUS[6]).toEqual({ http: 400, text: 'Invalid data format' });
    expect(HEC_STATUS[0]).toEqual({ http: 200, text: 'Success' });
    expect(HEC_STATUS[17]).toEqual({ http: 200, text: 'HEC is healthy' });
  });

  it('invalid token words name the code', () => {
    const o = classifyHecResponse(403, '{"text":"Invalid token","code":4}');
    expect(o.kind === 'pause' && o.error.message).toContain('does not know this HEC token');
    expect(o.kind === 'pause' && o.error.code).toBe('hec/invalid-token');
  });

  it('ack id is returned on success', () => {
    expect(classifyHecResponse(200, '{"text":"Success","code":0,"ackId":7}')).toEqual({ kind: 'ok', ackId: 7 });
  });

  it('network errors are retryable', () => {
    expect(classifyNetworkError(new TypeError('Failed to fetch')).kind).toBe('retry');
  });

  it('Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});

describe('backoff with jitter', () => {
  it('grows exponentially, capped, jittered within [half, full] of nominal', () => {
    const p = { baseMs: 1000, maxMs: 8000, factor: 2 };
    expect(backoffDelayMs(0, p, () => 0)).toBe(500);
    expect(backoffDelayMs(0, p, () => 0.999999)).toBe(1000);
    expect(backoffDelayMs(2, p, () => 0)).toBe(2000);
    expect(backoffDelayMs(10, p, () => 1)).toBe(8000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, p)));
    expect(spread.size).toBeGreaterThan(10);
    for (const d of spread) expect(d).toBeGreaterThanOrEqual(4000);
  });
  it('honours a longer Retry-After', () => {
    expect(backoffDelayMs(0, { baseMs: 1000, maxMs: 8000, factor: 2 }, () => 0, 5000)).toBe(5000);
  });
});

describe('batcher state machine', () => {
  const limits: BatchLimits = { maxEvents: 3, maxBytes: 100, maxWaitMs: 1000 };
  let n = 0;
  const id = () => `b${n++}`;
  const add = (s: ReturnType<typeof emptyBatcher>, line: string, t: number) => addEnvelope(s, line, utf8Bytes(line), line, t, limits, id);

  it('seals by count', () => {
    let s = emptyBatcher();
    const ready: HecBatch[] = [];
    for (const l of ['a', 'b', 'c', 'd']) { const r = add(s, l, 0); s = r.state; ready.push(...r.ready); }
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ body: 'a\nb\nc', eventCount: 3, eventIds: ['a', 'b', 'c'], bytes: 5 });
    expect(s.lines).toEqual(['d']);
  });

  it('seals by bytes before overflowing; an oversized line goes alone', () => {
    let s = emptyBatcher();
    let r = add(s, 'x'.repeat(60), 0); s = r.state;
    expect(r.ready).toHaveLength(0);
    r = add(s, 'y'.repeat(60), 0); s = r.state;
    expect(r.ready.map((b) => b.bytes)).toEqual([60]);
    r = add(s, 'z'.repeat(300), 0); s = r.state;
    expect(r.ready.map((b) => b.eventCount)).toEqual([1, 1]);
    expect(s.lines).toHaveLength(0);
  });

  it('seals by time via tick, with nextDeadline for the shell timer', () => {
    let s = add(emptyBatcher(), 'a', 100).state;
    s = add(s, 'b', 600).state;
    expect(nextDeadline(s, limits)).toBe(1100);
    expect(tick(s, 1099, limits, id).ready).toHaveLength(0);
    const r = tick(s, 1100, limits, id);
    expect(r.ready[0].body).toBe('a\nb');
    expect(nextDeadline(r.state, limits)).toBeNull();
  });

  it('drain seals whatever is pending', () => {
    expect(drain(emptyBatcher(), 0, id).ready).toHaveLength(0);
    expect(drain(add(emptyBatcher(), 'q', 0).state, 0, id).ready[0].body).toBe('q');
  });

  it('keepalive picks oldest batches within 60 KiB', () => {
    const bs = [{ bytes: 30_000 }, { bytes: 30_000 }, { bytes: 2_000 }];
    expect(pickForKeepalive(bs)).toHaveLength(2);
    expect(pickForKeepalive([{ bytes: 70_000 }])).toHaveLength(0);
  });
});
