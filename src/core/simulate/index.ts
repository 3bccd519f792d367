/** Seeded movement simulator: human personas and bot kinds (see human.ts, bots.ts). */
export * from './common';
export * from './human';
export * from './bots';
