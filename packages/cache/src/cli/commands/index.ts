import type { Command } from './command.js';
import { clearCommand } from './clear.js';
import { deleteCommand } from './delete.js';
import { eventsCommand } from './events.js';
import { exportCommand } from './export.js';
import { getCommand } from './get.js';
import { importCommand } from './import.js';
import { invalidateTagCommand } from './invalidate-tag.js';
import { keysCommand } from './keys.js';
import { setCommand } from './set.js';
import { statsCommand } from './stats.js';
import { statusCommand } from './status.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  statusCommand,
  statsCommand,
  keysCommand,
  getCommand,
  setCommand,
  deleteCommand,
  invalidateTagCommand,
  clearCommand,
  exportCommand,
  importCommand,
  eventsCommand,
];

export type { Command } from './command.js';
