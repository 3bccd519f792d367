/**
 * The one adapter between an exported profile file and on-site scoring: what it accepts, what it
 * refuses, and with which words.
 */
import { describe, expect, it } from 'vitest';
import { scoringProfileFromExport } from '../../src/embed/profileAdapter';
import { PointerprintError } from '../../src/core/errors';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS } from '../../src/core/settings';

const weights = new Uint8Array([1, 2, 3, 250]);
const valid = () => ({
  format: 'pointerprint-profile', formatVersion: 1,
  profile: { id: 'alice', name: 'Alice', kind: 'verification' },
  model: { id: 'm1', windowSettings: { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 300 }, encoding: { ...DEFAULT_ENCODING_SETTINGS, sizePx: 48 }, classNames: ['others', 'Alice'] },
  modelTopology: { class_name: 'Sequential' }, weightSpecs: [{ name: 'w', shape: [4], dtype: 'float32' }],
  weightsBase64: Buffer.from(weights).toString('base64'),
});

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { return e instanceof PointerprintError ? e.code : 'not-a-PointerprintError'; }
  return 'no-error';
}

describe('scoringProfileFromExport', () => {
  it('reads the settings, the class to score and the weight bytes of an app export', () => {
    const p = scoringProfileFromExport(valid());
    expect(p.name).toBe('Alice');
    expect(p.modelId).toBe('m1');
    expect(p.windowSettings.eventsPerWindow).toBe(300);
    expect(p.encoding.sizePx).toBe(48);
    expect(p.cls).toBe(1);
    expect(Array.from(new Uint8Array(p.weightData))).toEqual(Array.from(weights));
  });

  it.each([
    ['not a profile', () => ({ hello: 1 }), 'profile/bad-file'],
    ['null', () => null, 'profile/bad-file'],
    ['another format version', () => ({ ...valid(), formatVersion: 99 }), 'profile/version'],
    ['a group model', () => ({ ...valid(), profile: { name: 'g', kind: 'group' } }), 'profile/bad-file'],
    ['no weights', () => ({ ...valid(), weightsBase64: undefined }), 'profile/bad-file'],
    ['no settings', () => ({ ...valid(), model: { id: 'm1' } }), 'profile/bad-file'],
  ])('refuses %s with a readable error', (_name, make, code) => {
    expect(codeOf(() => scoringProfileFromExport(make()))).toBe(code);
  });
});
