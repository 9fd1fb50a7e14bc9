/**
 * Default aggregations for the classic-control envs: which features to bin, over what range, how
 * finely. Ranges cover where episodes spend their time (CartPole ends at |x| > 2.4 m and
 * |θ| > 0.21 rad, so finer bins there buy nothing); `bins` can be overridden.
 */
import { ValidationError } from '../../core/errors.ts';
import { angleOf, StateAggregation, type AggregationSpec } from './state-aggregation.ts';

const PRESETS: Record<string, AggregationSpec> = {
  'CartPole-v1': {
    names: ['x (m)', 'ẋ (m/s)', 'θ (rad)', 'θ̇ (rad/s)'],
    low: [-2.4, -3, -0.21, -3.5],
    high: [2.4, 3, 0.21, 3.5],
    bins: [3, 3, 6, 6],
  },
  'Pendulum-v1': {
    names: ['θ (rad)', 'θ̇ (rad/s)'],
    low: [-Math.PI, -8],
    high: [Math.PI, 8],
    bins: [21, 21],
    features: (obs, out) => {
      out[0] = angleOf(obs[0]!, obs[1]!);
      out[1] = obs[2]!;
    },
  },
  'Acrobot-v1': {
    names: ['θ1 (rad)', 'θ2 (rad)', 'θ̇1 (rad/s)', 'θ̇2 (rad/s)'],
    low: [-Math.PI, -Math.PI, -4 * Math.PI, -9 * Math.PI],
    high: [Math.PI, Math.PI, 4 * Math.PI, 9 * Math.PI],
    bins: [6, 6, 5, 5],
    features: (obs, out) => {
      out[0] = angleOf(obs[0]!, obs[1]!);
      out[1] = angleOf(obs[2]!, obs[3]!);
      out[2] = obs[4]!;
      out[3] = obs[5]!;
    },
  },
};

export function aggregationPresetIds(): string[] {
  return Object.keys(PRESETS).sort();
}

/** The preset aggregation of an env, with `bins` overriding the preset's. */
export function presetAggregation(envId: string, bins?: readonly number[]): StateAggregation {
  const preset = PRESETS[envId];
  if (!preset) throw new ValidationError('discretization', [{ path: 'env', message: `no preset for '${envId}'; presets: ${aggregationPresetIds().join(', ')} (or build a StateAggregation yourself)` }]);
  if (bins && bins.length !== preset.bins.length) {
    throw new ValidationError('discretization', [{ path: 'bins', message: `${envId} bins ${preset.names.join(', ')}: give ${preset.bins.length} numbers, got ${bins.length}` }]);
  }
  return new StateAggregation({ ...preset, bins: bins ?? preset.bins });
}
