import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnknownIdError } from '../../src/core/errors.ts';
import { agentDefinition, agentNames } from '../../src/agents/index.ts';

test('the four agents are registered; an unknown name lists them', () => {
  assert.equal(agentNames(), ['dqn', 'reinforce', 'a2c', 'ppo']);
  assert.is(agentDefinition('ppo').name, 'ppo');
  try {
    agentDefinition('sac');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UnknownIdError);
    assert.match((err as Error).message, /unknown agent 'sac'\. Known agents: dqn, reinforce, a2c, ppo/);
  }
});

test('every env default validates against its agent schema', () => {
  for (const name of agentNames()) {
    const def = agentDefinition(name);
    for (const [env, values] of Object.entries(def.envDefaults)) {
      const r = def.schema.safeParse(values);
      assert.ok(r.success, `${name} defaults for ${env}: ${r.success ? '' : JSON.stringify(r.error.issues)}`);
    }
  }
});

test.run();
