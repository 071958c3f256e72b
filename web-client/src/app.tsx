/**
 * The app shell: sign-in when there is no usable token; otherwise the header (navigation,
 * who is signed in, the connection indicator) and the screen the URL's hash names.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { canApprove, clearAuth, initialHub, loadAuth, saveAuth, type Auth } from "./auth.js";
import { pendingApprovalsChange } from "./api/governance.js";
import { AppContext, type AppContextValue } from "./context.js";
import { Hub, type Connectivity } from "./hub.js";
import { href, useRoute, type Route } from "./router.js";
import { SignIn } from "./views/SignIn.js";
import { Sessions } from "./views/Sessions.js";
import { SessionView } from "./views/Session.js";
import { ApprovalsView } from "./views/Approvals.js";
import { useFollow } from "./ui.js";
import { TreeView } from "./views/Tree.js";
import { ReplayView } from "./views/Replay.js";

interface Toast {
  id: number;
  message: string;
  kind: "info" | "error";
}

export function App() {
  const [auth, setAuth] = useState<Auth | null>(() => loadAuth());
  const [notice, setNotice] = useState<string | undefined>();
  const hub = useMemo(() => (auth ? new Hub(auth) : null), [auth]);
  useEffect(() => () => hub?.close(), [hub]);

  const signOut = useCallback((why?: string) => {
    clearAuth();
    setNotice(why);
    setAuth(null);
  }, []);

  if (!auth || !hub) {
    return (
      <SignIn
        initialHub={initialHub()}
        notice={notice}
        onSignedIn={(next) => {
          saveAuth(next);
          setNotice(undefined);
          setAuth(next);
        }}
      />
    );
  }
  return <Shell auth={auth} hub={hub} onSignOut={signOut} />;
}

function Shell({ auth, hub, onSignOut }: { auth: Auth; hub: Hub; onSignOut: (why?: string) => void }) {
  const route = useRoute();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [pendingCount, setPendingCount] = useState<number | null>(null);
  const nextToast = useRef(1);
  const approver = canApprove(auth.claims);

  const notify = useCallback((message: string, kind: "info" | "error" = "info") => {
    const id = nextToast.current++;
    setToasts((list) => [...list.slice(-3), { id, message, kind }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), kind === "error" ? 8000 : 4000);
  }, []);

  // The pending count follows the hub's list: it changes within moments of a request or a
  // decision anywhere.
  const pendingTag = useRef<string | null>(null);
  const restartPending = useFollow(
    async (signal) => {
      if (!approver) return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      const answer = await pendingApprovalsChange(auth, { limit: 100 }, pendingTag.current, { signal }).catch((e) => {
        if (!signal.aborted) setPendingCount(null);
        throw e;
      });
      if (answer === null) return;
      pendingTag.current = answer.etag;
      setPendingCount(answer.approvals.length);
    },
    5000,
    [auth, approver],
  );
  const refreshPending = useCallback(() => {
    pendingTag.current = null;
    restartPending();
  }, [restartPending]);

  useEffect(() => hub.onError((message) => notify(message, "error")), [hub, notify]);

  const context: AppContextValue = useMemo(
    () => ({ auth, hub, notify, approvalsChanged: refreshPending }),
    [auth, hub, notify, refreshPending],
  );

  return (
    <AppContext.Provider value={context}>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href.sessions()}>
          <span class="logo" aria-hidden="true">
            ◐
          </span>{" "}
          Tandem
        </a>
        <nav aria-label="Main" class="mainnav">
          <a href={href.sessions()} aria-current={route.name === "sessions" ? "page" : undefined}>
            Sessions
          </a>
          {approver && (
            <a href={href.approvals()} aria-current={route.name === "approvals" ? "page" : undefined} data-testid="nav-approvals">
              Approvals
              {pendingCount ? (
                <span class="count" aria-label={`, ${pendingCount} pending`}>
                  {pendingCount}
                </span>
              ) : null}
            </a>
          )}
        </nav>
        <div class="topbar-end">
          <ConnectionIndicator hub={hub} onSignOut={onSignOut} />
          <span class="me" title={`Signed in as ${auth.claims.sub}`}>
            <span class="visually-hidden">Signed in as </span>
            <span class="me-name">{auth.claims.sub}</span>
            <span class="me-roles">{auth.claims.roles.join(", ")}</span>
          </span>
          <button type="button" class="ghost" onClick={() => onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
      <div class="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <p key={t.id} class={`toast toast-${t.kind}`}>
            {t.message}
          </p>
        ))}
      </div>
    </AppContext.Provider>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "sessions":
      return <Sessions />;
    case "session":
      return <SessionView key={route.path} path={route.path} />;
    case "approvals":
      return <ApprovalsView key={route.stream ?? ""} stream={route.stream} />;
    case "tree":
      return <TreeView key={route.path} path={route.path} />;
    case "replay":
      return <ReplayView key={route.path} path={route.path} at={route.at} />;
    default:
      return (
        <section class="screen">
          <h1>Nothing here</h1>
          <p>
            There is no screen at this address. <a href={href.sessions()}>Go to your sessions</a>.
          </p>
        </section>
      );
  }
}

const STATE_LABEL: Record<Connectivity, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  closed: "Disconnected",
};

function ConnectionIndicator({ hub, onSignOut }: { hub: Hub; onSignOut: (why?: string) => void }) {
  const [state, setState] = useState<Connectivity>(hub.state);
  useEffect(() => hub.onChange(() => setState(hub.state)), [hub]);
  useEffect(() => {
    // A token the hub refuses at connect cannot recover by itself: back to sign-in.
    if (state === "closed" && /token|unauthori/i.test(hub.lastError ?? "")) onSignOut(`Signed out: ${hub.lastError}`);
  }, [state, hub, onSignOut]);
  const detail = state === "open" ? "Connected to the hub; updates arrive live" : state === "closed" ? hub.lastError ?? "the connection was closed" : "Updates resume where they left off once connected";
  return (
    <span class="connection" data-state={state} role="status" aria-live="polite" title={detail}>
      <span class="dot" aria-hidden="true" />
      <span class="connection-label">{STATE_LABEL[state]}</span>
      {state === "closed" && (
        <button type="button" class="link" onClick={() => location.reload()}>
          Retry
        </button>
      )}
    </span>
  );
}
