import type { Role } from '../../api/types';
import { Badge } from '../../ui';
import { ROLE_HELP, ROLE_TONE } from './roles';

/** A role as a badge; `null` (no global role) reads "no role". */
export function RoleBadge({ role }: { role: Role | null }) {
  if (!role) return <Badge title="no global role; may still hold roles in teams">no role</Badge>;
  return (
    <Badge tone={ROLE_TONE[role]} title={ROLE_HELP[role]}>
      {role}
    </Badge>
  );
}
