import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { auth } from '../api/accounts';
import { ApiError, onUnauthenticated, setCsrfToken } from '../api/client';
import type { Session, User } from '../api/types';

type State =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'error'; error: unknown }
  | { status: 'signed-in'; user: User };

interface SessionContextValue {
  state: State;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Replaces the signed-in user after they edit their own profile. */
  setUser(user: User): void;
  retry(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Checks the session on load (401 → sign-in page) and keeps the CSRF token for writes. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const accept = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'signed-in', user: session.user });
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the check
  useEffect(() => {
    const controller = new AbortController();
    auth.session(controller.signal).then(accept, (error: unknown) => {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) setState({ status: 'signed-out' });
      else setState({ status: 'error', error });
    });
    return () => controller.abort();
  }, [accept, attempt]);

  // Any 401 later on (session expired or revoked) brings the sign-in page back.
  useEffect(
    () =>
      onUnauthenticated(() => {
        setCsrfToken(null);
        setState((s) => (s.status === 'signed-in' ? { status: 'signed-out' } : s));
      }),
    [],
  );

  const value = useMemo<SessionContextValue>(
    () => ({
      state,
      async signIn(email, password) {
        accept(await auth.login(email, password));
      },
      async signOut() {
        try {
          await auth.logout();
        } finally {
          setCsrfToken(null);
          setState({ status: 'signed-out' });
        }
      },
      setUser(user) {
        setState((s) => (s.status === 'signed-in' ? { status: 'signed-in', user } : s));
      },
      retry() {
        setState({ status: 'loading' });
        setAttempt((n) => n + 1);
      },
    }),
    [state, accept],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSessionState outside SessionProvider');
  return ctx;
}

/** The signed-in user; only for components rendered inside the signed-in shell. */
export function useCurrentUser(): {
  user: User;
  isAdmin: boolean;
  setUser(user: User): void;
  signOut(): Promise<void>;
} {
  const { state, setUser, signOut } = useSessionState();
  if (state.status !== 'signed-in') throw new Error('useCurrentUser while signed out');
  return { user: state.user, isAdmin: state.user.role === 'admin', setUser, signOut };
}
