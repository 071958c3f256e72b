/**
 * The public surface of the Tandem SDK. Everything an application uses is exported here
 * and only here; other modules are internal.
 */
export { connect, TandemClient, PROTOCOL_VERSION } from "./connection.js";
export { StreamHandle } from "./stream.js";
export { Subscription } from "./subscription.js";
export { Presence } from "./presence.js";
export { Run, startRun } from "./run.js";
export { Approvals, ApprovalHandle } from "./approvals.js";
export { Inbox } from "./inbox.js";
export { materialize, isRunEvent, type MaterializeOptions } from "./materialize.js";
export { TandemError, ErrorCodes } from "./errors.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
export { compareOffsets, isOffset, offsetAfter, FIRST_OFFSET } from "./offsets.js";
export type * from "./types.js";
