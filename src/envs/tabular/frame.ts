/**
 * What the viewer draws for a tabular env: grid worlds as a floor of tiles (coloured by their
 * letter: start, goal, hole, cliff, terminal) with the agent as a ball on its cell; other problems
 * as a track with the ball at a position the problem gives (the gambler's capital, the
 * blackjack player's sum). One metre per cell, x to the right, z down the rows, y up.
 */
import type { BodySpec, RenderFrame, SceneSpec } from '../../core/frame.ts';
import type { GridLayout } from './problem.ts';

const TILE_COLORS: Record<string, string> = {
  S: '#6abf69',
  G: '#f2c14e',
  H: '#1d3557',
  C: '#7f4f24',
  T: '#9e9e9e',
  A: '#e76f51',
  B: '#2a9d8f',
  R: '#d62828',
  Y: '#ffd60a',
};
const PLAIN_TILE = '#dbe9f4';
const AGENT_COLOR = '#e63946';
const TRACK_LENGTH_M = 10;

/** A frame with a fixed scene whose last body (the agent ball) moves. */
export class TabularFrame {
  private readonly scene: SceneSpec;
  private readonly transforms: Float32Array;

  private constructor(
    bodies: BodySpec[],
    positions: number[][],
    private readonly place: (at: number, out: Float32Array, offset: number) => void,
  ) {
    this.scene = { bodies };
    this.transforms = new Float32Array(bodies.length * 7);
    positions.forEach((p, i) => this.transforms.set([p[0]!, p[1]!, p[2]!, 0, 0, 0, 1], i * 7));
  }

  /** Tiles for each cell of a grid; `at` in `frame()` is the agent's cell. */
  static grid(grid: GridLayout): TabularFrame {
    const bodies: BodySpec[] = [];
    const positions: number[][] = [];
    for (let cell = 0; cell < grid.rows * grid.cols; cell++) {
      const letter = grid.cells[cell] ?? '.';
      bodies.push({ name: `cell ${cell} ${letter}`, shape: 'box', size: [0.47, 0.05, 0.47], color: TILE_COLORS[letter.toUpperCase()] ?? PLAIN_TILE });
      positions.push([cell % grid.cols, 0, Math.floor(cell / grid.cols)]);
    }
    bodies.push({ name: 'agent', shape: 'sphere', size: [0.3], color: AGENT_COLOR });
    positions.push([0, 0.35, 0]);
    return new TabularFrame(bodies, positions, (cell, out, o) => {
      out[o] = cell % grid.cols;
      out[o + 2] = Math.floor(cell / grid.cols);
    });
  }

  /** A track; `at` in `frame()` is a fraction 0 … 1 along it. */
  static track(): TabularFrame {
    const bodies: BodySpec[] = [
      { name: 'track', shape: 'box', size: [TRACK_LENGTH_M / 2, 0.05, 0.3], color: PLAIN_TILE },
      { name: 'agent', shape: 'sphere', size: [0.3], color: AGENT_COLOR },
    ];
    return new TabularFrame(
      bodies,
      [
        [TRACK_LENGTH_M / 2, 0, 0],
        [0, 0.35, 0],
      ],
      (fraction, out, o) => {
        out[o] = fraction * TRACK_LENGTH_M;
      },
    );
  }

  /** The frame with the agent at `at` (a cell or a track fraction). */
  frame(at: number, time: number): RenderFrame {
    this.place(at, this.transforms, (this.scene.bodies.length - 1) * 7);
    return { scene: this.scene, transforms: this.transforms, time };
  }
}
