import { createHash } from 'node:crypto';

/** How many shards the work that is split between instances (checks) hashes into. */
export const SHARDS = 64;

/** The shard a key (a check id) belongs to: stable across instances and restarts. */
export function shardOf(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % SHARDS;
}

export interface ClusterTables {
  cluster_members: { id: string; started_at: number; heartbeat_at: number; info: string };
  cluster_shards: { shard: number; owner: string | null; expires_at: number };
}

/** Shards each of `live` members should hold: an even split, rounded up so every shard has a home. */
export function fairShare(live: number): number {
  return Math.ceil(SHARDS / Math.max(1, live));
}
