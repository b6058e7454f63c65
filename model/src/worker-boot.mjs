// Worker threads do not inherit tsx's loader hooks on Node 20 (`--import tsx` in execArgv is not
// enough), so each training worker registers tsx itself before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
