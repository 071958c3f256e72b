/**
 * Draws a {@link Timeline}: chat messages, agent runs (plan, steps with their states, streamed
 * text, final answer — folded by the SDK's `materialize`), tool calls, approval requests with
 * their state (and, for approvers, the buttons to decide them), spawned children as links and
 * lifecycle notices. Shared by the live session and the replay screen.
 */
import { materialize, type RunState } from "@tandem/sdk";
import { Fragment } from "preact";
import { useMemo } from "preact/hooks";
import { href } from "../router.js";
import type { ApprovalItem, CreatedItem, Item, MessageItem, NoticeItem, OtherItem, RunItem, SpawnedItem, Timeline, ToolItem } from "../model/timeline.js";
import { Badge, compact, Json, leaf, relative, StateBadge, summarize, Time } from "../ui.js";
import { ApprovalActions } from "./ApprovalActions.js";

export interface TimelineViewProps {
  timeline: Timeline;
  /** Bumped whenever the timeline changed. */
  version: number;
  /** The signed-in participant. */
  me: string;
  /** Show approve / reject on pending approvals (approvers only, never on a replay). */
  canDecide: boolean;
  /** Items at or after this offset arrived while the participant was away. */
  unreadFrom?: string | undefined;
  unreadCount?: number;
  now: number;
  label?: string;
  /** The stream shown, so notices about it do not link to it. */
  path?: string;
  /** The stream is a fork: approval requests in it were made (and are decided) on its source. */
  fork?: boolean;
}

export function TimelineView({ timeline, version, me, canDecide, unreadFrom, unreadCount, now, label = "Session events", path, fork = false }: TimelineViewProps) {
  let dividerShown = false;
  return (
    <div class="timeline-log" role="log" aria-label={label} aria-relevant="additions">
    <ol
      class="timeline"
      data-count={timeline.count}
      data-last-offset={timeline.lastOffset ?? ""}
      data-duplicates={timeline.duplicates}
      data-version={version}
    >
      {timeline.items.map((item) => {
        const isNew = unreadFrom !== undefined && item.offset >= unreadFrom;
        const unread = unreadFrom !== undefined && (isNew || lastOffsetOf(item) >= unreadFrom);
        const divider = isNew && !dividerShown;
        if (divider) dividerShown = true;
        return (
          <Fragment key={item.key}>
            {divider && (
              <li key={`divider-${item.key}`} class="unread-divider" id="unread-divider">
                <span>{unreadCount ? `${unreadCount} new since you were last here` : "New since you were last here"}</span>
              </li>
            )}
            <TimelineItem item={item} rev={item.rev} unread={unread} me={me} canDecide={canDecide} now={now} path={path} fork={fork} />
          </Fragment>
        );
      })}
    </ol>
    </div>
  );
}

/** The offset of the latest event an item shows. */
function lastOffsetOf(item: Item): string {
  if (item.kind === "run") return item.events.at(-1)?.offset ?? item.offset;
  if (item.kind === "approval") return item.offsets.at(-1) ?? item.offset;
  return item.offset;
}

function TimelineItem({
  item,
  unread,
  me,
  canDecide,
  now,
  path,
  fork,
}: {
  item: Item;
  rev: number;
  unread: boolean;
  me: string;
  canDecide: boolean;
  now: number;
  path?: string | undefined;
  fork: boolean;
}) {
  const common = { "data-offset": item.offset, "data-kind": item.kind, class: "" };
  const cls = (base: string) => `item ${base}${unread ? " unread" : ""}`;
  switch (item.kind) {
    case "message":
      return <Message item={item} mine={(item.by ?? item.from) === me} attrs={{ ...common, class: cls((item.by ?? item.from) === me ? "message mine" : "message") }} now={now} />;
    case "run":
      return (
        <li {...common} class={cls("run-item")}>
          <RunCard item={item} />
        </li>
      );
    case "tool":
      return <Tool item={item} attrs={{ ...common, class: cls("tool") }} />;
    case "approval":
      return (
        <li {...common} class={cls("approval-item")}>
          <ApprovalCard item={item} me={me} canDecide={canDecide && !fork} now={now} fork={fork} />
        </li>
      );
    case "spawned":
      return <Spawned item={item} attrs={{ ...common, class: cls("system spawned") }} />;
    case "created":
      return <Created item={item} attrs={{ ...common, class: cls("system created") }} />;
    case "notice":
      return <Notice item={item} attrs={{ ...common, class: cls("system notice") }} path={path} />;
    default:
      return <Other item={item} attrs={{ ...common, class: cls("system other") }} />;
  }
}

type Attrs = Record<string, string>;

/**
 * A chat message. The author shown is the one the hub saw append it when known (`by`), else the
 * one the message names (`from`); a message that names someone else than its appender says so.
 */
function Message({ item, mine, attrs, now }: { item: MessageItem; mine: boolean; attrs: Attrs; now: number }) {
  const claimed = item.by !== undefined && item.from !== undefined && item.from !== item.by ? item.from : undefined;
  return (
    <li {...attrs}>
      <div class="bubble">
        <p class="msg-meta">
          <span class="msg-author">{mine ? "You" : item.by ?? item.from ?? "Someone"}</span>
          {claimed !== undefined && (
            <span class="msg-claim" data-testid="claimed-author" title={`The message says it is from ${claimed}; the hub saw ${item.by} append it.`}>
              {" "}
              (signed “{claimed}”)
            </span>
          )}
          {item.at && (
            <>
              {" · "}
              <Time iso={item.at} now={now} />
            </>
          )}
        </p>
        <p class="msg-text">{item.text}</p>
      </div>
    </li>
  );
}

const STEP_ICON: Record<string, string> = { pending: "○", running: "◔", completed: "✓", failed: "✕" };

export function RunCard({ item }: { item: RunItem }) {
  const state: RunState = useMemo(() => materialize(item.events, { runId: item.runId }), [item, item.rev, item.events.length]);
  const running = state.status === "running";
  const finalDiffers = state.final && state.final.text !== state.text;
  const done = state.steps.filter((s) => s.status === "completed").length;
  return (
    <article class="card run" data-run-id={item.runId} data-status={state.status} aria-label={`Agent run ${item.runId}`}>
      <header class="card-head">
        <h2>
          <span aria-hidden="true">⚙ </span>Agent run
        </h2>
        <StateBadge state={state.status} />
        {state.steps.length > 0 && (
          <span class="muted small">
            {done} of {state.steps.length} steps done
          </span>
        )}
        <span class="muted small mono run-id" title={item.runId}>
          {item.runId}
        </span>
      </header>
      {state.steps.length > 0 && (
        <section aria-label="Plan">
          <h3 class="visually-hidden">Plan</h3>
          <ol class="steps">
            {state.steps.map((step) => {
              const description = state.plan?.steps.find((p) => p.name === step.name)?.description;
              return (
                <li key={step.key} class={`step step-${step.status}`} data-step={step.name} data-step-status={step.status}>
                  <span class="step-icon" aria-hidden="true">
                    {STEP_ICON[step.status] ?? "•"}
                  </span>
                  <span class="step-body">
                    <span class="step-name">{step.name}</span>
                    <span class="visually-hidden">: {step.status}</span>
                    {description && <span class="step-desc">{description}</span>}
                    {step.status === "completed" && step.result !== undefined && step.result !== null && (
                      <span class="step-result mono">→ {compact(step.result, 90)}</span>
                    )}
                    {step.error && <span class="step-error">{step.error.message}</span>}
                    {step.attempts > 1 && <span class="muted small">attempt {step.attempts}</span>}
                  </span>
                  <span class={`step-state state-${step.status}`}>{step.status}</span>
                </li>
              );
            })}
          </ol>
        </section>
      )}
      {(state.text || running) && (
        <div class="run-text" data-testid="run-text" aria-live="off">
          {state.text}
          {running && <span class="caret" aria-hidden="true" />}
        </div>
      )}
      {finalDiffers && (
        <div class="final">
          <h3>Final answer</h3>
          <p class="final-text">{state.final!.text}</p>
        </div>
      )}
      {state.final?.data !== undefined && (
        <details class="final-data">
          <summary>Result data</summary>
          <Json value={state.final.data} />
        </details>
      )}
      {state.error && (
        <p class="error">
          Run failed: {state.error.message}
          {state.error.code ? ` (${state.error.code})` : ""}
        </p>
      )}
      {state.problems.length > 0 && (
        <details class="problems">
          <summary>
            {state.problems.length} inconsistenc{state.problems.length === 1 ? "y" : "ies"} in this run's events
          </summary>
          <ul>
            {state.problems.map((p, i) => (
              <li key={i}>
                <code>{p.code}</code> {p.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

function Tool({ item, attrs }: { item: ToolItem; attrs: Attrs }) {
  const data = item.data;
  const tool = typeof data.tool === "string" ? data.tool : typeof data.name === "string" ? data.name : "";
  const approvalId = typeof data.approvalId === "string" ? data.approvalId : undefined;
  const { type: _t, tool: _tool, approvalId: _a, runId: _r, ...rest } = data;
  const payload = data.args !== undefined ? data.args : data.result !== undefined ? data.result : rest;
  return (
    <li {...attrs}>
      <div class="tool-line">
        <span class="tool-icon" aria-hidden="true">
          ⚒
        </span>
        <span class="tool-type">{item.type === "tool.call" ? "Tool call" : item.type}</span>
        {tool && <strong class="mono">{tool}</strong>}
        <code class="tool-args">{compact(payload, 100)}</code>
        {approvalId && (
          <Badge tone="ok" label={`released by approval ${approvalId}`}>
            released after approval
          </Badge>
        )}
      </div>
      <details class="raw">
        <summary>Event</summary>
        <Json value={data} />
      </details>
    </li>
  );
}

function ApprovalCard({ item, me, canDecide, now, fork }: { item: ApprovalItem; me: string; canDecide: boolean; now: number; fork: boolean }) {
  const pending = item.state === "pending";
  const decidable = pending && canDecide && item.requester !== me && item.proposed !== undefined;
  return (
    <article class={`card approval approval-${item.state}`} data-approval-id={item.approvalId} data-state={item.state} aria-label={`Approval ${item.approvalId}: ${item.state}`}>
      <header class="card-head">
        <h2>
          <span aria-hidden="true" class="approval-icon">{pending ? "◔" : item.state === "approved" ? "✓" : "✕"}</span>
          {pending ? "Waiting for approval" : "Approval"}
        </h2>
        <StateBadge state={item.state} />
      </header>
      <p class="proposed-summary mono">{summarize(item.proposed)}</p>
      <dl class="facts">
        <div>
          <dt>Requested by</dt>
          <dd>{item.requester ?? "unknown"}</dd>
        </div>
        {item.gate && (
          <div>
            <dt>Rule</dt>
            <dd>{item.gate}</dd>
          </div>
        )}
        {pending && item.expiresAt && (
          <div>
            <dt>Expires</dt>
            <dd>
              <Time iso={item.expiresAt} now={now} />
            </dd>
          </div>
        )}
        {item.quorum > 1 && (
          <div>
            <dt>Votes</dt>
            <dd>
              {item.votes} of {item.quorum}
            </dd>
          </div>
        )}
      </dl>
      {!pending && <Outcome item={item} now={now} />}
      <details class="raw">
        <summary>Proposed event</summary>
        <Json value={item.proposed} />
      </details>
      {decidable && <ApprovalActions id={item.approvalId} proposed={item.proposed} allowEdit={item.allowEdit} compact />}
      {pending && !decidable && (
        <p class="muted small">
          {fork
            ? "Pending when this fork was made; it is decided on the source session."
            : `Waiting for an approver${item.requester === me ? " (you asked for this)" : ""}.`}
        </p>
      )}
    </article>
  );
}

function Outcome({ item, now }: { item: ApprovalItem; now: number }) {
  const when = item.decidedAt ? ` ${relative(item.decidedAt, now)}` : "";
  let text: string;
  switch (item.state) {
    case "approved":
      text = item.decidedBy === null ? `Approved when it expired${when}` : `Approved by ${item.decidedBy ?? "an approver"}${item.edited ? " with edits" : ""}${when}`;
      break;
    case "rejected":
      text = `Rejected by ${item.decidedBy ?? "an approver"}${when}${item.reason ? `: “${item.reason}”` : ""}`;
      break;
    case "expired":
      text = `Expired: nobody decided in time${when}`;
      break;
    case "canceled":
      text = `Canceled${item.decidedBy ? ` by ${item.decidedBy}` : ""}${when}${item.reason ? `: ${item.reason}` : ""}`;
      break;
    default:
      text = item.state;
  }
  return (
    <div class="outcome">
      <p class="outcome-text" data-testid="approval-outcome">
        {text}
      </p>
      {item.edited && item.released !== undefined && (
        <p class="muted small mono">
          Released: {summarize(item.released)}
        </p>
      )}
    </div>
  );
}

function Spawned({ item, attrs }: { item: SpawnedItem; attrs: Attrs }) {
  return (
    <li {...attrs}>
      <span aria-hidden="true">↳ </span>
      Spawned child{" "}
      <a href={href.session(item.child)} class="mono">
        {item.name ?? leaf(item.child)}
      </a>
      {item.purpose && <span> — {item.purpose}</span>}
      {item.spawner && <span class="muted"> · by {item.spawner}</span>}
    </li>
  );
}

function Created({ item, attrs }: { item: CreatedItem; attrs: Attrs }) {
  return (
    <li {...attrs}>
      {item.parent ? (
        <>
          Spawned from{" "}
          <a href={href.session(item.parent)} class="mono">
            {item.parent}
          </a>
          {item.spawner && <span class="muted"> by {item.spawner}</span>}
          {item.purpose && <span> — {item.purpose}</span>}
        </>
      ) : (
        "Session created"
      )}
    </li>
  );
}

function Notice({ item, attrs, path }: { item: NoticeItem; attrs: Attrs; path?: string | undefined }) {
  const d = item.data;
  const verb = item.type === "stream.canceled" ? "canceled" : "closed";
  const by = typeof d.by === "string" ? d.by : undefined;
  const reason = typeof d.reason === "string" && d.reason ? d.reason : undefined;
  const origin = typeof d.origin === "string" ? d.origin : undefined;
  return (
    <li {...attrs}>
      <strong>Session {verb}</strong>
      {by && ` by ${by}`}
      {reason && `: ${reason}`}
      {origin && origin !== path && (
        <span class="muted">
          {" "}
          (from <a href={href.session(origin)}>{origin}</a>)
        </span>
      )}
    </li>
  );
}

function Other({ item, attrs }: { item: OtherItem; attrs: Attrs }) {
  return (
    <li {...attrs}>
      <details class="raw">
        <summary>
          <code>{item.type ?? "event"}</code> <span class="muted">{compact(item.data, 80)}</span>
        </summary>
        <Json value={item.data} />
      </details>
    </li>
  );
}
