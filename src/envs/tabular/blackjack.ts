/**
 * Gymnasium's Blackjack-v1 with its registered defaults `sab=True, natural=False`: Sutton &
 * Barto's blackjack (Example 5.1), the classic Monte Carlo example.
 *
 * - Cards come from an infinite deck: 1 (ace) … 9 with probability 1/13 each, 10 with 4/13.
 * - Reset: the dealer gets two cards (one showing), then the player two.
 * - Actions: Discrete(2): 0 stick, 1 hit.
 * - Hit: the player draws; going over 21 ends the game with −1.
 * - Stick: the dealer draws until their sum is 17 or more (standing on a soft 17), then the
 *   higher score wins (+1 / −1), equal scores draw (0); a bust dealer loses. Sutton & Barto's
 *   rule (`sab`): a player natural (ace + ten in two cards) wins +1 unless the dealer also has
 *   one. A natural pays +1, not 1.5.
 * - An ace counts 11 while that keeps the sum at or under 21 (a "usable" ace).
 * - Observation: Gymnasium's tuple (player sum 0–31, dealer showing card 1–10, usable ace 0/1) as
 *   one Discrete(704) index, `(playerSum · 11 + dealerCard) · 2 + usableAce`
 *   (`encodeBlackjack` / `decodeBlackjack`). After a stick the observation does not change;
 *   after a bust it shows the bust sum.
 * - No time limit (a game ends within a few cards).
 *
 * The explicit MDP: whether the player holds a natural changes what sticking pays, and the
 * observation does not show it (a soft 21 of three cards looks the same). So the MDP has the 704
 * observation states plus 10 hidden ones, `BLACKJACK_NATURAL + (dealer card − 1)`, for "natural
 * in hand"; the env reports them as the observation (21, card, 1). States that cannot occur
 * (sums under 4, a dealer card 0, a usable ace under 12) and bust states are absorbing terminals.
 * Sticking ends the game in the same state with the reward drawn from the dealer's outcome
 * distribution given the showing card (exact, by enumeration).
 *
 * Version history: v1 as Gymnasium's Blackjack-v1 (sab=True).
 */
import { Rng } from '../../core/rng.ts';
import { Discrete } from '../../core/spaces.ts';
import { UsageError } from '../../core/errors.ts';
import type { RenderFrame } from '../../core/frame.ts';
import type { Env, ResetResult, StepResult } from '../env.ts';
import { TabularFrame } from './frame.ts';
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import type { SettableStateEnv } from './tabular-env.ts';

/** Card values 1 … 10 as Gymnasium's deck lists them: 10 four times (10, J, Q, K). */
const DECK = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10] as const;
const cardProbability = (c: number) => (c === 10 ? 4 / 13 : 1 / 13);
const CARDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export const BLACKJACK_OBSERVATIONS = 32 * 11 * 2;
/** First of the 10 hidden "natural in hand" states (one per dealer card). */
export const BLACKJACK_NATURAL = BLACKJACK_OBSERVATIONS;
const NUM_STATES = BLACKJACK_OBSERVATIONS + 10;
export const STICK = 0;
export const HIT = 1;

export function encodeBlackjack(playerSum: number, dealerCard: number, usableAce: boolean | number): number {
  return (playerSum * 11 + dealerCard) * 2 + (usableAce ? 1 : 0);
}

export function decodeBlackjack(index: number): { playerSum: number; dealerCard: number; usableAce: boolean } {
  if (index >= BLACKJACK_NATURAL) return { playerSum: 21, dealerCard: index - BLACKJACK_NATURAL + 1, usableAce: true };
  return { playerSum: Math.floor(index / 22), dealerCard: Math.floor(index / 2) % 11, usableAce: index % 2 === 1 };
}

/** The observation a state shows (the hidden natural states show as (21, card, usable ace)). */
export function blackjackObservation(state: number): number {
  return state >= BLACKJACK_NATURAL ? encodeBlackjack(21, state - BLACKJACK_NATURAL + 1, true) : state;
}

/** A hand as the numbers that matter: the sum counting aces as 1, and whether it holds an ace. */
const handSum = (raw: number, hasAce: boolean) => (hasAce && raw + 10 <= 21 ? raw + 10 : raw);

/**
 * Where the dealer ends given the showing card: `final[k]` for k = 17 … 21, `bust`, and
 * `natural` (the two cards are ace + ten; counted in final[21] too).
 */
export function dealerOutcomes(showing: number): { final: Float64Array; bust: number; natural: number } {
  const final = new Float64Array(22);
  let bust = 0;
  const play = (raw: number, hasAce: boolean, p: number) => {
    const sum = handSum(raw, hasAce);
    if (raw > 21) bust += p;
    else if (sum >= 17) final[sum]! += p;
    else for (const c of CARDS) play(raw + c, hasAce || c === 1, p * cardProbability(c));
  };
  let natural = 0;
  for (const hidden of CARDS) {
    const p = cardProbability(hidden);
    if ((showing === 1 && hidden === 10) || (showing === 10 && hidden === 1)) natural += p;
    play(showing + hidden, showing === 1 || hidden === 1, p);
  }
  return { final, bust, natural };
}

function isPossible(playerSum: number, dealerCard: number, usableAce: boolean): boolean {
  return dealerCard >= 1 && playerSum >= 4 && playerSum <= 21 && (!usableAce || playerSum >= 12);
}

export function blackjack(): TabularProblem {
  const dealer = CARDS.map((d) => dealerOutcomes(d));
  /** Probabilities that sticking wins, draws and loses. */
  const stickOutcomes = (playerScore: number, dealerCard: number, natural: boolean): [number, number, number] => {
    const o = dealer[dealerCard - 1]!;
    if (natural) return [1 - o.natural, o.natural, 0];
    let win = o.bust;
    for (let k = 17; k < playerScore; k++) win += o.final[k]!;
    const draw = playerScore >= 17 ? o.final[playerScore]! : 0;
    return [win, draw, 1 - win - draw];
  };
  const hit = (playerSum: number, dealerCard: number, usableAce: boolean): Transition[] =>
    CARDS.map((c): Transition => {
      const raw = (usableAce ? playerSum - 10 : playerSum) + c;
      const hasAce = usableAce || c === 1;
      const sum = handSum(raw, hasAce);
      if (raw > 21) return [cardProbability(c), encodeBlackjack(raw, dealerCard, false), -1, true];
      return [cardProbability(c), encodeBlackjack(sum, dealerCard, sum !== raw), 0, false];
    });
  const mdp = mdpFromFunction(
    NUM_STATES,
    2,
    (s, a): Transition[] => {
      const { playerSum, dealerCard, usableAce } = decodeBlackjack(s);
      const natural = s >= BLACKJACK_NATURAL;
      if (!natural && !isPossible(playerSum, dealerCard, usableAce)) return [[1, s, 0, true]];
      if (a === HIT) return hit(playerSum, dealerCard, usableAce);
      // Sticking ends the game where it is: the terminal next state is the state itself.
      const [win, draw, lose] = stickOutcomes(playerSum, dealerCard, natural);
      const out: Transition[] = [
        [win, s, 1, true],
        [draw, s, 0, true],
        [lose, s, -1, true],
      ];
      return out.filter(([p]) => p > 0);
    },
    { source: 'Blackjack-v1' },
  );
  const initial = new Float64Array(NUM_STATES);
  for (const d of CARDS) {
    for (const c1 of CARDS) {
      for (const c2 of CARDS) {
        const p = cardProbability(d) * cardProbability(c1) * cardProbability(c2);
        const isNatural = (c1 === 1 && c2 === 10) || (c1 === 10 && c2 === 1);
        const hasAce = c1 === 1 || c2 === 1;
        const sum = handSum(c1 + c2, hasAce);
        initial[isNatural ? BLACKJACK_NATURAL + d - 1 : encodeBlackjack(sum, d, sum !== c1 + c2)]! += p;
      }
    }
  }
  // Exploring starts: every state where the player decides: Sutton & Barto's 200 (sum 12–21, usable
  // ace or not) and the 80 hard sums 4–11, where hitting is obviously right (the book leaves them
  // out by always hitting there; a greedy policy learned without them would stick on 5).
  const startStates: number[] = [];
  for (let sum = 4; sum <= 21; sum++) for (const d of CARDS) for (const ace of [0, 1]) if (isPossible(sum, d, ace === 1)) startStates.push(encodeBlackjack(sum, d, ace));
  return {
    id: 'Blackjack-v1',
    mdp,
    initial,
    gamma: 1,
    actionNames: ['stick', 'hit'],
    startStates,
    stateName: (s) => {
      const { playerSum, dealerCard, usableAce } = decodeBlackjack(s);
      return `player ${playerSum}${usableAce ? ' (usable ace)' : ''}, dealer ${dealerCard === 1 ? 'A' : dealerCard}${s >= BLACKJACK_NATURAL ? ', natural' : ''}`;
    },
    draw: drawBlackjack,
  };
}

/** Figure 5.2's layout: player sum 21 … 12 down, dealer card A … 10 across, one table per ace case. */
function drawBlackjack(values: Float64Array, policy: Int32Array): string {
  const out: string[] = [];
  for (const ace of [true, false]) {
    out.push(`${ace ? 'usable ace' : 'no usable ace'}: policy (S stick, H hit) and value; dealer showing A 2 … 10`);
    for (let sum = 21; sum >= 12; sum--) {
      const acts: string[] = [];
      const vals: string[] = [];
      for (const d of CARDS) {
        const s = encodeBlackjack(sum, d, ace);
        acts.push(policy[s] === HIT ? 'H' : 'S');
        vals.push(values[s]!.toFixed(2).padStart(6));
      }
      out.push(`${String(sum).padStart(3)}  ${acts.join(' ')}   ${vals.join('')}`);
    }
  }
  return out.join('\n');
}

/** The game itself, card by card, as Gymnasium plays it. */
export class BlackjackEnv implements Env<number, number>, SettableStateEnv {
  readonly id = 'Blackjack-v1';
  readonly observationSpace = new Discrete(BLACKJACK_OBSERVATIONS);
  readonly actionSpace = new Discrete(2);
  private readonly rng = new Rng(0);
  // The hands, as the numbers the rules read (no per-step arrays).
  private playerRaw = 0;
  private playerAce = false;
  private playerNatural = false;
  private dealerShowing = 0;
  private dealerHidden = 0;
  private started = false;
  private cards = 0;
  private frames: TabularFrame | undefined;

  private drawCard(): number {
    return DECK[this.rng.int(DECK.length)]!;
  }

  private observe(): number {
    return encodeBlackjack(handSum(this.playerRaw, this.playerAce), this.dealerShowing, this.playerAce && this.playerRaw + 10 <= 21);
  }

  reset(options?: { seed?: number }): ResetResult<number> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    this.dealerShowing = this.drawCard();
    this.dealerHidden = this.drawCard();
    const c1 = this.drawCard();
    const c2 = this.drawCard();
    this.playerRaw = c1 + c2;
    this.playerAce = c1 === 1 || c2 === 1;
    this.playerNatural = this.playerAce && this.playerRaw === 11;
    this.started = true;
    this.cards = 2;
    return { obs: this.observe(), info: {} };
  }

  step(action: number): StepResult<number> {
    if (!this.started) throw new UsageError(`${this.id}: call reset() before step()`);
    if (action === HIT) {
      const c = this.drawCard();
      this.playerRaw += c;
      this.playerAce ||= c === 1;
      this.playerNatural = false;
      this.cards++;
      const bust = this.playerRaw > 21;
      return { obs: this.observe(), reward: bust ? -1 : 0, terminated: bust, truncated: false, info: {} };
    }
    let dealerRaw = this.dealerShowing + this.dealerHidden;
    let dealerAce = this.dealerShowing === 1 || this.dealerHidden === 1;
    const dealerNatural = dealerAce && dealerRaw === 11;
    while (handSum(dealerRaw, dealerAce) < 17) {
      const c = this.drawCard();
      dealerRaw += c;
      dealerAce ||= c === 1;
    }
    const playerScore = handSum(this.playerRaw, this.playerAce);
    const dealerScore = dealerRaw > 21 ? 0 : handSum(dealerRaw, dealerAce);
    let reward = Math.sign(playerScore - dealerScore);
    if (this.playerNatural && !dealerNatural) reward = 1;
    return { obs: this.observe(), reward, terminated: true, truncated: false, info: {} };
  }

  /**
   * Deals a hand that shows observation `s` (for exploring starts; the dealer's hidden card is
   * drawn). A usable-ace 21 is dealt as three cards, so it is not a natural.
   */
  setState(s: number): void {
    const { playerSum, dealerCard, usableAce } = decodeBlackjack(s);
    if (s >= BLACKJACK_NATURAL || !isPossible(playerSum, dealerCard, usableAce)) throw new RangeError(`${this.id}: cannot deal observation ${s}`);
    this.playerRaw = usableAce ? playerSum - 10 : playerSum;
    this.playerAce = usableAce;
    this.playerNatural = false;
    this.dealerShowing = dealerCard;
    this.dealerHidden = this.drawCard();
    this.started = true;
    this.cards = 2;
  }

  /** A ball on a track at the player's sum (0 … 31); time: one second per card. */
  frame(): RenderFrame {
    this.frames ??= TabularFrame.track();
    return this.frames.frame(handSum(this.playerRaw, this.playerAce) / 31, this.cards);
  }

  close(): void {}
}

registerTabular({
  id: 'Blackjack-v1',
  description: "Gymnasium's Blackjack-v1 with Sutton & Barto's rules (Example 5.1): infinite deck, natural pays +1",
  build: blackjack,
  createEnv: () => new BlackjackEnv(),
  module: import.meta.url,
});
