import { expect } from 'vitest';
import type { z } from 'zod';
import {
  InhibitRuleSpecSchema,
  ReceiverSpecSchema,
  type RouteNodeSpec,
  RouteSpecSchema,
  TimeIntervalSpecSchema,
} from '../../config.model.js';
import { compileRouteTree, matchRoutes } from '../../routing.js';
import type { AlertmanagerImport, ImportedDocument } from '../alertmanager-import.js';

const SCHEMAS: Record<string, z.ZodType> = {
  Receiver: ReceiverSpecSchema,
  Route: RouteSpecSchema,
  InhibitRule: InhibitRuleSpecSchema,
  TimeInterval: TimeIntervalSpecSchema,
};

/** Every document parses with its kind's schema (Secrets: the Secret kind's name and value rules). */
export function expectAllValid(docs: readonly ImportedDocument[]): void {
  for (const { document: d } of docs) {
    expect(d.apiVersion).toBe('mainstay/v1');
    if (d.kind === 'Secret') {
      expect(d.metadata.name).toMatch(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/);
      expect(typeof d.spec.value === 'string' && d.spec.value.length > 0).toBe(true);
      continue;
    }
    expect(d.metadata.name).toMatch(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/);
    const schema = SCHEMAS[d.kind];
    expect(schema, d.kind).toBeDefined();
    const r = (schema as z.ZodType).safeParse(d.spec);
    expect(r.success, `${d.kind}/${d.metadata.name}: ${r.error?.message}`).toBe(true);
  }
}

export function specs(result: AlertmanagerImport, kind: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    result.documents.filter((d) => d.document.kind === kind).map((d) => [d.document.metadata.name, d.document.spec]),
  );
}

export function routeOf(result: AlertmanagerImport): Record<string, unknown> {
  const spec = specs(result, 'Route').root;
  expect(spec).toBeDefined();
  return spec as Record<string, unknown>;
}

/** The receivers an alert with these labels reaches through the imported tree. */
export function receiversFor(result: AlertmanagerImport, labels: Record<string, string>): string[] {
  const tree = compileRouteTree(RouteSpecSchema.parse(routeOf(result)) as RouteNodeSpec);
  return matchRoutes(tree, labels).map((n) => n.receiver);
}

export function reader(files: Record<string, string>): (path: string) => string {
  return (path) => {
    const v = files[path];
    if (v === undefined) throw new Error(`ENOENT: no such file ${path}`);
    return v;
  };
}
