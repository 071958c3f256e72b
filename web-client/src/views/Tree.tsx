/**
 * The spawn tree of a session: GET /v1/tree/{path} — the stream, the children its agents
 * spawned (and theirs), each with its state and pending approvals, and the forks made from it.
 * Canceling a subtree (POST /v1/tree/{path}/cancel) cancels the stream and every descendant,
 * leaf first; the tree refreshes every few seconds, so other viewers see it too.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../context.js";
import { cancelTree, treeChange, type TreeNode } from "../api/governance.js";
import { describeError } from "../api/http.js";
import { href } from "../router.js";
import { Badge, ErrorText, leaf, relative, Spinner, StateBadge, useFocusHeading, useFollow, useNow } from "../ui.js";

function rootOf(path: string): string {
  const at = path.indexOf("/agents/");
  return at < 0 ? path : path.slice(0, at);
}

function countNodes(node: TreeNode): number {
  return 1 + node.children.reduce((n, c) => n + countNodes(c), 0);
}

export function TreeView({ path }: { path: string }) {
  const { auth, notify, approvalsChanged } = useApp();
  const heading = useFocusHeading();
  const now = useNow(10_000);
  const [root, setRoot] = useState<TreeNode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [target, setTarget] = useState<TreeNode | null>(null);

  useEffect(() => {
    document.title = `Tree of ${leaf(path)} · Tandem`;
  }, [path]);

  // The hub answers when the tree changes (a spawn, an append, a cancel, an approval), so
  // states and pending counts move within moments, from any device; `etag` names the tree shown.
  const etag = useRef<string | null>(null);
  useEffect(() => {
    etag.current = null; // another path, another tree
  }, [path]);
  const restart = useFollow(
    async (signal) => {
      const answer = await treeChange(auth, path, etag.current, { signal }).catch((e) => {
        if (!signal.aborted) setError(`Could not load the tree: ${describeError(e)}`);
        throw e;
      });
      setError(null);
      if (answer === null) return; // unchanged
      etag.current = answer.etag;
      setRoot(answer.root);
    },
    3000,
    [path],
  );
  const refresh = () => {
    etag.current = null;
    restart();
  };

  const treeRoot = rootOf(path);
  return (
    <section class="screen tree" aria-labelledby="tree-heading">
      <div class="screen-head">
        <h1 id="tree-heading" tabIndex={-1} ref={heading}>
          Spawn tree
        </h1>
        <p class="muted">
          <a href={href.session(path)} class="mono">
            {path}
          </a>
          {root?.total !== undefined && ` · ${root.total} stream${root.total === 1 ? "" : "s"}`}
          {treeRoot !== path && (
            <>
              {" · "}
              <a href={href.tree(treeRoot)}>Show the whole tree</a>
            </>
          )}
          {" · "}
          <button type="button" class="link" onClick={refresh}>
            Refresh
          </button>
        </p>
      </div>
      <ErrorText error={error} />
      {!root && !error && <Spinner label="Loading the tree…" />}
      {root && (
        <ul class="tree-root" data-testid="tree">
          <Node node={root} now={now} onCancel={setTarget} depth={0} />
        </ul>
      )}
      {target && (
        <CancelDialog
          node={target}
          onClose={() => setTarget(null)}
          onConfirm={async (reason) => {
            const canceled = await cancelTree(auth, target.stream, reason);
            notify(`Canceled ${canceled.length} stream${canceled.length === 1 ? "" : "s"} under ${target.stream}`);
            approvalsChanged();
            setTarget(null);
            refresh();
          }}
        />
      )}
    </section>
  );
}

function Node({ node, now, onCancel, depth }: { node: TreeNode; now: number; onCancel: (node: TreeNode) => void; depth: number }) {
  const active = node.state === "open" || node.state === "live";
  const descendants = countNodes(node) - 1;
  return (
    <li class="tree-node" data-stream={node.stream} data-state={node.state}>
      <div class="node-card">
        <div class="node-line">
          <a href={href.session(node.stream)} class="node-name mono">
            {depth === 0 ? node.stream : leaf(node.stream)}
          </a>
          <StateBadge state={node.state} />
          {node.pendingApprovals > 0 && (
            <a href={href.approvals(node.stream)} class="badge badge-warn" data-testid="pending-approvals">
              {node.pendingApprovals} pending approval{node.pendingApprovals === 1 ? "" : "s"}
            </a>
          )}
        </div>
        <p class="node-meta muted small">
          {[
            node.purpose && (
              <span class="node-purpose" key="purpose">
                {node.purpose}
              </span>
            ),
            node.spawner && <span key="spawner">spawned by {node.spawner}</span>,
            node.createdAt && <span key="created">created {relative(node.createdAt, now)}</span>,
            depth > 0 && (
              <span class="mono" key="path">
                {node.stream}
              </span>
            ),
          ]
            .filter(Boolean)
            .flatMap((part, i) => (i === 0 ? [part] : [<span key={`sep-${i}`}> · </span>, part]))}
        </p>
        <div class="button-row">
          <a href={href.session(node.stream)} class="button-link">
            Open
          </a>
          {active && (
            <button type="button" class="danger" onClick={() => onCancel(node)} aria-label={`Cancel${descendants ? " subtree" : ""}: ${node.stream}${descendants ? ` and its ${descendants} descendant${descendants === 1 ? "" : "s"}` : ""}`}>
              Cancel{descendants ? " subtree" : ""}
            </button>
          )}
        </div>
        {node.forks.length > 0 && (
          <div class="forks">
            <h3 class="small">Forks</h3>
            <ul>
              {node.forks.map((f) => (
                <li key={f.stream}>
                  <a href={href.session(f.stream)} class="mono">
                    {leaf(f.stream)}
                  </a>{" "}
                  <span class="muted small">from event {Number.parseInt(f.offset.slice(0, 16), 10)}</span> {f.closed && <Badge>closed</Badge>}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      {node.children.length > 0 && (
        <ul class="tree-children" aria-label={`Children of ${leaf(node.stream)}`}>
          {node.children.map((child) => (
            <Node key={child.stream} node={child} now={now} onCancel={onCancel} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

function CancelDialog({ node, onClose, onConfirm }: { node: TreeNode; onClose: () => void; onConfirm: (reason: string) => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const count = countNodes(node);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="cancel-title" onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await onConfirm(reason.trim());
          } catch (err) {
            setError(describeError(err));
            setBusy(false);
          }
        }}
      >
        <h2 id="cancel-title">Cancel {count === 1 ? "this stream" : `${count} streams`}?</h2>
        <p>
          <span class="mono">{node.stream}</span>
          {count > 1 ? ` and its ${count - 1} descendant${count === 2 ? "" : "s"}` : ""} will be canceled, leaf first: their pending approvals are
          canceled and nothing more can be added to them.
        </p>
        <label for="cancel-reason">Reason (optional)</label>
        <input id="cancel-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} autoFocus />
        <ErrorText error={error} />
        <div class="button-row">
          <button type="submit" class="danger" disabled={busy}>
            {busy ? "Canceling…" : `Cancel ${count === 1 ? "stream" : "subtree"}`}
          </button>
          <button type="button" class="ghost" onClick={onClose} disabled={busy}>
            Keep running
          </button>
        </div>
      </form>
    </dialog>
  );
}
