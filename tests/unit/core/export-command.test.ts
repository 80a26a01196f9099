import { describe, expect, it } from 'vitest';
import { exportCommand, type ExportFilters } from '../../../src/core/export-command.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';
import { runExport } from '../../../src/cli/export.ts';

const filters = (over: Partial<ExportFilters> = {}): ExportFilters => ({
  days: { from: dayOfIsoDate('2020-01-01'), to: dayOfIsoDate('2020-01-31') },
  view: [-180, -90, 180, 90],
  categories: null,
  statuses: null,
  search: '',
  area: null,
  ...over,
});

/** The command's arguments after `--`, as a shell splits them: on spaces outside single quotes. */
const argv = (command: string) => Array.from(command.split(' -- ')[1].matchAll(/'([^']*)'|(\S+)/g), (m) => m[1] ?? m[2]);

describe('exportCommand', () => {
  it('leaves out --bbox for the whole world, and every toggle when all are on', () => {
    expect(exportCommand(filters(), 'geojson')).toEqual({ command: 'npm run export -- --dataset DIR --from 2020-01-01 --to 2020-01-31 --out export.geojson', unsupported: [] });
  });

  it('rounds the view outward to 4 decimals, so an incident on its edge is kept', () => {
    expect(exportCommand(filters({ view: [44.12341, 33.00001, 45.99999, 34.5] }), 'csv').command).toContain('--bbox 44.1234,33,46,34.5 --format csv --out export.csv');
  });

  it('keeps a view across the antimeridian as w > e, and clamps a wrapped one to the world', () => {
    expect(exportCommand(filters({ view: [170, -10, -170, 10] }), 'geojson').command).toContain('--bbox 170,-10,-170,10');
    expect(exportCommand(filters({ view: [-200, -95, 30, 95] }), 'geojson').command).toContain('--bbox -180,-90,30,90');
  });

  it('lists the toggles switched on in the vocabulary order', () => {
    const { command } = exportCommand(filters({ categories: new Set(['rocket attack', 'airstrike']), statuses: new Set(['disputed']) }), 'geojson');
    expect(command).toContain(`--category 'airstrike,rocket attack' --status disputed`);
    expect(exportCommand(filters({ categories: new Set(['other']) }), 'geojson').command).toContain('--category other --out');
  });

  it('names the search, the area and toggles all off, which the command line cannot carry', () => {
    expect(exportCommand(filters({ search: ' rocket ', area: {}, categories: new Set(), statuses: new Set() }), 'geojson')).toEqual({
      command: 'npm run export -- --dataset DIR --from 2020-01-01 --to 2020-01-31 --out export.geojson',
      unsupported: ['the search', 'the area', 'the category toggles (all off)', 'the status toggles (all off)'],
    });
  });

  it('writes arguments the command line accepts (only the placeholder folder is missing)', async () => {
    const { command } = exportCommand(filters({ view: [170, -10, -170, 10], categories: new Set(['protest/riot', 'drone strike']), statuses: new Set(['confirmed']) }), 'csv');
    const read = (path: string): Buffer => {
      throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
    };
    const run = runExport(argv(command), read, '0', new Date(0));
    // Parsed to the end: the first complaint is about reading the folder, not an argument.
    await expect(run).rejects.toThrow(/^--dataset: cannot read DIR\/manifest\.json/);
  });
});
