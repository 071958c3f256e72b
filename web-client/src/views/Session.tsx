/**
 * A live session. How it loads, so that a reload or a dropped network resumes exactly where it
 * was:
 *
 * 1. GET /v1/cursors/{stream}: this participant's cursor C (everything before it was seen).
 * 2. Read the history before C over HTTP, page by page, drawing as it comes.
 * 3. Subscribe over the SDK's WebSocket from C: every event from C on arrives exactly once, in
 *    order, across reconnects (the SDK resumes from its last `next`). Events between C and the
 *    tail at subscribe time arrived while the participant was away: they are marked unread.
 * 4. Acknowledge (ack) as events are seen — only while the page is visible, so what arrives in
 *    a background tab stays unread (here and in the inbox) until it is looked at.
 *
 * The timeline refuses any offset that does not follow the last one, so nothing is drawn twice.
 */
import { offsetAfter, type PresenceMember, type StreamEvent, type Subscription } from "@tandem/sdk";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { canApprove } from "../auth.js";
import { TimelineView } from "../components/TimelineView.js";
import { useApp } from "../context.js";
import { ApiError, describeError } from "../api/http.js";
import { createSession, cursor } from "../api/participants.js";
import { offsetSeq, Timeline } from "../model/timeline.js";
import { href } from "../router.js";
import { Badge, ErrorText, leaf, Spinner, StateBadge, useFocusHeading, useNow } from "../ui.js";

type Phase = "loading" | "history" | "live" | "missing" | "error" | "ended";

const PAGE = 500;
const TYPING_IDLE_MS = 3000;

export function SessionView({ path }: { path: string }) {
  const { auth, hub, notify } = useApp();
  const me = auth.claims.sub;
  const heading = useFocusHeading();
  const now = useNow(10_000);
  const [retry, setRetry] = useState(0);
  const timeline = useMemo(() => new Timeline(), [path, retry]);
  const [version, setVersion] = useState(0);
  const [phase, setPhase] = useState<Phase>("loading");
  const [error, setError] = useState<string | null>(null);
  const [unreadFrom, setUnreadFrom] = useState<string | undefined>();
  const [unreadCount, setUnreadCount] = useState(0);
  const [members, setMembers] = useState<PresenceMember[]>([]);
  const stream = hub.client.stream(path);
  const follow = useRef(true);

  // ---- load: history before the cursor, then live from it --------------------------------
  useEffect(() => {
    let stopped = false;
    let subscription: Subscription | undefined;
    let renderTimer: ReturnType<typeof setTimeout> | undefined;
    let ackTimer: ReturnType<typeof setTimeout> | undefined;
    let acked = "";
    let liveFromTail: string | undefined;
    let cursorAtStart: string | null = null;
    let awayCount = 0;

    const render = () => {
      if (renderTimer !== undefined || stopped) return;
      renderTimer = setTimeout(() => {
        renderTimer = undefined;
        if (!stopped) setVersion((v) => v + 1);
      }, 30);
    };

    const ackNow = () => {
      if (ackTimer !== undefined) clearTimeout(ackTimer);
      ackTimer = undefined;
      const last = timeline.lastOffset;
      if (!last || document.visibilityState !== "visible") return;
      const next = offsetAfter(last);
      if (next <= acked) return;
      acked = next;
      stream.ack(next).catch(() => {
        acked = ""; // retried with the next event or visibility change
      });
    };
    const scheduleAck = () => {
      if (ackTimer === undefined) ackTimer = setTimeout(ackNow, 250);
    };

    const onVisibility = () => {
      if (document.visibilityState === "visible") ackNow();
    };
    document.addEventListener("visibilitychange", onVisibility);

    const onEvent = (event: StreamEvent) => {
      if (stopped) return;
      if (!timeline.add(event)) return;
      const arrivedWhileAway = cursorAtStart !== null && liveFromTail !== undefined ? event.offset < liveFromTail : false;
      if (document.visibilityState !== "visible" && !arrivedWhileAway) {
        // arriving in a background tab: unread until the page is looked at
        setUnreadFrom((current) => current ?? event.offset);
        setUnreadCount((n) => n + 1);
      }
      render();
      scheduleAck();
    };

    (async () => {
      setPhase("loading");
      setError(null);
      let info;
      try {
        info = await cursor(auth, path);
      } catch (e) {
        if (stopped) return;
        if (e instanceof ApiError && e.code === "not_found") setPhase("missing");
        else {
          setError(`Could not open ${path}: ${describeError(e)}`);
          setPhase("error");
        }
        return;
      }
      cursorAtStart = info.cursor;
      // 2. history before the cursor, progressively
      if (info.cursor) {
        setPhase("history");
        let remaining = offsetSeq(info.cursor);
        let from: string = "beginning";
        while (remaining > 0 && !stopped) {
          const page = await stream.read({ from, limit: Math.min(PAGE, remaining) });
          if (stopped) return;
          const take = page.events.filter((e) => e.offset < info.cursor!);
          timeline.addAll(take);
          remaining -= take.length;
          render();
          if (take.length === 0 || page.upToDate) break;
          from = page.next;
        }
      }
      if (stopped) return;
      // 3. live from the cursor
      subscription = stream.subscribe(
        {
          from: info.cursor ?? "beginning",
          onClosed: () => {
            if (!stopped) setPhase("ended");
          },
          onDeleted: () => {
            if (!stopped) {
              setError("This session was deleted.");
              setPhase("error");
            }
          },
          onError: (e) => {
            if (!stopped) notify(`Session ${path}: ${e.message}`, "error");
          },
        },
        onEvent,
      );
      try {
        const ready = await subscription.ready;
        if (stopped) return;
        liveFromTail = ready.tail;
        if (info.cursor && ready.tail > info.cursor) {
          awayCount = offsetSeq(ready.tail) - offsetSeq(info.cursor);
          setUnreadFrom(info.cursor);
          setUnreadCount(awayCount);
        }
        setPhase((p) => (p === "ended" ? p : "live"));
      } catch (e) {
        if (!stopped) {
          setError(`Could not follow ${path} live: ${describeError(e)}`);
          setPhase("error");
        }
      }
    })().catch((e) => {
      if (!stopped) {
        setError(`Could not load ${path}: ${describeError(e)}`);
        setPhase("error");
      }
    });

    return () => {
      stopped = true;
      ackNow();
      document.removeEventListener("visibilitychange", onVisibility);
      if (renderTimer !== undefined) clearTimeout(renderTimer);
      void subscription?.unsubscribe();
    };
  }, [path, retry]);

  // ---- presence: who is here, typing or on which step --------------------------------------
  useEffect(() => {
    if (phase !== "live" && phase !== "ended") return;
    const presence = stream.presence;
    const off = presence.onPresence((list) => setMembers(list));
    presence.join({}).catch(() => {});
    return () => {
      off();
      presence.leave().catch(() => {});
    };
  }, [phase === "live" || phase === "ended", path]);

  // ---- title and scrolling -------------------------------------------------------------------
  useEffect(() => {
    document.title = `${unreadCount > 0 ? `(${unreadCount}) ` : ""}${leaf(path)} · Tandem`;
  }, [unreadCount, path]);

  useEffect(() => {
    const onScroll = () => {
      follow.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);

  const scrolledToUnread = useRef(false);
  useEffect(() => {
    if (phase === "live" && unreadFrom && !scrolledToUnread.current) {
      // Show where the new events start (once they are drawn), not the bottom.
      const divider = document.getElementById("unread-divider");
      if (divider) {
        scrolledToUnread.current = true;
        divider.scrollIntoView({ block: "center" });
        follow.current = false;
      }
      return;
    }
    if (follow.current && (phase === "live" || phase === "history")) window.scrollTo({ top: document.documentElement.scrollHeight });
  }, [version, phase]);

  const closed = timeline.status !== "open" || phase === "ended";
  const approver = canApprove(auth.claims);
  // A fork holds its source's events up to the fork point; its approval requests are decided on the source.
  const forkAt = path.lastIndexOf("/forks/");
  const forkSource = forkAt > 0 ? path.slice(0, forkAt) : undefined;
  const waiting = timeline.pendingApprovals.length;

  if (phase === "missing") return <MissingSession path={path} onCreated={() => setRetry((n) => n + 1)} />;

  return (
    <section class="screen session" aria-labelledby="session-heading" data-phase={phase}>
      <header class="session-head">
        <div class="session-title">
          <h1 id="session-heading" tabIndex={-1} ref={heading} class="mono">
            {path}
          </h1>
          <div class="session-badges">
            <StateBadge state={timeline.status === "open" && phase === "ended" ? "closed" : timeline.status} />
            {waiting > 0 && (
              <Badge tone="warn" label={`${waiting} approval${waiting === 1 ? "" : "s"} pending`}>
                {waiting} pending approval{waiting === 1 ? "" : "s"}
              </Badge>
            )}
            {unreadCount > 0 && (
              <Badge tone="accent" label={`${unreadCount} unread`}>
                {unreadCount} new
              </Badge>
            )}
          </div>
        </div>
        <nav class="session-links" aria-label="Session">
          {timeline.parent && (
            <a href={href.session(timeline.parent)} class="screen-link">
              ↑ Parent
            </a>
          )}
          {forkSource && (
            <a href={href.session(forkSource)} class="screen-link">
              ↑ Forked from
            </a>
          )}
          <a href={href.tree(path)} class="screen-link">
            Spawn tree
          </a>
          <a href={href.replay(path)} class="screen-link">
            Replay
          </a>
        </nav>
      </header>

      <Presence members={members} me={me} />

      <ErrorText error={error} />
      {phase === "error" && (
        <button type="button" onClick={() => setRetry((n) => n + 1)}>
          Try again
        </button>
      )}
      {(phase === "loading" || phase === "history") && <Spinner label={phase === "loading" ? "Opening the session…" : `Loading history… ${timeline.count} events`} />}

      {timeline.items.length === 0 && phase === "live" ? (
        <p class="empty">Nothing has happened here yet. Say hello below, or start an agent on this session.</p>
      ) : (
        <TimelineView timeline={timeline} version={version} me={me} canDecide={approver} unreadFrom={unreadFrom} unreadCount={unreadCount} now={now} path={path} fork={forkSource !== undefined} />
      )}

      {closed ? (
        <p class="closed-banner" role="status">
          This session is {timeline.status === "canceled" ? "canceled" : "closed"}: nothing more can be added.
        </p>
      ) : (
        <Composer path={path} disabled={phase !== "live"} />
      )}
    </section>
  );
}

function Presence({ members, me }: { members: PresenceMember[]; me: string }) {
  const others = members.filter((m) => m.participant !== me);
  const typing = others.filter((m) => m.state?.typing === true);
  return (
    <section class="presence" aria-label="Who is here">
      <span class="presence-label">Here now:</span>
      <ul class="presence-list" data-testid="presence">
        {members.length === 0 && <li class="muted small">just you</li>}
        {members.map((m) => (
          <li key={m.participant} class={`presence-chip kind-${m.kind}`} data-participant={m.participant}>
            <span class="avatar" aria-hidden="true">
              {m.kind === "agent" ? "⚙" : (m.participant[0] ?? "?").toUpperCase()}
            </span>
            <span>
              {m.participant === me ? `${m.participant} (you)` : m.participant}
              <span class="visually-hidden">, {m.kind}</span>
            </span>
            <PresenceDetail state={m.state} />
          </li>
        ))}
      </ul>
      <p class="typing" aria-live="polite">
        {typing.length > 0 && `${typing.map((m) => m.participant).join(", ")} ${typing.length === 1 ? "is" : "are"} typing…`}
      </p>
    </section>
  );
}

function PresenceDetail({ state }: { state: Record<string, unknown> | undefined }) {
  if (!state) return null;
  if (state.typing === true) return <span class="presence-detail">typing…</span>;
  if (typeof state.step === "string") return <span class="presence-detail">on step “{state.step}”</span>;
  if (typeof state.status === "string") return <span class="presence-detail">{state.status}</span>;
  return null;
}

function Composer({ path, disabled }: { path: string; disabled: boolean }) {
  const { auth, hub } = useApp();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const typing = useRef(false);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const stream = hub.client.stream(path);

  const setTyping = (on: boolean) => {
    if (typing.current === on) return;
    typing.current = on;
    stream.presence.update(on ? { typing: true } : {}).catch(() => {});
  };
  useEffect(
    () => () => {
      if (idle.current) clearTimeout(idle.current);
    },
    [],
  );

  const send = async (event?: Event) => {
    event?.preventDefault();
    const message = text.trim();
    if (!message || sending) return;
    setSending(true);
    setError(null);
    try {
      // The append is queued by the SDK while offline and sent, exactly once, on reconnect.
      const appended = stream.append({ type: "message", text: message, from: auth.claims.sub, at: new Date().toISOString() });
      setText("");
      setTyping(false);
      await appended;
    } catch (e) {
      setError(`Your message was not sent: ${describeError(e)}`);
      setText(message);
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="composer" onSubmit={send}>
      <label for="composer-input" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        rows={1}
        placeholder={disabled ? "Connecting…" : "Write a message…"}
        aria-describedby="composer-hint"
        value={text}
        disabled={disabled}
        onInput={(e) => {
          setText((e.target as HTMLTextAreaElement).value);
          setTyping(true);
          if (idle.current) clearTimeout(idle.current);
          idle.current = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <button type="submit" class="primary" disabled={disabled || sending || !text.trim()}>
        Send
      </button>
      <p id="composer-hint" class="composer-hint">
        Enter sends · Shift+Enter starts a new line
      </p>
      <ErrorText error={error} />
    </form>
  );
}

function MissingSession({ path, onCreated }: { path: string; onCreated: () => void }) {
  const { auth } = useApp();
  const [error, setError] = useState<string | null>(null);
  const heading = useFocusHeading();
  return (
    <section class="screen" aria-labelledby="missing-heading">
      <h1 id="missing-heading" tabIndex={-1} ref={heading}>
        No session at <span class="mono">{path}</span>
      </h1>
      <p>Nothing exists at this path yet. Create it as a new session, or go back to your sessions.</p>
      <div class="button-row">
        <button
          type="button"
          class="primary"
          onClick={async () => {
            try {
              await createSession(auth, path);
              onCreated();
            } catch (e) {
              setError(describeError(e));
            }
          }}
        >
          Create {path}
        </button>
        <a href={href.sessions()}>Back to sessions</a>
      </div>
      <ErrorText error={error} />
    </section>
  );
}
