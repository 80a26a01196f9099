// Worker threads of the command-line tools (build-dataset's CSV parts, export's segments).

import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module, as this one runs: through tsx's API. Node 20
 * does not hand `--import tsx` to a worker's own entry module.
 */
export function tsWorker(module: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(module.href)}, ${JSON.stringify(module.href)}))`;
  return new Worker(code, { eval: true, workerData, resourceLimits });
}
