/**
 * Issue #10 item 5: a profile file is untrusted. Crafted files are refused with a message naming the
 * field; nothing that says where to store something is taken from a file; unknown fields are dropped.
 */
import { describe, expect, it } from 'vitest';
import { parseProfileBundle } from '../../src/core/profileBundle';
import { PointerprintError } from '../../src/core/errors';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, encodingFingerprint } from '../../src/core/settings';
import { defaultSpec } from '../../src/ml/spec';

const ws = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 500 };
const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 32 };
const fp = encodingFingerprint(ws, es);
const weights = new Uint8Array(24).map((_, i) => i);
const b64 = Buffer.from(weights).toString('base64');

/** A bundle as `exportProfile` writes it (JSON turns NaN into null). */
function good(): Record<string, any> {
  return JSON.parse(JSON.stringify({
    format: 'pointerprint-profile', formatVersion: 1,
    profile: {
      id: 'Alice Smith', name: 'Alice Smith', kind: 'verification', createdAtEpochMs: 1_764_000_000_000, windows: 120,
      windowSettings: ws, encoding: es, fingerprint: fp, modelId: 'b2c4e0f6-1111-4a4a-9b9b-000000000001',
      quality: { testWindows: 20, accuracy: 0.9, auc: NaN, eer: 0.1, threshold: 0.5, far: 0.1, frr: 0.1, roc: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
      trainedAgainst: { classes: [{ name: 'others', sessions: 3, windows: 60, origins: ['Balabit data set (user7)'] }, { name: 'Alice Smith', sessions: 2, windows: 60, origins: [] }], split: { train: 80, val: 20, test: 20 }, heldOutBy: 'sessions', note: '' },
      history: [{ epoch: 0, trainLoss: 0.7, trainAcc: 0.5, valLoss: NaN, valAcc: NaN, ms: 100, msPerStep: 10, best: true }],
      backend: 'wasm',
    },
    model: {
      id: 'b2c4e0f6-1111-4a4a-9b9b-000000000001', kind: 'verification', url: 'indexeddb://pointerprint-model-b2c4e0f6-1111-4a4a-9b9b-000000000001',
      spec: defaultSpec('verification', 32), classNames: ['others', 'Alice Smith'], fingerprint: fp, windowSettings: ws, encoding: es,
      createdAtEpochMs: 1_764_000_000_000, backend: 'wasm', tfjsVersion: '4.22.0', formatVersion: 1,
    },
    modelTopology: { class_name: 'Sequential', config: { layers: [] } },
    weightSpecs: [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }],
    weightsBase64: b64,
  }));
}

function refusal(make: (b: Record<string, any>) => unknown): PointerprintError {
  const b = good();
  const v = make(b) ?? b;
  try {
    parseProfileBundle(typeof v === 'string' ? v : JSON.stringify(v));
  } catch (e) {
    expect(e).toBeInstanceOf(PointerprintError);
    return e as PointerprintError;
  }
  throw new Error('the crafted file was accepted');
}

describe('parseProfileBundle', () => {
  it('accepts an exported profile, restores NaN, and keeps only checked fields (never a storage URL)', () => {
    const b = good();
    b.model.url = 'https://attacker.example/steal';
    b.profile.extra = { note: 'unchecked' };
    const r = parseProfileBundle(JSON.stringify(b));
    expect(r.profile.id).toBe('Alice Smith');
    expect(r.profile.quality!.auc).toBeNaN();
    expect(r.profile.history[0].valLoss).toBeNaN();
    expect(r.model).not.toHaveProperty('url');
    expect(r.profile).not.toHaveProperty('extra');
    expect(new Uint8Array(r.weightData)).toEqual(weights);
    // Same JSON as exported (key order kept), so an export → import round trip is exact.
    expect(JSON.stringify(r.profile)).toBe(JSON.stringify(good().profile));
  });

  const cases: [string, (b: Record<string, any>) => unknown, RegExp][] = [
    ['not JSON', () => '{"format":', /not JSON/],
    ['another format', () => ({ format: 'pointerprint-session' }), /not a Pointerprint profile export/],
    ['a newer format', (b) => ({ ...b, formatVersion: 2 }), /format v2; this app reads v1/],
    ['a model id that escapes its storage key', (b) => { b.model.id = b.profile.modelId = '../pointerprint-model-victim'; }, /file\.profile\.modelId must be letters, digits/],
    ['a model id with a URL in it', (b) => { b.model.id = b.profile.modelId = 'x?https://evil'; }, /file\.profile\.modelId must be letters/],
    ['a profile pointing at another model', (b) => { b.profile.modelId = 'someone-elses-model'; }, /profile\.modelId .* is not model\.id/],
    ['a profile without a model', (b) => { b.profile.modelId = null; }, /profile\.modelId is empty/],
    ['a fingerprint that lies about the settings', (b) => { b.model.fingerprint = b.profile.fingerprint = encodingFingerprint(ws, { ...es, sizePx: 64 }); }, /does not match its own settings/],
    ['class names that do not fit the network', (b) => { b.model.classNames = ['a', 'b', 'c']; }, /3 names but the network has 2 outputs/],
    ['weights shorter than declared', (b) => { b.weightSpecs[0].shape = [4, 3]; }, /weights are 24 bytes but weightSpecs describe 48/],
    ['weights that are not base64', (b) => { b.weightsBase64 = 'not base64!'; }, /weightsBase64 must be base64/],
    ['a quantised or unknown dtype', (b) => { b.weightSpecs[0].dtype = 'string'; }, /weightSpecs\[0\]\.dtype must be "float32" or "int32" or "bool"/],
    ['an image size out of range', (b) => { b.model.encoding.sizePx = 100_000; }, /model\.encoding\.sizePx must be between 8 and 512/],
    ['a probability above 1', (b) => { b.profile.quality.roc[1].fpr = 2; }, /profile\.quality\.roc\[1\]\.fpr must be between 0 and 1/],
    ['a name with control characters', (b) => { b.profile.name = 'Alice\u0000'; }, /profile\.name contains control characters/],
    ['an over-long name', (b) => { b.profile.name = 'A'.repeat(500); }, /profile\.name is 500 characters long/],
    ['a history that is not a list', (b) => { b.profile.history = 'lots'; }, /profile\.history must be a list/],
    ['an unknown model kind', (b) => { b.model.kind = b.profile.kind = 'oracle'; }, /kind must be "verification" or "group"/],
    ['a topology that is not an object', (b) => { b.modelTopology = 'Sequential'; }, /modelTopology must be an object/],
  ];
  it.each(cases)('refuses %s with a message naming the field', (_n, make, msg) => {
    const e = refusal(make);
    expect(e.message).toMatch(msg);
    expect(['profile/bad-file', 'profile/invalid', 'profile/version', 'import/invalid']).toContain(e.code);
  });
});
