// The last step of loading: src/format.ts (or src/hnswlib.ts) has written the state
// record, called restoreLayout() and copied every region in; this checks the whole
// structure before anything follows a link, and rebuilds the id table. Called by
// index.ts restoreState().

import { Integrity, Region } from '../src/abi';
import { regionStart } from './layout';
import { checkIntegrity } from './integrity';
import { ivf, quantizerProblem } from './storage';
import { restoreLists, settleLoadedLists } from './ivf';
import { ctx } from './context';
import { rebuildIdTable } from './idmap';

/** Integrity.OK, or the first problem found in the loaded index. */
export function restoreState(): i32 {
  let problem = quantizerProblem();
  if (problem != Integrity.OK) return problem;
  if (ivf && !restoreLists()) return Integrity.BAD_ROW; // where each code is, before integrity.ts reads them
  problem = checkIntegrity(false);
  if (problem != Integrity.OK) return problem;
  if (ivf) settleLoadedLists(regionStart(Region.QUANTIZER), ctx.prepared);
  return rebuildIdTable() ? Integrity.OK : Integrity.DUPLICATE_ID;
}
