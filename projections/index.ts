export { clickhouseTime, loadMigrations, migrateAnalytics, migrationsDir } from './migrate.ts';
export type { Migration, MigrationReport } from './migrate.ts';
export { ANALYTICS_PROJECTION, AnalyticsProjector } from './projector/analyticsProjector.ts';
export type { ProjectorOptions, ProjectorState } from './projector/analyticsProjector.ts';
export { projectedTables } from './projector/analyticsRows.ts';
export { ProjectorService } from './projector/projectorService.ts';
export type { ProjectionStatus } from './projector/projectorService.ts';
export { cellText, runAnalystSql, toCsv } from './sql/analystSql.ts';
export type { AnalystSqlLimits, AnalystSqlResult } from './sql/analystSql.ts';
