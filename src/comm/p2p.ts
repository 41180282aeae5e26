import { type Group, worldGroup } from '../parallel/groups.ts';
import { CommError } from './types.ts';

/**
 * Checks a point-to-point peer and returns the group the transfer belongs to (the world when
 * none is named): the peer must be another rank of the world, and both must be members.
 */
export function p2pGroup(dir: 'send' | 'recv', rank: number, peer: number, world: number, group?: Group): Group {
  const what = dir === 'send' ? `send from rank ${rank} to rank ${peer}` : `recv on rank ${rank} from rank ${peer}`;
  if (!Number.isInteger(peer) || peer < 0 || peer >= world) throw new CommError(`${what}: no such rank in a world of ${world} (ranks 0..${world - 1})`);
  if (peer === rank) throw new CommError(`${what}: a rank cannot ${dir === 'send' ? 'send to' : 'receive from'} itself; use the tensor directly`);
  const g = group ?? worldGroup(world);
  for (const member of [rank, peer]) {
    if (!g.ranks.includes(member)) throw new CommError(`${what}: rank ${member} is not a member of group ${g.name} [${g.ranks.join(',')}]`);
  }
  return g;
}
