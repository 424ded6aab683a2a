// The last step of loading: src/format.ts (or src/hnswlib.ts) has written the state
// record, called restoreLayout() and copied every region in; this checks the whole
// structure before anything follows a link, and rebuilds the id table. Called by
// index.ts restoreState().

import { Integrity } from '../src/abi';
import { checkIntegrity } from './integrity';
import { quantizerProblem } from './storage';
import { rebuildIdTable } from './idmap';

/** Integrity.OK, or the first problem found in the loaded index. */
export function restoreState(): i32 {
  let problem = quantizerProblem();
  if (problem != Integrity.OK) return problem;
  problem = checkIntegrity(false);
  if (problem != Integrity.OK) return problem;
  return rebuildIdTable() ? Integrity.OK : Integrity.DUPLICATE_ID;
}
