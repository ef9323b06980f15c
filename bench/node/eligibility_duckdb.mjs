// bench/eligibility's DuckDB baseline (bench/eligibility_bench.cc runs it): loads the members CSV
// into an in-memory DuckDB table (timed apart, not counted), then runs each query `reps` times and
// prints one JSON object with the best time and the first row of each result.
//
//   node eligibility_duckdb.mjs MEMBERS.csv THREADS REPS SQL...
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, threads, reps, ...queries] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const connection = await instance.connect();
const loadStart = performance.now();
await connection.run(
  `CREATE TABLE members AS SELECT * FROM read_csv('${csv.replaceAll("'", "''")}', header = false, ` +
  `columns = {'household': 'INTEGER', 'dob': 'DATE', 'is_government_pensioner': 'BOOLEAN', ` +
  `'income_annual': 'BIGINT', 'residence': 'VARCHAR'})`);
const loadMs = performance.now() - loadStart;
const results = [];
for (const sql of queries) {
  let best = Infinity;
  let row = null;
  for (let i = 0; i < Number(reps); ++i) {
    const start = performance.now();
    const reader = await connection.runAndReadAll(sql);
    const ms = performance.now() - start;
    row = reader.getRowsJS()[0].map((v) => (v === null ? null : v.toString()));
    best = Math.min(best, ms);
  }
  results.push({ ms: best, row });
}
const version = (await connection.runAndReadAll('SELECT version()')).getRowsJS()[0][0];
console.log(JSON.stringify({ version, load_ms: loadMs, results }));
