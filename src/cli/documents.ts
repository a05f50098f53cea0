import fs from 'node:fs';
import path from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { CliError, UsageError } from './errors.js';

/** One YAML document to apply, named `path/to/file.yaml#N` (N counts from 1 in its file). */
export interface SourceDocument {
  source: string;
  document: unknown;
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * The files behind `-f` arguments: a file as given, a directory as every *.yaml /
 * *.yml below it, recursively, sorted by path so applies are repeatable.
 */
export function collectFiles(inputs: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UsageError(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const found = walk(abs).sort(comparePaths);
      if (found.length === 0) throw new UsageError(`${input}: no *.yaml or *.yml files in this directory`);
      files.push(...found);
    } else {
      files.push(abs);
    }
  }
  return [...new Set(files)];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile() && YAML_FILE.test(entry.name)) out.push(p);
  }
  return out;
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How a file is named in sources and messages: relative to cwd when it is below it. */
export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

export interface YamlProblem {
  source: string;
  line: number;
  col: number;
  message: string;
}

/**
 * Offsets of keys that repeat a key earlier in the same mapping, in one pass over the document with a
 * Set per mapping and an explicit stack. (The yaml library's own `uniqueKeys` check compares each key
 * with every earlier one: a mapping of 20,000 keys took 8 s to read, and larger files did not finish.)
 * Keys are equal as the library defines it: scalars with the same value.
 */
function duplicateKeyOffsets(doc: Document.Parsed): number[] {
  const out: number[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const id = `${typeof key.value}:${String(key.value)}`;
          if (seen.has(id)) out.push(key.range?.[0] ?? 0);
          seen.add(id);
        } else stack.push(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Parses a multi-document YAML text. Empty documents (a trailing `---`, comments
 * only) are skipped but still counted, so `#N` is the N-th document in the file.
 */
export function parseYamlDocuments(
  text: string,
  name: string,
): { documents: SourceDocument[]; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const documents: SourceDocument[] = [];
  const problems: YamlProblem[] = [];
  // A stream with no document can still carry errors; they belong to document 1.
  const streamErrors = docs.length === 0 && 'errors' in docs ? docs.errors : [];
  for (const err of streamErrors) {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    problems.push({ source: `${name}#1`, line, col, message: err.message });
  }
  docs.forEach((doc, i) => {
    const source = `${name}#${i + 1}`;
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        problems.push({ source, line, col, message: err.message });
      }
      return;
    }
    const duplicates = duplicateKeyOffsets(doc);
    if (duplicates.length > 0) {
      for (const offset of duplicates) {
        const { line, col } = lineCounter.linePos(offset);
        problems.push({ source, line, col, message: 'Map keys must be unique' });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      const { line, col } = lineCounter.linePos(doc.range[0]);
      const message = err instanceof RangeError ? 'the document is nested too deeply' : (err as Error).message;
      problems.push({ source, line, col, message });
      return;
    }
    if (value === null || value === undefined) return;
    documents.push({ source, document: value });
  });
  return { documents, problems };
}

export function formatProblem(p: YamlProblem): string {
  return `${p.source}: YAML syntax error at line ${p.line}, column ${p.col}: ${p.message}`;
}

/**
 * Reads every document of every file. Any syntax error anywhere stops the whole
 * read (nothing is sent), and all of them are reported at once.
 */
export function readDocuments(inputs: readonly string[], cwd: string): SourceDocument[] {
  const files = collectFiles(inputs, cwd);
  const documents: SourceDocument[] = [];
  const problems: YamlProblem[] = [];
  for (const file of files) {
    const name = displayPath(file, cwd);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${name}: cannot read: ${(err as Error).message}`);
    }
    const parsed = parseYamlDocuments(text, name);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  if (problems.length > 0) {
    const files = new Set(problems.map((p) => p.source.replace(/#\d+$/, '')));
    throw new CliError(
      `${problems.length} YAML syntax error${problems.length === 1 ? '' : 's'} in ${[...files].join(', ')}`,
      {
        details: problems.map(formatProblem),
        hint: 'nothing was sent; fix the files and run apply again',
      },
    );
  }
  if (documents.length === 0) throw new UsageError(`no documents found in ${inputs.join(', ')}`);
  return documents;
}
