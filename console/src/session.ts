/**
 * Who is signed in. The access key and secret live in this tab's sessionStorage only: never in a
 * cookie (nothing is sent but what the console signs) nor in a URL, and gone when the tab closes.
 */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Flint's region (its `/_flint/health` says which); calls are signed for it. */
  region: string;
  accountId: string;
  /** The caller's ARN, as sts:GetCallerIdentity gave it. */
  arn: string;
}

const KEY = "flint.console.session";
let current: Session | undefined;
const listeners = new Set<() => void>();

export function session(): Session | undefined {
  if (current) return current;
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) current = JSON.parse(raw) as Session;
  } catch {
    // Storage refused (a private window's policy): signed out.
  }
  return current;
}

/** The signed-in session; pages are only shown with one. */
export function requireSession(): Session {
  const s = session();
  if (!s) throw new Error("not signed in");
  return s;
}

export function signIn(s: Session): void {
  current = s;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // Kept in memory for this page's life.
  }
  for (const l of listeners) l();
}

export function signOut(): void {
  current = undefined;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing kept.
  }
  for (const l of listeners) l();
}

export function onSessionChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
