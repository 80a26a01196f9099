// The build-dataset benchmark's two halves (see README.md here, "Preparing a dataset"):
//   node tests/bench/dataset.mjs synth N FILE      seeded ACLED-style CSV, N rows over 24 months and the world
//   node tests/bench/dataset.mjs duckdb FILE DIR   the baseline: DuckDB alone reads the CSV and writes Parquet
//                                                  by month, sorted — no validation, no geometry, no overviews
import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const [mode, a, b] = process.argv.slice(2);

if (mode === 'synth') {
  const n = Number(a);
  const random = mulberry32(17);
  const lines = ['event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities'];
  for (let i = 0; i < n; i++) {
    const month = Math.floor(random() * 24);
    const year = 2020 + Math.floor(month / 12);
    const lat = (random() * 140 - 70).toFixed(4);
    const lon = (random() * 360 - 180).toFixed(4);
    lines.push(`X${i},${1 + Math.floor(random() * 28)} ${MONTHS[month % 12]} ${year},${year},1,Battles,Armed clash,Actor ${i % 97},Actor ${i % 89},Country ${i % 50},Region ${i % 300},Place ${i % 5000},${lat},${lon},${1 + (i % 3)},Local source; Another source,"Clashes reported near the town, with ${i % 7} casualties.",${i % 5}`);
  }
  writeFileSync(b, lines.join('\n') + '\n');
} else if (mode === 'duckdb') {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT *, strftime(strptime(event_date, '%d %B %Y'), '%Y-%m') AS month FROM read_csv('${a}') ORDER BY month, latitude, longitude)
    TO '${b}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE)`);
} else {
  process.stderr.write('usage: node tests/bench/dataset.mjs synth N FILE | duckdb FILE DIR\n');
  process.exitCode = 2;
}
