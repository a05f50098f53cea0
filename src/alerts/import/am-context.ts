import { InputError } from '../../platform/errors.js';
import { API_VERSION } from '../../platform/resources/resource.js';

/** One resource document the import produces, with the Alertmanager YAML path it came from. */
export interface ImportedDocument {
  source: string;
  document: {
    apiVersion: typeof API_VERSION;
    kind: 'Secret' | 'Receiver' | 'Route' | 'InhibitRule' | 'TimeInterval';
    metadata: { name: string };
    spec: Record<string, unknown>;
  };
}

/** Something in the file that has no equivalent here: where it is (YAML path) and why it is left out. */
export interface NotCarried {
  path: string;
  reason: string;
}

export type YamlMap = Record<string, unknown>;

/** Reads a file an Alertmanager `*_file` setting names (relative to the config's directory, as Alertmanager does). */
export type ReadFile = (path: string) => string;

/** The input is not a valid Alertmanager configuration (Alertmanager itself would refuse to load it). */
export class AlertmanagerConfigError extends InputError {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`, { code: 'invalid_alertmanager_config', fields: [{ path, message }] });
  }
}

export function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Alertmanager fields that are Go templates (`{{ … }}`) are evaluated per notification; we cannot carry them. */
export function isTemplate(v: unknown): boolean {
  return typeof v === 'string' && v.includes('{{');
}

const RESOURCE_NAME_MAX = 128;
const SECRET_NAME_MAX = 253;

/** `team X/pager` → `team-X-pager`: the characters resource names allow, starting and ending alphanumeric. */
export function slug(text: string, lower = false): string {
  const s = (lower ? text.toLowerCase() : text)
    .replace(lower ? /[^a-z0-9._-]+/g : /[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return s;
}

/** Hands out unique names per kind, prefixed; remembers which came from renaming. */
class NameAllocator {
  private readonly taken = new Set<string>();
  constructor(
    private readonly prefix: string,
    private readonly max: number,
    private readonly lower: boolean,
  ) {}

  allocate(wanted: string, fallback: string): string {
    const base = (slug(`${this.prefix}${wanted}`, this.lower) || slug(`${this.prefix}${fallback}`, this.lower))
      .slice(0, this.max - 4)
      .replace(/[^A-Za-z0-9]+$/, '');
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}-${n}`;
    this.taken.add(name);
    return name;
  }
}

/** State shared by the parts of one conversion: produced documents, the not-carried list, notes, names. */
export class ImportContext {
  readonly documents: ImportedDocument[] = [];
  readonly notCarried: NotCarried[] = [];
  readonly notes: string[] = [];
  readonly names: Record<'Receiver' | 'TimeInterval' | 'InhibitRule' | 'Secret', NameAllocator>;
  private readonly secretsByValue = new Map<string, string>();

  /** The prefix as names start with it: `am` → `am-`. */
  readonly namePrefix: string;

  constructor(
    prefix: string,
    private readonly readFileFn: ReadFile | undefined,
  ) {
    const p = prefix === '' || /[-._]$/.test(prefix) ? prefix : `${prefix}-`;
    this.namePrefix = p;
    this.names = {
      Receiver: new NameAllocator(p, RESOURCE_NAME_MAX, false),
      TimeInterval: new NameAllocator(p, RESOURCE_NAME_MAX, false),
      InhibitRule: new NameAllocator(p, RESOURCE_NAME_MAX, false),
      Secret: new NameAllocator(p, SECRET_NAME_MAX, true),
    };
  }

  /** Notes a resource whose name is not the Alertmanager one (with the prefix): characters replaced, or deduplicated. */
  noteRename(path: string, what: string, original: string, name: string): void {
    if (name !== `${this.namePrefix}${original}`)
      this.notes.push(`${path}: ${what} ${JSON.stringify(original)} is imported as ${name}`);
  }

  skip(path: string, reason: string): void {
    this.notCarried.push({ path, reason });
  }

  add(source: string, kind: ImportedDocument['document']['kind'], name: string, spec: Record<string, unknown>): void {
    this.documents.push({ source, document: { apiVersion: API_VERSION, kind, metadata: { name }, spec } });
  }

  /**
   * The value of a setting given inline (`key`) or in a file (`key_file`), or undefined after
   * reporting why not. Values are trimmed of a trailing newline, as Alertmanager does for files.
   */
  valueOf(map: YamlMap, key: string, path: string): string | undefined {
    const inline = map[key];
    if (typeof inline === 'string' && inline !== '') return inline;
    const file = map[`${key}_file`];
    if (typeof file !== 'string' || file === '') return undefined;
    if (!this.readFileFn) {
      this.skip(`${path}.${key}_file`, `cannot read ${file} here; put the value in the document by hand`);
      return undefined;
    }
    try {
      const text = this.readFileFn(file).replace(/\r?\n$/, '');
      if (text) return text;
      this.skip(`${path}.${key}_file`, `${file} is empty`);
    } catch (err) {
      this.skip(`${path}.${key}_file`, `cannot read ${file}: ${(err as Error).message}`);
    }
    return undefined;
  }

  /**
   * A Secret document holding `value`, named after `wanted`; the same value (a global default used by
   * several receivers) becomes one Secret. Returns the Secret's name.
   */
  secret(value: string, wanted: string, source: string): string {
    const known = this.secretsByValue.get(value);
    if (known) return known;
    const name = this.names.Secret.allocate(wanted, 'secret');
    this.secretsByValue.set(value, name);
    this.add(source, 'Secret', name, { description: `imported from alertmanager.yml ${source}`, value });
    return name;
  }
}
