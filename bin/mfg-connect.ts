#!/usr/bin/env node
// Command line for plant projects' CI:
//   mfg-connect schema-check [--json] <old> <new>   backward compatibility of a schema change
//   mfg-connect asyncapi <flows.json>                AsyncAPI 3.0 of an exported flow
//   mfg-connect catalog [<type>]                     list the catalog, or print one schema
// <old>/<new> are JSON Schema files or catalog:<event type>. Exit codes: 0 ok,
// 1 not backward compatible, 2 usage or input error.
import fs from 'fs';
import { catalog } from '../lib/events/catalog';
import { checkCompatibility, formatReport } from '../lib/governance/compat';
import { generateAsyncApi } from '../lib/governance/asyncapi';
import type { NodeConfig } from '../lib/governance/usage';

const USAGE = [
  'usage: mfg-connect schema-check [--json] <old.json|catalog:TYPE> <new.json|catalog:TYPE>',
  '       mfg-connect asyncapi <flows.json>',
  '       mfg-connect catalog [TYPE]',
].join('\n');

class InputError extends Error {}

function load(ref: string): unknown {
  if (ref.startsWith('catalog:')) {
    const e = catalog.get(ref.slice(8));
    if (!e) throw new InputError(`${ref}: no such event type in the catalog (try: mfg-connect catalog)`);
    return e.schema;
  }
  let text: string;
  try {
    text = fs.readFileSync(ref, 'utf8');
  } catch (err) {
    throw new InputError(`${ref}: cannot read (${(err as NodeJS.ErrnoException).code || (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${ref}: not valid JSON (${(err as Error).message})`);
  }
}

function schemaCheck(args: string[]): number {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length !== 2) throw new InputError(USAGE);
  const [oldRef, newRef] = files;
  const oldSchema = load(oldRef);
  const newSchema = load(newRef);
  let report;
  try {
    report = checkCompatibility(oldSchema, newSchema);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, oldRef, newRef) + '\n');
  return report.compatible ? 0 : 1;
}

function asyncapi(args: string[]): number {
  if (args.length !== 1) throw new InputError(USAGE);
  const flows = load(args[0]);
  if (!Array.isArray(flows)) throw new InputError(`${args[0]}: a Node-RED flow export (a JSON array of nodes) is expected`);
  process.stdout.write(JSON.stringify(generateAsyncApi(flows as NodeConfig[]), null, 2) + '\n');
  return 0;
}

function listCatalog(args: string[]): number {
  if (args[0]) {
    const e = catalog.get(args[0]);
    if (!e) throw new InputError(`${args[0]}: no such event type in the catalog`);
    process.stdout.write(JSON.stringify(e.schema, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(catalog.all().map((e) => `${e.type.padEnd(52)} ${e.owner.padEnd(24)} ${e.title}\n`).join(''));
  return 0;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'schema-check') return schemaCheck(rest);
    if (cmd === 'asyncapi') return asyncapi(rest);
    if (cmd === 'catalog') return listCatalog(rest);
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    throw new InputError(USAGE);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}

// a closed pipe (| head) is a normal end, not a crash
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 2));
process.exitCode = main(process.argv.slice(2));
