/** Every built command, in the order `stockpipe --help` lists them. */

import alerts from '../commands/alerts/command.ts';
import backtest from '../commands/backtest/command.ts';
import cleanup from '../commands/cleanup/command.ts';
import type { AnyCommandDefinition } from '../commands/command.ts';
import compact from '../commands/compact/command.ts';
import completion from '../commands/completion/command.ts';
import config from '../commands/config/command.ts';
import demo from '../commands/demo/command.ts';
import local from '../commands/local/command.ts';
import policy from '../commands/policy/command.ts';
import query from '../commands/query/command.ts';
import redrive from '../commands/redrive/command.ts';
import setup from '../commands/setup/command.ts';
import status from '../commands/status/command.ts';
import stream from '../commands/stream/command.ts';
import tail from '../commands/tail/command.ts';
import watch from '../commands/watch/command.ts';

export const COMMANDS: readonly AnyCommandDefinition[] = [
  demo,
  setup,
  stream,
  backtest,
  query,
  compact,
  tail,
  status,
  alerts,
  watch,
  redrive,
  cleanup,
  policy,
  config,
  local,
  completion,
];
