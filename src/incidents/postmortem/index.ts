/**
 * Postmortems and action items, part of the incidents module. The incident service supplies an
 * `IncidentReader`; everything else comes from the platform.
 */
export type { IncidentReader, PostmortemDeps } from './postmortem.deps.js';
export { renderPostmortemMarkdown } from './postmortem.markdown.js';
export { postmortemMigrations } from './postmortem.migrations.js';
export type {
  ActionItem,
  ActionItemFilter,
  ActionItemPriority,
  ActionItemStatus,
  CreateActionItem,
  Postmortem,
  PostmortemDocument,
  PostmortemStatus,
  PostmortemUpdate,
  UpdateActionItem,
} from './postmortem.model.js';
export { postmortemRoutes } from './postmortem.routes.js';
export { PostmortemService } from './postmortem.service.js';
export type { PostmortemTables } from './postmortem.store.js';
export { postmortemTemplate } from './postmortem.template.js';
