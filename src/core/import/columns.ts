// Which columns hold what. ACLED exports are recognised by their column names; other tables
// by common names for latitude, longitude and date. When a role has no candidate or several,
// the importer asks the user (the mapping step) instead of guessing.

export type Role = 'lat' | 'lon' | 'date' | 'id' | 'title';

/** Column index per role; -1 when absent (only lat, lon and date are required). */
export type Mapping = Record<Role, number>;

const NAMES: Record<Role, string[]> = {
  lat: ['latitude', 'lat', 'y', 'lat_dd', 'decimal_latitude'],
  lon: ['longitude', 'lon', 'lng', 'long', 'x', 'lon_dd', 'decimal_longitude'],
  date: ['event_date', 'date', 'start', 'datetime', 'timestamp', 'time', 'event_time', 'occurred_at'],
  id: ['event_id_cnty', 'id', 'event_id', 'uid', 'uuid'],
  title: ['title', 'name', 'headline', 'event'],
};

export const ACLED_COLUMNS = ['event_id_cnty', 'event_date', 'event_type', 'sub_event_type', 'latitude', 'longitude'] as const;

const normalise = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_');

export function isAcled(headers: readonly string[]): boolean {
  const set = new Set(headers.map(normalise));
  return ACLED_COLUMNS.every((c) => set.has(c));
}

export interface Detection {
  mapping: Mapping;
  /** Roles (lat, lon, date) with no candidate or more than one equally likely. */
  ambiguous: Role[];
}

/** Finds each role's column: an exact name in priority order wins; several equal matches are ambiguous. */
export function detectColumns(headers: readonly string[]): Detection {
  const names = headers.map(normalise);
  const mapping = { lat: -1, lon: -1, date: -1, id: -1, title: -1 } as Mapping;
  const ambiguous: Role[] = [];
  for (const role of Object.keys(NAMES) as Role[]) {
    for (const candidate of NAMES[role]) {
      const hits = names.flatMap((n, i) => (n === candidate ? [i] : []));
      if (hits.length === 0) continue;
      mapping[role] = hits[0];
      if (hits.length > 1) ambiguous.push(role);
      break;
    }
    if (mapping[role] === -1 && (role === 'lat' || role === 'lon' || role === 'date')) ambiguous.push(role);
  }
  return { mapping, ambiguous };
}
