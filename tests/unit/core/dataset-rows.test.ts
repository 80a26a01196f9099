import { describe, expect, it } from 'vitest';
import { fieldColumns, parquetFeature } from '../../../src/core/dataset-rows.ts';
import { validateFeature } from '../../../src/core/schema.ts';
import { feature } from '../../fixtures/incident.ts';

/** A row of ours as DuckDB hands it over: the lists of structs as JSON text. */
function row(sources: string, related = '[]'): Record<string, unknown> {
  const f = feature();
  return { ...f.properties, sources, related, extra: null };
}

describe('parquetFeature', () => {
  it('parses the lists a file of ours holds as JSON text', () => {
    const f = feature();
    const r = row(JSON.stringify(f.properties.sources), JSON.stringify([{ type: 'related to', id: 'x' }]));
    const back = parquetFeature(r, Object.keys(r).filter((k) => k !== 'extra'), true, undefined);
    expect(back.properties.sources).toEqual(f.properties.sources);
    expect(back.properties.related).toEqual([{ type: 'related to', id: 'x' }]);
  });

  it('leaves text that is not JSON as text, which the validator refuses with the row\'s number', () => {
    const r = row('[{"title": "cut');
    const back = parquetFeature(r, Object.keys(r).filter((k) => k !== 'extra'), true, undefined);
    expect(back.properties.sources).toBe('[{"title": "cut');
    const { incident, issues } = validateFeature({ ...back, geometry: feature().geometry }, 41);
    expect(incident).toBeUndefined();
    expect(issues).toContainEqual({ index: 41, field: 'sources', reason: 'must list at least one source' });
  });

  it('does not parse a foreign file\'s text columns', () => {
    const r = row('[]');
    const back = parquetFeature(r, Object.keys(r).filter((k) => k !== 'extra'), false, undefined);
    expect(back.properties.sources).toBe('[]');
  });
});

describe('parquetFeature: foreign properties', () => {
  const keysOf = (o: Record<string, unknown>) => Object.keys(parquetFeature(o, [], true, undefined).properties);
  it('reads a column per key in order, leaving out the keys a row does not have', () => {
    const back = parquetFeature({ 'extra.b': '2', 'extra.a': null, 'extra.c': '3', extra_json: null }, [], true, undefined);
    expect(back.properties).toEqual({ b: '2', c: '3' });
    expect(keysOf({ 'extra.b': '2', 'extra.a': null, 'extra.c': '3' })).toEqual(['b', 'c']);
    expect(keysOf({ 'extra.__proto__': 'kept' })).toEqual(['__proto__']);
  });

  it('reads a row kept as JSON text with its own values and order, as a dataset built before kept every row', () => {
    expect(parquetFeature({ 'extra.a': null, extra_json: '{"z":null,"y":[1]}' }, [], true, undefined).properties).toEqual({ z: null, y: [1] });
    expect(keysOf({ extra: '{"z":1,"__proto__":"kept","y":2}' })).toEqual(['z', '__proto__', 'y']);
  });

  it('takes a column named like one of ours as a field in a file not of ours', () => {
    const o = { 'extra.a': 'x', extra_json: '{"z":1}' };
    expect(parquetFeature(o, fieldColumns(Object.keys(o), false), false, undefined).properties).toEqual(o);
    expect(fieldColumns(['id', 'extra.a', 'extra_json', 'lon', 'title'], true)).toEqual(['id', 'title']);
  });
});
