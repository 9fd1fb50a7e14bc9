/** The cluster (NATS JetStream): a learner with many actors, sweeps over workers. See docs/cluster.md. */
export { clusterOptions, connectCluster, describeCluster, jobNames, type ClusterOptions, type ClusterFlags } from './connect.ts';
export { ClusterRollouts, clusterRolloutSource, type ClusterMode, type LearnerOptions } from './learner.ts';
export { runActor, type ActorOptions, type JobSpec } from './actor.ts';
export { expandSweep, parseSweepSpec, readSweepSpec, runWorker, submitSweep, sweepRecords, sweepSchema, fetchRunFolder, type RunRecord, type RunSpec, type SweepSpec, type WorkerOptions } from './sweep.ts';
export { decodeBatch, decodeCommand, encodeBatch, encodeCommand, PROTOCOL, type Batch, type BatchHeader, type RolloutCommand } from './wire.ts';
