// Imported incidents arrive on the page as fresh copies of every string: a structured clone
// does not share them, so a million ACLED rows bring a million copies of "Iraq", "Battles",
// "confirmed"… Interning replaces each repeated value with one shared instance, so the copies
// die young instead of filling the heap the page keeps. A field whose values turn out to be
// nearly all distinct (ids, notes) is left alone after `limit` of them: memory stays bounded.

import type { Incident } from './schema.ts';

export class Interner {
  /** Per field: its values seen so far, or null once it has too many to be worth sharing. */
  private readonly pools = new Map<string, Map<string, string> | null>();

  constructor(private readonly limit = 4096) {}

  string(field: string, value: string): string {
    let pool = this.pools.get(field);
    if (pool === null) return value;
    if (pool === undefined) {
      pool = new Map();
      this.pools.set(field, pool);
    }
    const shared = pool.get(value);
    if (shared !== undefined) return shared;
    if (pool.size >= this.limit) {
      this.pools.set(field, null);
      return value;
    }
    pool.set(value, value);
    return value;
  }

  /** Shares the incident's repeated strings, in place; its values and shape are unchanged. */
  incident(incident: Incident): Incident {
    incident.category = this.string('category', incident.category) as Incident['category'];
    incident.status = this.string('status', incident.status) as Incident['status'];
    const p = incident.properties as Record<string, unknown>;
    for (const key in p) {
      // "__proto__" as a field (an imported column) is left as it is: assigning it would set the prototype.
      if (key === '__proto__' || !Object.prototype.hasOwnProperty.call(p, key)) continue;
      const v = p[key];
      if (typeof v === 'string') p[key] = key === 'id' && v === incident.id ? incident.id : this.string(key, v);
    }
    const actors = incident.properties.actors;
    for (let k = 0; k < actors.length; k++) actors[k] = this.string('actors', actors[k]);
    return incident;
  }
}
