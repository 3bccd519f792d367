import { describe, it, expect } from 'vitest';
import { checkHumanRules } from '../../src/core/humanRules';
import { columnsFromSamples, EventKind, PointerKind, type PointerSample } from '../../src/core/events';
import { simulateHuman, simulateBot, PERSONAS, moveSample, type PageGeometry } from '../../src/core/simulate';

const page: PageGeometry = { width: 1280, height: 800 };
const flagsOf = (s: PointerSample[]) => checkHumanRules(columnsFromSamples(s)).flags;

describe('humanRules', () => {
  it('flags no pointer activity', () => {
    expect(flagsOf([])).toEqual(['no-activity']);
    const wheelOnly: PointerSample[] = [0, 10, 20].map((t) => ({ tMs: t, kind: EventKind.Wheel, x: 0, y: 0, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 100 }));
    expect(flagsOf(wheelOnly)).toContain('no-activity');
  });
  it('is quiet on human-like personas', () => {
    for (const p of Object.values(PERSONAS)) {
      for (const seed of [1, 2, 3]) {
        expect(flagsOf(simulateHuman(p, page, { seed, reaches: 15 }))).toEqual([]);
      }
    }
  });
  it('flags a linear constant-speed timer bot on straightness, speed and timing', () => {
    const f = flagsOf(simulateBot('linear', page, { seed: 1, reaches: 15 }));
    expect(f).toContain('straight-path');
    expect(f).toContain('constant-speed');
    expect(f).toContain('periodic-timing');
  });
  it('flags a fixed-timer Bézier bot on timing', () => {
    expect(flagsOf(simulateBot('bezier-eased', page, { seed: 1, reaches: 15 }))).toContain('periodic-timing');
  });
  it('flags teleports', () => {
    const s: PointerSample[] = [];
    for (let i = 0; i < 40; i++) s.push(moveSample(i * 8, i % 2 ? 1000 : 10, i % 2 ? 700 : 10));
    expect(flagsOf(s)).toContain('teleport');
  });
  it('flags a periodic (looped) path', () => {
    const s: PointerSample[] = [];
    let t = 0;
    for (let loop = 0; loop < 5; loop++) {
      for (let k = 0; k < 30; k++) {
        t += 7 + ((k * 37) % 11); // irregular timing, so only the path repeats
        const a = (k / 30) * 2 * Math.PI;
        s.push(moveSample(t, Math.round(400 + 100 * Math.cos(a) + (k % 3)), Math.round(300 + 60 * Math.sin(2 * a))));
      }
    }
    expect(flagsOf(s)).toContain('periodic-path');
  });
  it('checks a sub-range only', () => {
    const human = simulateHuman(PERSONAS.bob, page, { seed: 4, reaches: 5 });
    const c = columnsFromSamples(human);
    expect(checkHumanRules(c, 0, 2).flags).toEqual(['no-activity']);
  });
});
