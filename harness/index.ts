// chatfuzz's public entry: what a target module and a config file import.
export { defineTarget, defineOperation } from './contract/define-target.js';
export { defineConfig } from './contract/define-config.js';
export { uuidV5, UuidMap } from './contract/uuid-ids.js';
export type {
  Role,
  InvariantName,
  ChatStore,
  Snapshot,
  SnapshotScope,
  TargetContext,
  TargetDefinition,
  IsolationLevel,
  CreateSessionRequest,
  LogMessageRequest,
  HandleChatRequest,
  DeleteSessionRequest,
  ChatMessageInput,
  TargetApi,
  InputRules,
  SessionSemantics,
  DeleteSemantics,
  StoredMessageIds,
  ServerIdChatStore,
  KnownFinding,
  Expectation,
  TableMap,
  IdFormat,
  GateKind,
  TargetModel,
  ModelScope,
  ModelContext,
  OperationDefinition,
  OperationStep,
  OperationStoreOf,
  OperationsTargetDefinition,
  LoadedModule,
  RouteCaller,
  RouteRequestInit,
  RouteResponse,
  AppInstanceContext,
} from './contract/define-target.js';
export type { ChatfuzzConfig, Mode } from './contract/define-config.js';
export type {
  Reporter,
  RunStart,
  TrialProgress,
  RunResults,
  CellResult,
  CellFailure,
  MutedFinding,
  CounterexampleOp,
  BaselineStatus,
  BaselineSummary,
} from './contract/reporter.js';
export { startServer } from './contract/start-server.js';
export { currentRequest } from './contract/current-request.js';
export { RouteError, RouteRefusal } from './contract/app-instance.js';
export type { StartServerOptions, ServerProcess } from './contract/start-server.js';
