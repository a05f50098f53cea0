import { NotFoundError } from '../errors.js';
import type { AnyKind } from './resource.js';

/** Every kind that configuration as code knows, registered by the modules at start-up. */
export class ResourceRegistry {
  private readonly byName = new Map<string, AnyKind>();
  private readonly kinds: AnyKind[] = [];

  register(kind: AnyKind): void {
    for (const key of [kind.kind.toLowerCase(), kind.plural.toLowerCase()]) {
      if (this.byName.has(key)) throw new Error(`resource kind ${key} registered twice`);
      this.byName.set(key, kind);
    }
    this.kinds.push(kind);
    this.kinds.sort((a, b) => a.order - b.order || a.kind.localeCompare(b.kind));
  }

  /** Finds a kind by `User`, `user` or `users`. */
  find(name: string): AnyKind | undefined {
    return this.byName.get(name.toLowerCase());
  }

  require(name: string): AnyKind {
    const kind = this.find(name);
    if (!kind) {
      throw new NotFoundError(`no resource kind ${name}`, { hint: `known kinds: ${this.names().join(', ')}` });
    }
    return kind;
  }

  all(): readonly AnyKind[] {
    return this.kinds;
  }

  names(): string[] {
    return this.kinds.map((k) => k.kind);
  }
}
