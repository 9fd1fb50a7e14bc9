/** The viewer's server side: what the CLI and library users need to show things live. */
export { startViewerServer, isLoopbackHost, DEFAULT_HOST, DEFAULT_PORT, type ViewerServer, type ViewerServerOptions } from './server.ts';
export { ViewerHub, Channel, type ChannelOptions, type PublishOptions, type HubStats } from './hub.ts';
export { DEFAULT_CLIENT_LIMITS, type ClientLimits } from './client-connection.ts';
export { EnvPlayer, type EnvPlayerOptions } from './sources/env-player.ts';
export { makePolicy, randomPolicy, hasHeuristic, POLICY_NAMES, type Policy, type PolicyName } from './sources/policies.ts';
export { footprint, sideBySide, type Footprint } from './sources/layout.ts';
export { addEnvSources, layoutEnvSources, addClipSources, availableShowcase, availableShowcaseClips, SHOWCASE_ENVS, type EnvSourceOptions, type ClipSourceOptions } from './sources/showcase.ts';
export { ClipPlayer, type ClipPlayerOptions } from './sources/clip-player.ts';
export { splitGhost, GHOST_PREFIX } from './sources/ghost-split.ts';
export { Probe } from './probe.ts';
export { clientBundle } from './bundle.ts';
