// Every command family's rows, gathered into the one command table.
import { connectionCommands } from './connection.js';
import { introspectionCommands } from './introspection.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server.js';
import { stringCommands } from './strings.js';
import { CommandTable } from './table.js';

export function buildCommandTable(): CommandTable {
  return new CommandTable([
    ...connectionCommands,
    ...serverCommands,
    ...introspectionCommands,
    ...keyCommands,
    ...stringCommands,
  ]);
}
