// Where an import's accepted items go, wherever it runs: each incident's columns into a store
// builder and its item (CSV cells or a feature) into an encoded row batch, then the incident
// dies young. The import workers use it for every file; the page for the bundled dataset.

import { importGeoJson, rebuilder, type ImportOptions, type ImportResult, type OnAccept } from './index.ts';
import { StoreBuilder } from '../store-builder.ts';
import { RowEncoder, RowTable, type RowBatch } from '../table.ts';
import type { IncidentStore } from '../store.ts';

/** Accepted rows per batch. */
const BATCH = 4_096;

/** A batch is handed to `send` when full and on flush(). */
export class AcceptedRows {
  readonly builder = new StoreBuilder();
  private readonly encoder = new RowEncoder();

  constructor(private readonly send: (batch: RowBatch) => void) {}

  readonly onAccept: OnAccept = (item, index, incident) => {
    this.builder.addOne(incident);
    this.encoder.add(item, index, incident.id);
    if (this.encoder.size >= BATCH) this.flush();
  };

  /**
   * The importer options that send accepted rows here: incidents are not collected, and lack
   * the extra columns the page rebuilds from the rows.
   */
  get options(): ImportOptions {
    return { onAccept: this.onAccept, retain: false, extraColumns: false };
  }

  flush(): void {
    const batch = this.encoder.flush();
    if (batch) this.send(batch);
  }
}

/**
 * A GeoJSON text read where it is, into what the import worker hands the page for a file: the
 * result, and a table of rows with its store (null when nothing was accepted).
 */
export function importGeoJsonData(text: string): { result: ImportResult; data: { table: RowTable; store: IncidentStore } | null } {
  const batches: RowBatch[] = [];
  const accepted = new AcceptedRows((batch) => batches.push(batch));
  const result = importGeoJson(text, accepted.options);
  accepted.flush();
  if (result.fatal || accepted.builder.size === 0) return { result, data: null };
  return { result, data: { table: new RowTable(batches, rebuilder({ format: 'geojson' })), store: accepted.builder.build() } };
}
