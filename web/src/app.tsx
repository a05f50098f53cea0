import { Route, Routes } from 'react-router-dom';
import { LoginPage } from './auth/login-page';
import { useSessionState } from './auth/session';
import { AlertPage } from './pages/alerts/alert-page';
import { AlertsPage } from './pages/alerts/alerts-page';
import { MaintenancePage } from './pages/alerts/maintenance-page';
import { RoutingPage } from './pages/alerts/routing-page';
import { SilenceEditorPage } from './pages/alerts/silence-editor-page';
import { SilencePage } from './pages/alerts/silence-page';
import { SilencesPage } from './pages/alerts/silences-page';
import { EditCheckPage, NewCheckPage } from './pages/checks/check-edit-page';
import { CheckPage } from './pages/checks/check-page';
import { ChecksPage } from './pages/checks/checks-page';
import { ActionItemsPage } from './pages/incidents/action-items-page';
import { IncidentPage } from './pages/incidents/incident-page';
import { IncidentsPage } from './pages/incidents/incidents-page';
import { NotFoundPage } from './pages/not-found-page';
import { OnCallPage } from './pages/oncall/oncall-page';
import { PoliciesPage } from './pages/oncall/policies-page';
import { PolicyEditorPage } from './pages/oncall/policy-editor-page';
import { SchedulePage } from './pages/oncall/schedule-page';
import { OverviewPage } from './pages/overview-page';
import { PlannedPage } from './pages/planned-page';
import { AuditPage } from './pages/settings/audit-page';
import { ChannelsPage } from './pages/settings/channels-page';
import { NotificationsPage } from './pages/settings/notifications-page';
import { ProfilePage } from './pages/settings/profile-page';
import { SecretsPage } from './pages/settings/secrets-page';
import { TeamPage } from './pages/settings/team-page';
import { TeamsPage } from './pages/settings/teams-page';
import { TokensPage } from './pages/settings/tokens-page';
import { UsersPage } from './pages/settings/users-page';
import { AppShell } from './shell/app-shell';
import { PLANNED_SECTIONS } from './shell/sections';
import { ErrorState } from './ui';

/** Session gate, then the shell and its routes. Paths work on reload thanks to the server's SPA fallback. */
export function App() {
  const { state, retry } = useSessionState();
  if (state.status === 'loading') {
    return (
      <div className="boot muted" aria-busy="true">
        Loading…
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="boot">
        <ErrorState error={state.error} title="Could not check your session" onRetry={retry} />
      </div>
    );
  }
  if (state.status === 'signed-out') return <LoginPage />;
  return (
    <AppShell>
      <Routes>
        <Route path="/" element={<OverviewPage />} />
        {PLANNED_SECTIONS.filter((s) => s.path !== '/').map((s) => (
          <Route key={s.path} path={s.path} element={<PlannedPage section={s} />} />
        ))}
        <Route path="/checks" element={<ChecksPage />} />
        <Route path="/checks/new" element={<NewCheckPage />} />
        <Route path="/checks/:id" element={<CheckPage />} />
        <Route path="/checks/:id/edit" element={<EditCheckPage />} />
        <Route path="/alerts" element={<AlertsPage />} />
        <Route path="/alerts/silences" element={<SilencesPage />} />
        <Route path="/alerts/silences/new" element={<SilenceEditorPage />} />
        <Route path="/alerts/silences/:name" element={<SilencePage />} />
        <Route path="/alerts/maintenance" element={<MaintenancePage />} />
        <Route path="/alerts/routing" element={<RoutingPage />} />
        <Route path="/alerts/:id" element={<AlertPage />} />
        <Route path="/incidents" element={<IncidentsPage />} />
        <Route path="/incidents/action-items" element={<ActionItemsPage />} />
        <Route path="/incidents/:id" element={<IncidentPage />} />
        <Route path="/oncall" element={<OnCallPage />} />
        <Route path="/oncall/schedules/:name" element={<SchedulePage />} />
        <Route path="/oncall/policies" element={<PoliciesPage />} />
        <Route path="/oncall/policies/:name" element={<PolicyEditorPage />} />
        <Route path="/settings" element={<ProfilePage />} />
        <Route path="/settings/profile" element={<ProfilePage />} />
        <Route path="/settings/users" element={<UsersPage />} />
        <Route path="/settings/teams" element={<TeamsPage />} />
        <Route path="/settings/teams/:id" element={<TeamPage />} />
        <Route path="/settings/notifications" element={<NotificationsPage />} />
        <Route path="/settings/channels" element={<ChannelsPage />} />
        <Route path="/settings/tokens" element={<TokensPage />} />
        <Route path="/settings/secrets" element={<SecretsPage />} />
        <Route path="/settings/audit" element={<AuditPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </AppShell>
  );
}
