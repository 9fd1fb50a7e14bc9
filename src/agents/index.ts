/** The agents room: one file per algorithm, and the registry the train room and the CLI use. */
import { UnknownIdError } from '../core/errors.ts';
import type { AgentDefinition } from './agent.ts';
import { a2c } from './a2c.ts';
import { dqn } from './dqn.ts';
import { ppo } from './ppo.ts';
import { reinforce } from './reinforce.ts';

export * from './agent.ts';
export { dqn, dqnSchema, type DqnConfig } from './dqn.ts';
export { reinforce, reinforceSchema, type ReinforceConfig } from './reinforce.ts';
export { a2c, a2cSchema, type A2cConfig } from './a2c.ts';
export { ppo, ppoSchema, type PpoConfig } from './ppo.ts';

const definitions: AgentDefinition[] = [dqn, reinforce, a2c, ppo];

export function agentNames(): string[] {
  return definitions.map((d) => d.name);
}

export function agentDefinition(name: string): AgentDefinition {
  const d = definitions.find((x) => x.name === name);
  if (!d) throw new UnknownIdError('agent', name, agentNames());
  return d;
}
