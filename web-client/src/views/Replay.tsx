/**
 * Replay / time travel: the session's stored events on a slider. Each position shows the
 * session exactly as it was after that many events (the same drawing as the live screen, from
 * the same events). "Fork from here" creates a fork at that offset — a new session that shares
 * the history up to there and goes its own way after (PUT with Stream-Forked-From).
 */
import type { StreamEvent } from "@tandem/sdk";
import { useEffect, useMemo, useState } from "preact/hooks";
import { TimelineView } from "../components/TimelineView.js";
import { useApp } from "../context.js";
import { fork } from "../api/governance.js";
import { describeError } from "../api/http.js";
import { Timeline } from "../model/timeline.js";
import { href, navigate } from "../router.js";
import { compact, ErrorText, leaf, Spinner, useFocusHeading, useNow } from "../ui.js";

export function ReplayView({ path, at }: { path: string; at?: number | undefined }) {
  const { auth, hub, notify } = useApp();
  const heading = useFocusHeading();
  const now = useNow(30_000);
  const [events, setEvents] = useState<StreamEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [forkName, setForkName] = useState("");
  const [forkError, setForkError] = useState<string | null>(null);
  const [forking, setForking] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    document.title = `Replay ${leaf(path)} · Tandem`;
  }, [path]);

  useEffect(() => {
    let stale = false;
    hub.client
      .stream(path)
      .read({ from: "beginning" })
      .then(
        (result) => {
          if (stale) return;
          setEvents(result.events);
          setPosition((p) => (reload === 0 ? Math.max(0, Math.min(at ?? result.events.length, result.events.length)) : Math.min(p, result.events.length)));
        },
        (e) => !stale && setError(`Could not read ${path}: ${describeError(e)}`),
      );
    return () => {
      stale = true;
    };
  }, [path, reload]);

  useEffect(() => {
    if (!playing || !events) return;
    if (position >= events.length) {
      setPlaying(false);
      return;
    }
    const id = setTimeout(() => setPosition((p) => Math.min(p + 1, events.length)), 250);
    return () => clearTimeout(id);
  }, [playing, position, events]);

  const timeline = useMemo(() => {
    const t = new Timeline();
    if (events) t.addAll(events.slice(0, position));
    return t;
  }, [events, position]);

  useEffect(() => {
    setForkName(`at-${position}-${Math.random().toString(36).slice(2, 6)}`);
  }, [position]);

  if (error) {
    return (
      <section class="screen">
        <h1 tabIndex={-1} ref={heading}>
          Replay
        </h1>
        <ErrorText error={error} />
      </section>
    );
  }
  if (!events) {
    return (
      <section class="screen">
        <h1 tabIndex={-1} ref={heading}>
          Replay
        </h1>
        <Spinner label="Reading the session…" />
      </section>
    );
  }

  const total = events.length;
  const current = position > 0 ? events[position - 1] : undefined;
  const forkOffset = position < total ? events[position]!.offset : undefined; // undefined: at the tail
  const describe = (event: StreamEvent | undefined) => {
    if (!event) return "the beginning, before any event";
    const data = event.data as { type?: unknown } | null;
    return `${typeof data?.type === "string" ? data.type : "event"} ${compact(event.data, 60)}`;
  };

  const doFork = async (e: Event) => {
    e.preventDefault();
    const name = forkName.trim();
    if (!/^[A-Za-z0-9_.~-]+$/.test(name)) {
      setForkError("A fork's name is one path segment: letters, digits, '-', '_', '.', '~'.");
      return;
    }
    setForking(true);
    setForkError(null);
    try {
      const forkPath = await fork(auth, path, name, forkOffset);
      notify(`Forked ${path} after ${position} event${position === 1 ? "" : "s"} into ${forkPath}`);
      navigate(href.session(forkPath));
    } catch (err) {
      setForkError(`Could not fork: ${describeError(err)}`);
    } finally {
      setForking(false);
    }
  };

  return (
    <section class="screen replay" aria-labelledby="replay-heading">
      <div class="screen-head">
        <h1 id="replay-heading" tabIndex={-1} ref={heading}>
          Replay
        </h1>
        <p class="muted">
          <a href={href.session(path)} class="mono">
            {path}
          </a>{" "}
          · {total} event{total === 1 ? "" : "s"} ·{" "}
          <button type="button" class="link" onClick={() => setReload((n) => n + 1)}>
            Load newer events
          </button>
        </p>
      </div>

      <div class="replay-controls panel">
        <label for="replay-slider" class="replay-label">
          Position: after <strong data-testid="replay-position">{position}</strong> of {total} events
        </label>
        <input
          id="replay-slider"
          type="range"
          min={0}
          max={total}
          step={1}
          value={position}
          aria-valuetext={`${position} of ${total} events: ${describe(current)}`}
          onInput={(e) => {
            setPlaying(false);
            setPosition(Number((e.target as HTMLInputElement).value));
          }}
        />
        <div class="button-row">
          <button type="button" onClick={() => setPosition(0)} disabled={position === 0}>
            « Start
          </button>
          <button type="button" onClick={() => setPosition((p) => Math.max(0, p - 1))} disabled={position === 0}>
            ‹ Previous
          </button>
          <button
            type="button"
            onClick={() => {
              if (!playing && position >= total) setPosition(0);
              setPlaying((p) => !p);
            }}
            aria-pressed={playing}
          >
            {playing ? "Pause" : position >= total ? "Play from start" : "Play"}
          </button>
          <button type="button" onClick={() => setPosition((p) => Math.min(total, p + 1))} disabled={position >= total}>
            Next ›
          </button>
          <button type="button" onClick={() => setPosition(total)} disabled={position >= total}>
            End »
          </button>
        </div>
        <p class="replay-current small" aria-live="polite">
          {current ? (
            <>
              Last event: <span class="mono">{describe(current)}</span> <span class="muted">(offset {current.offset})</span>
            </>
          ) : (
            "At the beginning, before any event."
          )}
        </p>
        <form class="inline-form fork-form" onSubmit={doFork}>
          <label for="fork-name">Fork name</label>
          <input id="fork-name" class="mono" value={forkName} onInput={(e) => setForkName((e.target as HTMLInputElement).value)} />
          <button type="submit" class="primary" disabled={forking}>
            {forking ? "Forking…" : "Fork from here"}
          </button>
        </form>
        <p class="hint">
          A fork is a new session holding these {position} event{position === 1 ? "" : "s"} and nothing after: try what would have happened if the session had gone another way.
        </p>
        <ErrorText error={forkError} />
      </div>

      {position === 0 ? (
        <p class="empty">Move the slider to replay the session event by event.</p>
      ) : (
        <TimelineView timeline={timeline} version={position} me={auth.claims.sub} canDecide={false} now={now} label={`Session as of event ${position}`} path={path} />
      )}
    </section>
  );
}
