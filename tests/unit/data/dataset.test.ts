// Every dataset shipped in data/ must pass the schema: a failure names file, feature, field, reason.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { validateCollection, formatIssue, FIELDS } from '../../../src/core/schema.ts';

const dataDir = new URL('../../../data/', import.meta.url);
const files = readdirSync(dataDir).filter((f) => f.endsWith('.geojson'));

describe('data/', () => {
  it('holds at least one dataset', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s validates against the incident schema', (file) => {
    const { incidents, issues } = validateCollection(JSON.parse(readFileSync(new URL(file, dataDir), 'utf8')));
    expect(issues.map((i) => formatIssue(i, `data/${file}`))).toEqual([]);
    expect(incidents.length).toBeGreaterThan(0);
  });

  it('documents every schema field in data/SCHEMA.md', () => {
    const doc = readFileSync(new URL('SCHEMA.md', dataDir), 'utf8');
    expect(FIELDS.filter((f) => !doc.includes(`\`${f}\``))).toEqual([]);
  });
});
