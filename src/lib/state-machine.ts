/**
 * One transition table per lifecycle, one `transition()` that refuses illegal moves
 * (as the Runtime Interface Emulator's InvalidStateTransition does).
 */
export class InvalidStateTransition extends Error {
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`State transition from ${from} to ${to} failed for ${machine}. Error: State transition is not allowed`);
    this.name = "InvalidStateTransition";
  }
}

export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export class StateMachine<S extends string> {
  constructor(
    private readonly name: string,
    private readonly table: TransitionTable<S>,
  ) {}

  canMove(from: S, to: S): boolean {
    return this.table[from].includes(to);
  }

  /** Returns `to` when the move is legal, throws InvalidStateTransition otherwise. */
  move(from: S, to: S): S {
    if (!this.table[from].includes(to)) throw new InvalidStateTransition(this.name, from, to);
    return to;
  }
}
