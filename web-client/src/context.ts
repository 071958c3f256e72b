import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Auth } from "./auth.js";
import type { Hub } from "./hub.js";

export interface AppContextValue {
  auth: Auth;
  hub: Hub;
  /** Shows a short message in the page's status region. */
  notify(message: string, kind?: "info" | "error"): void;
  /** Asks the header to refresh its count of pending approvals. */
  approvalsChanged(): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside the signed-in app");
  return value;
}
