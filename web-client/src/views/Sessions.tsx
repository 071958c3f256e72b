/**
 * The participant's sessions: the hub's inbox (GET /v1/inbox — the streams it follows, with
 * unread counts and last activity, most recent first, followed as it changes), creating a session (PUT
 * /v1/stream/{path}, application/json) and opening one by its path.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../context.js";
import { describeError } from "../api/http.js";
import { createSession, inboxChange, type InboxEntry } from "../api/participants.js";
import { href, navigate } from "../router.js";
import { Badge, ErrorText, Spinner, Time, useFocusHeading, useFollow, useNow } from "../ui.js";

const PATH_PATTERN = /^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/;

export function suggestPath(): string {
  const d = new Date();
  const day = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}`;
  return `sessions/${day}-${Math.random().toString(36).slice(2, 7)}`;
}

export function checkPath(path: string): string | null {
  if (!path) return "Give the session a path, like sessions/support-42.";
  if (path.startsWith("/") || path.endsWith("/")) return "A path does not start or end with a slash.";
  if (!PATH_PATTERN.test(path) || path.split("/").some((s) => s === "." || s === "..")) {
    return "Use letters, digits, '-', '_', '.' and '~', with '/' between parts.";
  }
  return null;
}

export function Sessions() {
  const { auth, hub, notify } = useApp();
  const heading = useFocusHeading();
  const now = useNow(15_000);
  const [entries, setEntries] = useState<InboxEntry[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [newPath, setNewPath] = useState(suggestPath);
  const [firstMessage, setFirstMessage] = useState("");
  const [createError, setCreateError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [openPath, setOpenPath] = useState("");
  const [openError, setOpenError] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Sessions · Tandem";
  }, []);

  // The hub answers when the inbox changes (an event on a followed stream, a cursor moved on
  // any device), so unread counts move within moments; `etag` names the inbox shown.
  const etag = useRef<string | null>(null);
  useFollow(async (signal) => {
    const answer = await inboxChange(auth, etag.current, { signal }).catch((e) => {
      if (!signal.aborted) setLoadError(`Could not load your sessions: ${describeError(e)}`);
      throw e;
    });
    setLoadError(null);
    if (answer === null) return; // unchanged
    etag.current = answer.etag;
    setEntries(answer.inbox.streams);
  }, 5000);

  const create = async (event: Event) => {
    event.preventDefault();
    const path = newPath.trim();
    const problem = checkPath(path);
    if (problem) {
      setCreateError(problem);
      return;
    }
    setCreating(true);
    setCreateError(null);
    try {
      const created = await createSession(auth, path);
      const text = firstMessage.trim();
      if (text) {
        await hub.client.stream(path).append({ type: "message", text, from: auth.claims.sub, at: new Date().toISOString() });
      }
      notify(created ? `Created ${path}` : `${path} already exists; opening it`);
      navigate(href.session(path));
    } catch (e) {
      setCreateError(`Could not create the session: ${describeError(e)}`);
    } finally {
      setCreating(false);
    }
  };

  const open = (event: Event) => {
    event.preventDefault();
    const path = openPath.trim().replace(/^\/+|\/+$/g, "");
    const problem = checkPath(path);
    if (problem) {
      setOpenError(problem);
      return;
    }
    setOpenError(null);
    navigate(href.session(path));
  };

  return (
    <section class="screen sessions" aria-labelledby="sessions-heading">
      <h1 id="sessions-heading" tabIndex={-1} ref={heading}>
        Sessions
      </h1>
      <div class="two-col">
        <section class="panel" aria-labelledby="inbox-heading">
          <h2 id="inbox-heading">Your inbox</h2>
          <ErrorText error={loadError} />
          {entries === null && !loadError ? (
            <Spinner label="Loading your sessions…" />
          ) : entries && entries.length === 0 ? (
            <p class="empty">No sessions yet. Create one, or open one by its path: the sessions you open appear here with what is new in them.</p>
          ) : (
            <ul class="inbox" data-testid="inbox">
              {(entries ?? []).map((entry) => (
                <li key={entry.stream} class={entry.unread > 0 ? "inbox-row has-unread" : "inbox-row"} data-stream={entry.stream}>
                  <a class="inbox-link" href={href.session(entry.stream)}>
                    <span class="inbox-path mono">{entry.stream}</span>
                    <span class="inbox-meta">
                      {entry.closed && <Badge tone="neutral">closed</Badge>}
                      {entry.unread > 0 ? (
                        <Badge tone="accent" label={`${entry.unread} unread`}>
                          {entry.unread} new
                        </Badge>
                      ) : (
                        <span class="muted small">all read</span>
                      )}
                      <span class="muted small">
                        {entry.lastActivity ? (
                          <>
                            active <Time iso={entry.lastActivity} now={now} />
                          </>
                        ) : (
                          "no activity yet"
                        )}
                      </span>
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>

        <div class="stack">
          <section class="panel" aria-labelledby="create-heading">
            <h2 id="create-heading">New session</h2>
            <form class="stack" onSubmit={create} noValidate>
              <label for="new-path">Session path</label>
              <input
                id="new-path"
                class="mono"
                value={newPath}
                onInput={(e) => setNewPath((e.target as HTMLInputElement).value)}
                aria-describedby="new-path-hint"
                autoComplete="off"
                spellcheck={false}
              />
              <p id="new-path-hint" class="hint">
                Its address on the hub, e.g. <span class="mono">sessions/support-42</span>.
              </p>
              <label for="first-message">First message (optional)</label>
              <textarea id="first-message" rows={2} value={firstMessage} onInput={(e) => setFirstMessage((e.target as HTMLTextAreaElement).value)} />
              <ErrorText error={createError} />
              <button type="submit" class="primary" disabled={creating}>
                {creating ? "Creating…" : "Create session"}
              </button>
            </form>
          </section>

          <section class="panel" aria-labelledby="open-heading">
            <h2 id="open-heading">Open a session</h2>
            <form class="inline-form" onSubmit={open} noValidate>
              <label for="open-path">Path</label>
              <input
                id="open-path"
                class="mono"
                value={openPath}
                placeholder="sessions/42"
                onInput={(e) => setOpenPath((e.target as HTMLInputElement).value)}
                autoComplete="off"
                spellcheck={false}
              />
              <button type="submit">Open</button>
            </form>
            <ErrorText error={openError} />
          </section>
        </div>
      </div>
    </section>
  );
}
