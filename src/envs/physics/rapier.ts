/**
 * The one place Rapier is loaded. `@dimforge/rapier3d-compat` carries its WASM inlined and needs
 * an async `init()` once per thread; doing it here with top-level await means any module that
 * imports `RAPIER` from this file can build worlds synchronously, so `make()` stays synchronous.
 */
import RAPIER from '@dimforge/rapier3d-compat';

await RAPIER.init();

export { RAPIER };
export type World = InstanceType<typeof RAPIER.World>;
