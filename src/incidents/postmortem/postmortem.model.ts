import { z } from 'zod';

/**
 * Postmortems and action items: one schema per shape, so the TypeScript types, the OpenAPI
 * document and the request validation come from the same place.
 */

const LongText = z.string().max(50_000);
const ListItem = z.string().max(5_000);

export const POSTMORTEM_STATUSES = ['draft', 'in_review', 'published'] as const;
export const PostmortemStatusSchema = z.enum(POSTMORTEM_STATUSES);
export type PostmortemStatus = z.infer<typeof PostmortemStatusSchema>;

export const PostmortemTimelineEntrySchema = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  actor: z.string().max(200),
  message: z.string().max(5_000),
});
export type PostmortemTimelineEntry = z.infer<typeof PostmortemTimelineEntrySchema>;

export const FiveWhySchema = z.strictObject({
  why: z.string().max(5_000),
  because: z.string().max(5_000),
});

export const ExtraSectionSchema = z.strictObject({
  title: z.string().trim().min(1, 'a section needs a title').max(200),
  body: LongText,
});

const documentFields = {
  summary: LongText,
  impact: LongText,
  timeline: z.array(PostmortemTimelineEntrySchema).max(2_000),
  rootCause: LongText,
  contributingFactors: z.array(ListItem).max(100),
  /** Usually five; more are allowed when the chain is longer. */
  fiveWhys: z.array(FiveWhySchema).max(20),
  wentWell: z.array(ListItem).max(100),
  wentBadly: z.array(ListItem).max(100),
  lessons: LongText,
  /** Team-specific extra sections, rendered after the built-in ones. */
  sections: z.array(ExtraSectionSchema).max(50),
};

/** The document itself. Free-text sections are Markdown written by the authors. */
export const PostmortemDocumentSchema = z.strictObject({
  ...documentFields,
  lessons: documentFields.lessons.default(''),
  sections: documentFields.sections.default([]),
});
export type PostmortemDocument = z.infer<typeof PostmortemDocumentSchema>;
/** Some sections of the document (no defaults: a section left out stays as it is). */
export const PostmortemDocumentPatchSchema = z.strictObject(documentFields).partial();
export const DOCUMENT_SECTIONS = Object.keys(PostmortemDocumentSchema.shape) as Array<keyof PostmortemDocument>;

export const PostmortemSchema = z.object({
  incidentId: z.string(),
  status: PostmortemStatusSchema,
  /** Increases by one on every change; send it back with an update (optimistic concurrency). */
  version: z.number().int(),
  document: PostmortemDocumentSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
  /** When it was published; null unless the status is `published`. */
  publishedAt: z.iso.datetime().nullable(),
});
export type Postmortem = z.infer<typeof PostmortemSchema>;

/** Precondition of every update: the version (preferred) or the updatedAt the client last saw. */
const Precondition = {
  version: z.number().int().min(1).optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
};
const needsPrecondition = {
  message: 'send the version (or updatedAt) you last read, so concurrent edits are not lost',
  path: ['version'],
};
const hasPrecondition = (b: { version?: number | undefined; updatedAt?: string | undefined }) =>
  b.version !== undefined || b.updatedAt !== undefined;

/** PUT: the whole document replaces the stored one. */
export const ReplacePostmortemSchema = z
  .strictObject({ ...Precondition, status: PostmortemStatusSchema.optional(), document: PostmortemDocumentSchema })
  .refine(hasPrecondition, needsPrecondition);

/** PATCH: only the sections given change. */
export const PatchPostmortemSchema = z
  .strictObject({
    ...Precondition,
    status: PostmortemStatusSchema.optional(),
    document: PostmortemDocumentPatchSchema.optional(),
  })
  .refine(hasPrecondition, needsPrecondition);

export interface PostmortemUpdate {
  version?: number | undefined;
  updatedAt?: string | undefined;
  status?: PostmortemStatus | undefined;
  document?: Partial<PostmortemDocument> | undefined;
}

// ---------------------------------------------------------------------------------------------
// Action items

export const ACTION_ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export const ActionItemStatusSchema = z.enum(ACTION_ITEM_STATUSES);
export type ActionItemStatus = z.infer<typeof ActionItemStatusSchema>;
/** Statuses that close an item: closed items are never overdue. */
export const CLOSED_STATUSES: readonly ActionItemStatus[] = ['done', 'wont_do'];

export const ActionItemPrioritySchema = z.enum(['high', 'medium', 'low']);
export type ActionItemPriority = z.infer<typeof ActionItemPrioritySchema>;

/** A calendar day, `YYYY-MM-DD`, that exists (no 2026-02-30). */
export const DueDateSchema = z.iso.date('a real calendar day as YYYY-MM-DD');
const Owner = z
  .email('an email address')
  .max(254)
  .transform((v) => v.toLowerCase());

export const ActionItemSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  description: z.string(),
  owner: z.string().nullable(),
  dueDate: z.string().nullable(),
  status: ActionItemStatusSchema,
  priority: ActionItemPrioritySchema.nullable(),
  /** Open or in progress with a due date before today (UTC). */
  overdue: z.boolean(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  doneAt: z.iso.datetime().nullable(),
});
export type ActionItem = z.infer<typeof ActionItemSchema>;

export const CreateActionItemSchema = z.strictObject({
  title: z.string().trim().min(1, 'an action item needs a title').max(300),
  description: z.string().max(20_000).default(''),
  owner: Owner.nullable().optional(),
  dueDate: DueDateSchema.nullable().optional(),
  status: ActionItemStatusSchema.default('open'),
  priority: ActionItemPrioritySchema.nullable().optional(),
});
export type CreateActionItem = z.input<typeof CreateActionItemSchema>;

export const UpdateActionItemSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'an action item needs a title').max(300).optional(),
    description: z.string().max(20_000).optional(),
    owner: Owner.nullable().optional(),
    dueDate: DueDateSchema.nullable().optional(),
    status: ActionItemStatusSchema.optional(),
    priority: ActionItemPrioritySchema.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });
export type UpdateActionItem = z.input<typeof UpdateActionItemSchema>;

export interface ActionItemFilter {
  status?: ActionItemStatus[] | undefined;
  owner?: string | undefined;
  incidentId?: string | undefined;
  /** true: open or in progress and due before today (UTC); false: everything else. */
  overdue?: boolean | undefined;
  /** Case-insensitive text in the title. */
  q?: string | undefined;
}
