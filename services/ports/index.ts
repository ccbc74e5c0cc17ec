export type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionBatch,
} from './eventStore.ts';
export { START } from './eventStore.ts';
export { appendIssues, expectationMismatch, MAX_STREAM_NAME, subscriptionSettings } from './appendRules.ts';
export { handleCommand } from './handleCommand.ts';
export type { HandleCommandOptions, HandleCommandResult } from './handleCommand.ts';
export type {
  IndexChange,
  IndexedAccount,
  IndexedLead,
  LeadIndex,
  LeadIndexReader,
  LeadIndexTransaction,
  LeadSearch,
  LeadSearchFields,
  Page,
} from './leadIndex.ts';
export type { NewQuarantineEntry, Quarantine, QuarantineEntry, QuarantineStatus } from './quarantine.ts';
export type {
  AllCondition,
  AnyCondition,
  CompiledCondition,
  Condition,
  ConditionCheck,
  ConditionResult,
  FactReference,
  FactSource,
  LeafCondition,
  NotCondition,
  RuleEvaluator,
  TopLevelCondition,
} from './ruleEvaluator.ts';
export { ruleOperatorDecorators, ruleOperators } from './ruleEvaluator.ts';
export type { Checkpoints } from './checkpoints.ts';
export type { MailAddress, Mailer, OutgoingEmail, SentEmail } from './mailer.ts';
export type { Analytics, EncodedRows, QueryParams, ResultTable } from './analytics.ts';
export { concatEncodedRows } from './analytics.ts';
export type { DeliveredRecord, IngestLog, IngestRecord, RecordVerdict } from './ingestLog.ts';
