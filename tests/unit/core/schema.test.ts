import { describe, expect, it } from 'vitest';
import { validateCollection, validateFeature, formatIssue } from '../../../src/core/schema.ts';
import { feature } from '../../fixtures/incident.ts';

const fieldsOf = (f: unknown) => validateFeature(f, 3).issues.map((i) => i.field);

describe('validateFeature', () => {
  it('accepts a complete incident and turns times and position into numbers', () => {
    const { incident, issues } = validateFeature(feature(), 0);
    expect(issues).toEqual([]);
    expect(incident).toMatchObject({ id: 'test-1', lon: 44.2842, lat: 35.5125, start: Date.UTC(2019, 11, 27, 16, 20) });
  });
  it('reports the feature index and field of every problem', () => {
    const issues = validateFeature(feature({ category: 'bombing' as never, killed: { min: 5, max: 2 } }), 3).issues;
    expect(issues).toEqual([
      { index: 3, field: 'category', reason: expect.stringContaining('must be one of') },
      { index: 3, field: 'killed.max', reason: 'must be ≥ min (5)' },
    ]);
  });
  it('rejects a start without an offset', () => {
    expect(fieldsOf(feature({ start: '2019-12-27T19:20:00' }))).toEqual(['start']);
  });
  it('rejects an impossible date rather than shifting it', () => {
    expect(validateFeature(feature({ start: '2019-02-30T10:00:00+03:00' }), 0).issues[0].reason).toBe('impossible date or time: 2019-02-30T10:00:00+03:00');
  });
  it('rejects an end before the start', () => {
    expect(fieldsOf(feature({ end: '2019-12-26T19:20:00+03:00' }))).toEqual(['end']);
  });
  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'vbscript:msgbox', '/relative', 'ftp://x.org/'])(
    'rejects the source link %s',
    (url) => {
      expect(fieldsOf(feature({ sources: [{ title: 't', publisher: 'p', url, published: null }] }))).toEqual(['sources[0].url']);
    },
  );
  it('requires at least one source', () => {
    expect(fieldsOf(feature({ sources: [] }))).toEqual(['sources']);
  });
  it('reports null geometry as "no location"', () => {
    expect(validateFeature({ ...feature(), geometry: null }, 0).issues[0]).toMatchObject({ field: 'geometry', reason: 'no location (null geometry)' });
  });
  it('reports a Feature.id that contradicts properties.id', () => {
    expect(fieldsOf({ ...feature(), id: 'other' })).toEqual(['id']);
  });
  it('does not throw on non-objects', () => {
    for (const v of [null, 1, 'x', [], { type: 'Feature' }]) expect(() => validateFeature(v, 0)).not.toThrow();
  });
  it('treats __proto__ and constructor keys as plain extra properties', () => {
    const f = feature();
    const props = JSON.parse(JSON.stringify(f.properties).replace(/^\{/, '{"__proto__":{"polluted":1},"constructor":"x",'));
    const { incident } = validateFeature({ ...f, properties: props }, 0);
    expect(incident).toBeDefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validateCollection', () => {
  it('keeps the valid features when others fail', () => {
    const r = validateCollection({ type: 'FeatureCollection', features: [feature({ id: 'a' }), { type: 'Feature', geometry: null, properties: {} }, feature({ id: 'b' })] });
    expect(r.incidents.map((i) => i.id)).toEqual(['a', 'b']);
    expect(new Set(r.issues.map((i) => i.index))).toEqual(new Set([1]));
  });
  it('rejects a duplicate id and keeps the first', () => {
    const r = validateCollection({ type: 'FeatureCollection', features: [feature({ id: 'a' }), feature({ id: 'a', title: 'second' })] });
    expect(r.incidents).toHaveLength(1);
    expect(r.issues).toEqual([{ index: 1, field: 'id', reason: 'duplicate id "a"' }]);
  });
  it('reports a relation to a missing incident', () => {
    const r = validateCollection({ type: 'FeatureCollection', features: [feature({ related: [{ type: 'followed by', id: 'ghost' }] })] });
    expect(r.issues).toEqual([{ index: 0, field: 'related[0].id', reason: 'no incident has id "ghost"' }]);
  });
  it('refuses a 2008-style crs with a clear reason', () => {
    const r = validateCollection({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'EPSG:3857' } }, features: [] });
    expect(r.issues[0].reason).toContain('not RFC 7946');
  });
  it('formats an issue with file, index, field and reason', () => {
    expect(formatIssue({ index: 2, field: 'start', reason: 'is wrong' }, 'data/x.geojson')).toBe('data/x.geojson: feature 2, start: is wrong');
  });
});
