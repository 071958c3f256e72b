/**
 * Sign in with a token. In development mode the hub serves its admin, manager, agent and
 * human tokens to this machine (GET /v1/dev/tokens): each is a one-click button. The token is
 * checked against the hub (GET /v1/inbox) before the app opens.
 */
import { useEffect, useState } from "preact/hooks";
import { decodeClaims, isExpired, normalizeHub, type Auth } from "../auth.js";
import { describeError } from "../api/http.js";
import { devTokens, inbox, type DevToken } from "../api/participants.js";
import { ErrorText, Spinner } from "../ui.js";

const ROLE_BLURB: Record<string, string> = {
  admin: "everything, including policies",
  manager: "approves agents' actions",
  agent: "runs sessions; cannot approve",
  human: "joins sessions and chats",
};

export function SignIn({ initialHub, notice, onSignedIn }: { initialHub: string; notice?: string; onSignedIn: (auth: Auth) => void }) {
  const [hub, setHub] = useState(initialHub);
  const [hubDraft, setHubDraft] = useState(initialHub);
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [tokens, setTokens] = useState<DevToken[] | null>(null);

  useEffect(() => {
    document.title = "Sign in · Tandem";
    let stale = false;
    setTokens(null);
    devTokens(hub).then((list) => !stale && setTokens(list));
    return () => {
      stale = true;
    };
  }, [hub]);

  const signIn = async (raw: string, which: string) => {
    setError(null);
    let claims;
    try {
      claims = decodeClaims(raw);
    } catch (e) {
      setError(`That token cannot be used: ${(e as Error).message}.`);
      return;
    }
    if (isExpired(claims)) {
      setError("That token has expired. Get a new one and try again.");
      return;
    }
    setBusy(which);
    try {
      await inbox({ hub, token: raw.trim() }, 1);
      onSignedIn({ hub, token: raw.trim(), claims });
    } catch (e) {
      setError(`The hub refused this token: ${describeError(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const applyHub = (event: Event) => {
    event.preventDefault();
    try {
      setHub(normalizeHub(hubDraft));
      setError(null);
    } catch (e) {
      setError(`The hub's address is not usable: ${(e as Error).message}`);
    }
  };

  return (
    <main id="main" class="signin" tabIndex={-1}>
      <div class="signin-card">
        <p class="brand-large" aria-hidden="true">
          <span class="logo">◐</span> Tandem
        </p>
        <h1>Sign in</h1>
        <p class="muted">Live sessions shared by people and AI agents.</p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}

        {tokens === null ? (
          <Spinner label="Looking for development tokens…" />
        ) : tokens.length > 0 ? (
          <section aria-labelledby="dev-tokens-heading" class="dev-tokens">
            <h2 id="dev-tokens-heading">Development tokens</h2>
            <p class="muted small">This hub runs in development mode. Sign in as one of its identities with one click.</p>
            <ul class="token-buttons">
              {tokens.map((t) => (
                <li key={t.name}>
                  <button
                    type="button"
                    class="token-button"
                    data-token-name={t.name}
                    disabled={busy !== null}
                    onClick={() => signIn(t.token, t.name)}
                    aria-describedby={`token-${t.name}-desc`}
                  >
                    <span class="token-name">{busy === t.name ? "Signing in…" : t.name}</span>
                    <span class="token-desc" id={`token-${t.name}-desc`}>
                      {t.subject} · {ROLE_BLURB[t.name] ?? t.roles.join(", ")}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void signIn(token, "token");
          }}
        >
          <h2>{tokens && tokens.length > 0 ? "Or paste a token" : "Paste your token"}</h2>
          <label for="token-input">Token (JWT)</label>
          <textarea
            id="token-input"
            rows={3}
            spellcheck={false}
            autoComplete="off"
            value={token}
            onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
            placeholder="eyJ…"
            required
          />
          <button type="submit" class="primary" disabled={busy !== null || !token.trim()}>
            {busy === "token" ? "Signing in…" : "Sign in"}
          </button>
        </form>

        <ErrorText error={error} />

        <details class="hub-settings">
          <summary>
            Hub: <span class="mono">{hub}</span>
          </summary>
          <form class="inline-form" onSubmit={applyHub}>
            <label for="hub-input">Hub address</label>
            <input id="hub-input" type="url" value={hubDraft} onInput={(e) => setHubDraft((e.target as HTMLInputElement).value)} required />
            <button type="submit">Use this hub</button>
          </form>
        </details>
      </div>
    </main>
  );
}
