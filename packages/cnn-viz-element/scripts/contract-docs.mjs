// The element's public contract as Markdown tables, generated from custom-elements.json (itself
// generated from the doc comments in src/cnn-visualizer.ts), written into the READMEs between
// <!-- contract:start --> and <!-- contract:end -->. `--check` fails when a README is out of date.
//   node scripts/contract-docs.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const READMES = [here('../README.md'), here('../../../README.md')];
const START = '<!-- contract:start -->';
const END = '<!-- contract:end -->';

/** One line of Markdown from a doc comment; pipes escaped for tables. */
const cell = (s = '') =>
  s
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
const code = (s) => (s ? `\`${s}\`` : '');

export function contractTables(manifest) {
  const el = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .find((d) => d.tagName === 'cnn-visualizer');
  const members = el.members ?? [];
  const fields = members.filter((m) => m.kind === 'field');
  const attrByField = new Map((el.attributes ?? []).map((a) => [a.fieldName, a.name]));
  const out = [];
  out.push('### Attributes and properties', '', 'Every one takes effect whenever it changes.', '');
  out.push('| attribute | property | type | default | what |', '| --- | --- | --- | --- | --- |');
  for (const f of fields.filter((f) => !f.readonly && attrByField.has(f.name)))
    out.push(
      `| ${code(attrByField.get(f.name))} | ${code(f.name)} | ${code(cell(f.type?.text))} | ${code(cell(f.default))} | ${cell(f.description)} |`,
    );
  out.push('', '### Read-only properties', '', '| property | type | what |', '| --- | --- | --- |');
  for (const f of fields.filter((f) => f.readonly))
    out.push(`| ${code(f.name)} | ${code(cell(f.type?.text))} | ${cell(f.description)} |`);
  out.push('', '### Methods', '', '| method | returns | what |', '| --- | --- | --- |');
  for (const m of members.filter((m) => m.kind === 'method')) {
    const params = (m.parameters ?? []).map((p) => `${p.name}: ${p.type?.text ?? 'unknown'}`).join(', ');
    out.push(
      `| ${code(`${m.name}(${params})`)} | ${code(cell(m.return?.type?.text ?? 'void'))} | ${cell(m.description)} |`,
    );
  }
  out.push(
    '',
    '### Events',
    '',
    'All `CustomEvent`s that bubble and cross the shadow root (`composed`); no other event leaves it.',
    '',
    '| event | when, and `detail` |',
    '| --- | --- |',
  );
  for (const e of el.events ?? []) out.push(`| ${code(e.name)} | ${cell(e.description)} |`);
  out.push('', '### Parts (`::part(…)`)', '', '| part | what |', '| --- | --- |');
  for (const p of el.cssParts ?? []) out.push(`| ${code(p.name)} | ${cell(p.description)} |`);
  out.push('', '### CSS custom properties', '', '| property | what |', '| --- | --- |');
  for (const p of el.cssProperties ?? []) out.push(`| ${code(p.name)} | ${cell(p.description)} |`);
  out.push('', '### Children', '', '| child | what |', '| --- | --- |');
  for (const s of el.slots ?? [])
    out.push(`| ${s.name ? code(s.name) : 'light-DOM children'} | ${cell(s.description)} |`);
  return out.join('\n');
}

const manifest = JSON.parse(readFileSync(here('../custom-elements.json'), 'utf8'));
const tables = `${START}\n<!-- generated from custom-elements.json by packages/cnn-viz-element/scripts/contract-docs.mjs -->\n\n${contractTables(manifest)}\n\n${END}`;
const check = process.argv.includes('--check');
let stale = false;
for (const file of READMES) {
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < 0) throw new Error(`${file} has no ${START} … ${END} section`);
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  const next = await prettier.format(text.slice(0, a) + tables + text.slice(b + END.length), options);
  if (next === text) continue;
  if (check) {
    console.error(
      `${file}: the contract tables are out of date; run node packages/cnn-viz-element/scripts/contract-docs.mjs`,
    );
    stale = true;
  } else writeFileSync(file, next);
}
if (stale) process.exit(1);
