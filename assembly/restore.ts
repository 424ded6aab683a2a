// The last step of loading: src/format.ts (or src/hnswlib.ts) has written the state
// record, called restoreLayout() and copied every region in; this checks the whole
// structure before anything follows a link, and rebuilds the id table. Called by
// index.ts restoreState().

import { Integrity, Region, State } from '../src/abi';
import { regionStart } from './layout';
import { count, setStateWord, stateWord } from './state';
import { checkIntegrity } from './integrity';
import { ivf, quantizerProblem } from './storage';
import { restoreLists } from './ivf';
import { rebuildIdTable } from './idmap';

/** Integrity.OK, or the first problem found in the loaded index. */
export function restoreState(): i32 {
  if (stateWord(State.LABELS_ARE_SLOTS) != 0) { // the file left the labels out: each is its slot
    let labels = regionStart(Region.LABELS);
    for (let slot: u32 = 0, n = count(); slot < n; slot++) store<u32>(labels + (<usize>slot << 2), slot);
    setStateWord(State.LABELS_ARE_SLOTS, 0);
  }
  let problem = quantizerProblem();
  if (problem != Integrity.OK) return problem;
  if (ivf) restoreLists(regionStart(Region.QUANTIZER)); // where each code is, before integrity.ts reads them
  problem = checkIntegrity(false);
  if (problem != Integrity.OK) return problem;
  return rebuildIdTable() ? Integrity.OK : Integrity.DUPLICATE_ID;
}
