/**
 * The approvals inbox: GET /v1/approvals?state=pending — what this participant may decide now,
 * newest first — with the proposed action, who asked, how long ago, when it expires, and the
 * buttons to approve, reject with a reason, or edit then approve. Refreshed every few seconds;
 * a decision shows up live in the session (approval.granted / approval.rejected).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { canApprove } from "../auth.js";
import { ApprovalActions } from "../components/ApprovalActions.js";
import { useApp } from "../context.js";
import { pendingApprovalsChange, type Approval } from "../api/governance.js";
import { describeError } from "../api/http.js";
import { href, navigate } from "../router.js";
import { absolute, Badge, duration, ErrorText, Json, relative, Spinner, summarize, useFocusHeading, useFollow, useNow } from "../ui.js";

export function ApprovalsView({ stream }: { stream?: string | undefined }) {
  const { auth } = useApp();
  const heading = useFocusHeading();
  const now = useNow(5000);
  const [list, setList] = useState<Approval[] | null>(null);
  const [loadedAt, setLoadedAt] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [decided, setDecided] = useState<Record<string, string>>({});
  const [filter, setFilter] = useState(stream ?? "");
  const decidedRef = useRef(decided);
  decidedRef.current = decided;
  // Decisions sent from this page and not answered yet: the hub's list can drop the card
  // (the decision reached it) before the decision's own answer gets here.
  const deciding = useRef(new Set<string>());

  useEffect(() => {
    document.title = "Approvals · Tandem";
  }, []);

  // The hub answers when the list changes (a new request, a vote, a decision), so cards come
  // and go within moments of it, from any device; `etag` names the list shown.
  const etag = useRef<string | null>(null);
  useEffect(() => {
    etag.current = null; // another filter, another list
  }, [stream]);
  const restart = useFollow(
    async (signal) => {
      const answer = await pendingApprovalsChange(auth, stream ? { stream } : {}, etag.current, { signal }).catch((e) => {
        if (!signal.aborted) setError(`Could not load approvals: ${describeError(e)}`);
        throw e;
      });
      setLoadedAt(Date.now());
      setError(null);
      if (answer === null) return; // unchanged
      etag.current = answer.etag;
      const fresh = new Map(answer.approvals.map((a) => [a.id, a]));
      // A card decided here stays (showing its outcome) where it was; the rest is the hub's list.
      setList((previous) => {
        const kept = (previous ?? []).filter((a) => (decidedRef.current[a.id] || deciding.current.has(a.id)) && !fresh.has(a.id));
        const merged = [...answer.approvals];
        for (const a of kept) {
          const at = (previous ?? []).indexOf(a);
          merged.splice(Math.min(at, merged.length), 0, a);
        }
        return merged;
      });
    },
    3000,
    [stream],
  );
  const refresh = () => {
    etag.current = null;
    restart();
  };

  if (!canApprove(auth.claims)) {
    return (
      <section class="screen">
        <h1 tabIndex={-1} ref={heading}>
          Approvals
        </h1>
        <p>Only managers and admins decide approvals. You are signed in as {auth.claims.sub}.</p>
      </section>
    );
  }

  const shown = list ?? [];
  const waiting = shown.filter((a) => !decided[a.id]).length;

  return (
    <section class="screen approvals" aria-labelledby="approvals-heading">
      <div class="screen-head">
        <h1 id="approvals-heading" tabIndex={-1} ref={heading}>
          Approvals
        </h1>
        <p class="muted small" aria-live="off">
          {loadedAt ? `Waiting for you: ${waiting} · updated ${relative(new Date(loadedAt).toISOString(), now)}` : ""}
          <button type="button" class="link" onClick={refresh}>
            Refresh
          </button>
        </p>
      </div>
      <form
        class="inline-form filter"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href.approvals(filter.trim() || undefined));
        }}
      >
        <label for="approvals-filter">Only sessions under</label>
        <input id="approvals-filter" class="mono" placeholder="all sessions" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <button type="submit">Filter</button>
        {stream && (
          <a href={href.approvals()} class="small">
            Show all
          </a>
        )}
      </form>
      <ErrorText error={error} />
      {list === null && !error && <Spinner label="Loading approvals…" />}
      {list !== null && waiting === 0 && (
        <p class="empty" data-testid="approvals-empty">
          Nothing is waiting for your decision{stream ? ` under ${stream}` : ""}. New requests appear here as agents make them.
        </p>
      )}
      <ul class="approval-list" data-testid="approval-list">
        {shown.map((a) => (
          <li key={a.id}>
            <ApprovalRow
              approval={a}
              now={now}
              outcome={decided[a.id]}
              onDeciding={(on) => (on ? deciding.current.add(a.id) : deciding.current.delete(a.id))}
              onDecided={(verb) => setDecided((d) => ({ ...d, [a.id]: verb }))}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function ApprovalRow({
  approval: a,
  now,
  outcome,
  onDeciding,
  onDecided,
}: {
  approval: Approval;
  now: number;
  outcome?: string | undefined;
  onDeciding: (deciding: boolean) => void;
  onDecided: (verb: string) => void;
}) {
  const createdAt = Date.parse(a.createdAt);
  const ageSeconds = Number.isNaN(createdAt) ? a.ageSeconds : Math.max(a.ageSeconds, (now - createdAt) / 1000);
  const expiresIn = (Date.parse(a.expiresAt) - now) / 1000;
  const urgent = expiresIn < 15 * 60;
  const quorum = a.gate.quorum ?? 1;
  return (
    <article class={`card approval-card${outcome ? (outcome.startsWith("Rejected") ? " decided-rejected" : " decided-approved") : ""}`} data-approval-id={a.id} aria-labelledby={`${a.id}-title`}>
      <header class="card-head">
        <h2 id={`${a.id}-title`} class="approval-title mono">
          {summarize(a.proposed)}
        </h2>
        {outcome ? <Badge tone={outcome.startsWith("Rejected") ? "danger" : "ok"}>{outcome}</Badge> : <Badge tone="warn">pending</Badge>}
      </header>
      <dl class="facts">
        <div>
          <dt>Session</dt>
          <dd>
            <a href={href.session(a.stream)} class="mono">
              {a.stream}
            </a>
          </dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>{a.requester}</dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>
            <time dateTime={a.createdAt} title={absolute(a.createdAt)}>
              {duration(ageSeconds)} ago
            </time>
          </dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd class={urgent ? "urgent" : ""}>
            <time dateTime={a.expiresAt} title={absolute(a.expiresAt)}>
              {expiresIn > 0 ? `in ${duration(expiresIn)}` : "now"}
            </time>
            {a.gate.onExpiry === "approve" ? " (then approved)" : " (then rejected)"}
          </dd>
        </div>
        <div>
          <dt>Rule</dt>
          <dd>{a.gate.name}</dd>
        </div>
        {quorum > 1 && (
          <div>
            <dt>Votes</dt>
            <dd>
              {a.votes.length} of {quorum}
            </dd>
          </div>
        )}
      </dl>
      <details class="raw">
        <summary>Proposed event</summary>
        <Json value={a.proposed} label="Proposed event" />
      </details>
      {outcome ? (
        <p class="outcome-text" role="status">
          {outcome}. <a href={href.session(a.stream)}>See it in the session</a>
        </p>
      ) : (
        <ApprovalActions
          id={a.id}
          proposed={a.proposed}
          allowEdit={a.gate.allowEdit === true}
          onDeciding={onDeciding}
          onDecided={(_change, verb) => onDecided(verb)}
        />
      )}
    </article>
  );
}
