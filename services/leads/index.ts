export * from './leadProfile.ts';
export * from './leadProjection.ts';
export * from './leadSettings.ts';
export * from './leadTimeline.ts';
export * from './reps/index.ts';
export * from './routing/index.ts';
