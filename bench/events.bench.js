// Build and validate throughput of a typical event on one core, against a bare ajv 8
// (draft 2020-12) validation of the same schema, measured in the same run.
'use strict';
const { randomUUID } = require('crypto');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const { catalog, samples, buildEvent, resolvePlant, EventBuilder } = require('../dist/lib/events');
const { EventValidator } = require('../dist/lib/validation');
const { envelopeSchema } = require('../dist/lib/validation/envelope-schema');

const TYPE = 'mfg.production.operation.completed.v1'; // ~20 business fields with nesting
const plant = resolvePlant({ enterprise: 'acme', site: 'BER1', area: 'assembly', line: 'line1', system: 'mes' });
const entry = catalog.get(TYPE);
const event = buildEvent(entry, structuredClone(samples[TYPE]), { plant });
const text = JSON.stringify(event);

function rate(fn, ms = 1500) {
  for (let i = 0; i < 20000; i++) fn(i); // warm up
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(ms) * 1000000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 1000; i++) fn(i);
    n += 1000;
  }
  return n / (ms / 1000);
}

// Bare ajv: the same envelope + data schema compiled directly.
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv, { mode: 'fast' });
for (const e of catalog.all()) ajv.addSchema(e.schema);
const bare = ajv.compile({ ...envelopeSchema, required: [...envelopeSchema.required, 'data'], properties: { ...envelopeSchema.properties, data: { $ref: entry.dataschema } } });
if (!bare(event)) throw new Error('bare ajv rejects the sample: ' + JSON.stringify(bare.errors));

const v = new EventValidator();
if (!v.validate(event).valid) throw new Error('validator rejects the sample');
const builder = new EventBuilder(TYPE);
const data = samples[TYPE];

const rows = [];
const bareObj = rate(() => bare(event));
const oursObj = rate(() => v.validate(event));
const bareStr = rate(() => bare(JSON.parse(text)));
const oursStr = rate(() => v.validate(text));
const plainBuild = rate(() => ({ specversion: '1.0', id: randomUUID(), type: TYPE, time: new Date().toISOString(), data: { ...data } }));
const oursBuild = rate(() => builder.build({ ...data }, plant));
const fmt = (x) => Math.round(x).toLocaleString('en-US');
rows.push(['validate (object)', fmt(oursObj), `bare ajv: ${fmt(bareObj)}`, (oursObj / bareObj).toFixed(2)]);
rows.push(['validate (JSON string)', fmt(oursStr), `JSON.parse + bare ajv: ${fmt(bareStr)}`, (oursStr / bareStr).toFixed(2)]);
rows.push(['build (map, coerce, validate data, envelope)', fmt(oursBuild), `object literal + randomUUID: ${fmt(plainBuild)}`, (oursBuild / plainBuild).toFixed(2)]);

console.log('## Events: build and validate (one core)\n');
console.log(`Event type \`${TYPE}\`, ${text.length} bytes of JSON. Goal: validate >= 100,000 events/s; within 0.8x of bare ajv.\n`);
console.log('| operation | events/s | baseline (same run) | ratio |');
console.log('|---|---:|---|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
