import { toError } from '@patinox/errors';
import { readSnapshotRecords, SNAPSHOT_FORMAT } from '../tiered/snapshot.js';
import { CLI_EXIT_CODES, CliFailure } from './exit-codes.js';

/** What a snapshot file holds, for `import --dry-run` and the overwrite question. */
export interface SnapshotSummary {
  /** The namespace it was exported from. */
  namespace: string;
  createdAt: string | undefined;
  entries: number;
  tags: number;
}

/**
 * Reads a snapshot written by `TieredCache.exportSnapshot` (JSON lines: a header, one line per entry
 * with its key in `k`, one per tag with its name in `g`) and hands its entry keys over in batches.
 * Only the keys are read here; the tier's import validates every line when it loads them.
 */
export async function readSnapshotKeys(path: string, onKeys: (keys: string[]) => Promise<void>, batchSize = 500): Promise<SnapshotSummary> {
  const invalid = (reason: string, cause?: unknown): CliFailure => new CliFailure(`${path} is not a readable cache snapshot: ${reason}`, CLI_EXIT_CODES.failed, { cause });
  let header: { namespace?: unknown; createdAt?: unknown } | undefined;
  let entries = 0;
  let tags = 0;
  let batch: string[] = [];
  const records = readSnapshotRecords(path, {
    unreadable: (err) => invalid(toError(err).message, err),
    notJson: (err) => invalid(`a line is not JSON: ${toError(err).message}`, err),
  });
  for await (const parsed of records) {
    const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (header === undefined) {
      if (record.format !== SNAPSHOT_FORMAT) throw invalid('missing or unknown header');
      header = record;
    } else if (typeof record.g === 'string') {
      tags += 1;
    } else if (typeof record.k === 'string') {
      entries += 1;
      batch.push(record.k);
      if (batch.length >= batchSize) {
        await onKeys(batch);
        batch = [];
      }
    }
  }
  if (header === undefined) throw invalid('the file is empty');
  if (batch.length > 0) await onKeys(batch);
  return { namespace: typeof header.namespace === 'string' ? header.namespace : '', createdAt: typeof header.createdAt === 'string' ? header.createdAt : undefined, entries, tags };
}
