import { EngineSeq } from '../engine/sequence.ts';

/** A request inside the simulated engine: an engine sequence with its arrival and token times. */
export class SimRequest extends EngineSeq {
  /** Simulated seconds of the first and the latest generated token (−1: none yet). */
  firstToken = -1;
  lastToken = -1;

  constructor(
    id: number,
    readonly arrival: number,
    input: number,
    output: number,
    readonly replica: number,
    hashIds?: readonly number[],
  ) {
    super(id, input, output, hashIds);
  }
}
