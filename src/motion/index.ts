/** Public surface of the motion room: skeletons, clips, file formats, kinematics. */
export * from './skeleton.ts';
export * from './clip.ts';
export * from './rotation.ts';
export * from './data-path.ts';
export * from './deepmimic-character.ts';
export * from './deepmimic-controller.ts';
export * from './deepmimic-motion.ts';
export * from './sample.ts';
export * from './kinematics.ts';
export * from './velocity.ts';
export * from './resample.ts';
export * from './mirror.ts';
export * from './bvh.ts';
export * from './warnings.ts';
export * from './file-errors.ts';
export * from './retarget.ts';
