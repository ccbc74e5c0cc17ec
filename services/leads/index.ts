export * from './leadProfile.ts';
export * from './leadProjection.ts';
export * from './leadSettings.ts';
