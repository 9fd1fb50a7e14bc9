/**
 * The three.js world: ground, grid, lights with shadows, a camera with OrbitControls that follows
 * the selected body, and one group of meshes per channel built from its scene description.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { FLOATS_PER_BODY, type BodyDesc, type ChannelInfo } from '../protocol.ts';

export interface ChannelView {
  group: THREE.Group;
  meshes: THREE.Mesh[];
  /** Parent → child lines when the scene has a skeleton. */
  bones: THREE.LineSegments | null;
}

const SHADOW_HALF_EXTENT = 8;
const GRID_SIZE = 60;
/** Metres between the darker grid lines. */
const MAJOR_CELL = 5;

export class World {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private readonly sun: THREE.DirectionalLight;
  private readonly minorGrid: THREE.LineSegments;
  private readonly majorGrid: THREE.LineSegments;
  private readonly views = new Map<string, ChannelView>();
  private readonly followTarget = new THREE.Vector3();
  private readonly scratch = new THREE.Vector3();
  private followInitialised = false;
  showBones = true;

  constructor(container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = THREE.PCFShadowMap;
    // Filmic tone mapping keeps a sunlit ground from saturating to flat white, so shadows show.
    this.renderer.toneMapping = THREE.ACESFilmicToneMapping;
    this.renderer.toneMappingExposure = 0.9;
    container.appendChild(this.renderer.domElement);

    this.scene.background = new THREE.Color('#dfe7ef');
    this.scene.fog = new THREE.Fog('#dfe7ef', 15, GRID_SIZE / 2 + 5);

    this.camera = new THREE.PerspectiveCamera(45, 1, 0.05, 400);
    this.camera.position.set(3.5, 2.4, 6);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.set(0, 0.6, 0);
    this.controls.enableDamping = true;
    this.controls.maxPolarAngle = Math.PI * 0.495;

    this.scene.add(new THREE.HemisphereLight('#ffffff', '#8a8f99', 1.2));
    this.sun = new THREE.DirectionalLight('#ffffff', 2.0);
    this.sun.castShadow = true;
    this.sun.shadow.mapSize.set(1024, 1024);
    const sc = this.sun.shadow.camera;
    sc.left = -SHADOW_HALF_EXTENT;
    sc.right = SHADOW_HALF_EXTENT;
    sc.top = SHADOW_HALF_EXTENT;
    sc.bottom = -SHADOW_HALF_EXTENT;
    sc.near = 0.5;
    sc.far = 40;
    this.sun.shadow.bias = -0.0005;
    this.scene.add(this.sun, this.sun.target);

    const ground = new THREE.Mesh(new THREE.PlaneGeometry(400, 400), new THREE.MeshStandardMaterial({ color: '#eef0f3', roughness: 0.95 }));
    ground.rotation.x = -Math.PI / 2;
    ground.receiveShadow = true;
    this.scene.add(ground);
    // Grids of GRID_SIZE metres that move with the orbit target in whole cells, so the floor looks
    // endless and fades into the fog.
    this.minorGrid = makeGrid(GRID_SIZE, 1, '#b4bcc5');
    this.majorGrid = makeGrid(GRID_SIZE, MAJOR_CELL, '#8a939d');
    this.scene.add(this.minorGrid, this.majorGrid);
  }

  resize(width: number, height: number): void {
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / Math.max(1, height);
    this.camera.updateProjectionMatrix();
  }

  /** Builds (or rebuilds after a scene change) the meshes of a channel. */
  setChannel(info: ChannelInfo): ChannelView {
    this.removeChannel(info.id);
    const group = new THREE.Group();
    group.name = info.id;
    group.position.set(info.offset[0], info.offset[1], info.offset[2]);
    const meshes = info.scene.bodies.map((b) => {
      const mesh = new THREE.Mesh(geometryFor(b), materialFor(b, info.ghost));
      mesh.name = b.name;
      mesh.castShadow = !info.ghost;
      mesh.receiveShadow = !info.ghost;
      mesh.userData.body = true;
      group.add(mesh);
      return mesh;
    });
    let bones: THREE.LineSegments | null = null;
    const parents = info.scene.parents;
    if (parents && parents.some((p) => p >= 0)) {
      const pairs = parents.filter((p) => p >= 0).length;
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(pairs * 6), 3));
      bones = new THREE.LineSegments(geometry, new THREE.LineBasicMaterial({ color: info.ghost ? '#6b7c93' : '#2d3440', transparent: info.ghost, opacity: info.ghost ? 0.5 : 1 }));
      bones.frustumCulled = false;
      bones.visible = this.showBones;
      group.add(bones);
    }
    this.scene.add(group);
    const view = { group, meshes, bones };
    this.views.set(info.id, view);
    return view;
  }

  removeChannel(id: string): void {
    const v = this.views.get(id);
    if (!v) return;
    this.scene.remove(v.group);
    v.group.traverse((o) => {
      if (o instanceof THREE.Mesh || o instanceof THREE.LineSegments) {
        o.geometry.dispose();
        (o.material as THREE.Material).dispose();
      }
    });
    this.views.delete(id);
  }

  setVisible(id: string, visible: boolean): void {
    const v = this.views.get(id);
    if (v) v.group.visible = visible;
  }

  setBonesVisible(visible: boolean): void {
    this.showBones = visible;
    for (const v of this.views.values()) if (v.bones) v.bones.visible = visible;
  }

  /** Applies a pose (7 floats per body) to a channel's meshes. */
  applyPose(id: string, transforms: Float32Array, parents?: number[]): void {
    const v = this.views.get(id);
    if (!v) return;
    for (let i = 0; i < v.meshes.length; i++) {
      const o = i * FLOATS_PER_BODY;
      const m = v.meshes[i]!;
      m.position.set(transforms[o]!, transforms[o + 1]!, transforms[o + 2]!);
      m.quaternion.set(transforms[o + 3]!, transforms[o + 4]!, transforms[o + 5]!, transforms[o + 6]!);
    }
    if (v.bones && parents) {
      const attr = v.bones.geometry.getAttribute('position') as THREE.BufferAttribute;
      const arr = attr.array as Float32Array;
      let k = 0;
      for (let i = 0; i < parents.length; i++) {
        const p = parents[i]!;
        if (p < 0) continue;
        for (let c = 0; c < 3; c++) {
          arr[k + c] = transforms[p * FLOATS_PER_BODY + c]!;
          arr[k + 3 + c] = transforms[i * FLOATS_PER_BODY + c]!;
        }
        k += 6;
      }
      attr.needsUpdate = true;
    }
  }

  /** World position of one body of a channel, or null. */
  bodyWorldPosition(id: string, body: number, out: THREE.Vector3): THREE.Vector3 | null {
    const v = this.views.get(id);
    const m = v?.meshes[body];
    if (!v || !m) return null;
    return out.copy(m.position).add(v.group.position);
  }

  /**
   * Moves the orbit target toward the followed body (smoothly) and carries the camera along by the
   * same amount, so the user's chosen angle and distance stay while the body walks away.
   */
  follow(id: string | null, body: number, dtSeconds: number): void {
    if (id === null || !this.bodyWorldPosition(id, body, this.scratch)) return;
    const desired = this.scratch;
    // Keep the view steady vertically: a bobbing torso should not shake the camera.
    desired.y = Math.max(0.3, desired.y * 0.5 + 0.3);
    if (!this.followInitialised) {
      this.followTarget.copy(desired);
      this.followInitialised = true;
    } else {
      this.followTarget.lerp(desired, 1 - Math.exp(-dtSeconds * 4));
    }
    const dx = this.followTarget.x - this.controls.target.x;
    const dy = this.followTarget.y - this.controls.target.y;
    const dz = this.followTarget.z - this.controls.target.z;
    this.controls.target.copy(this.followTarget);
    this.camera.position.x += dx;
    this.camera.position.y += dy;
    this.camera.position.z += dz;
  }

  /** Jumps the follow point (a new channel was selected). */
  resetFollow(): void {
    this.followInitialised = false;
  }

  render(): void {
    // Grid and shadows follow the orbit target, so they are there wherever the action is.
    const t = this.controls.target;
    const gx = Math.round(t.x / MAJOR_CELL) * MAJOR_CELL;
    const gz = Math.round(t.z / MAJOR_CELL) * MAJOR_CELL;
    this.minorGrid.position.set(gx, 0.002, gz);
    this.majorGrid.position.set(gx, 0.003, gz);
    this.sun.position.set(t.x + 6, t.y + 12, t.z + 4);
    this.sun.target.position.copy(t);
    this.controls.update();
    this.renderer.render(this.scene, this.camera);
  }

  /** Body meshes currently in the scene and shown (the page's debug hook reports it). */
  drawnBodies(): number {
    let n = 0;
    for (const v of this.views.values()) if (v.group.visible) n += v.meshes.length;
    return n;
  }
}

/**
 * A square grid of `size` metres with a line every `step` metres, each line cut into one-metre
 * segments. Long lines would be fewer vertices, but some WebGL implementations (SwiftShader, used
 * by headless browsers and machines without a GPU) drop or mis-fog a line whose far end is behind
 * the camera; short segments draw the same everywhere.
 */
function makeGrid(size: number, step: number, color: string): THREE.LineSegments {
  const half = size / 2;
  const lines = Math.floor(size / step) + 1;
  const positions = new Float32Array(lines * size * 2 * 2 * 3);
  let k = 0;
  for (let i = 0; i < lines; i++) {
    const c = -half + i * step;
    for (let j = 0; j < size; j++) {
      const a = -half + j;
      positions.set([c, 0, a, c, 0, a + 1, a, 0, c, a + 1, 0, c], k);
      k += 12;
    }
  }
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
  const grid = new THREE.LineSegments(geometry, new THREE.LineBasicMaterial({ color }));
  grid.frustumCulled = false;
  return grid;
}

function geometryFor(b: BodyDesc): THREE.BufferGeometry {
  const s = b.size;
  switch (b.shape) {
    case 'box':
      return new THREE.BoxGeometry(2 * s[0]!, 2 * s[1]!, 2 * s[2]!);
    case 'sphere':
      return new THREE.SphereGeometry(s[0]!, 24, 16);
    case 'capsule':
      // three's capsule: radius, length of the middle part, along local y, like ours.
      return new THREE.CapsuleGeometry(s[0]!, 2 * s[1]!, 6, 16);
    case 'cylinder':
      return new THREE.CylinderGeometry(s[0]!, s[0]!, 2 * s[1]!, 24);
  }
}

function materialFor(b: BodyDesc, ghost: boolean): THREE.Material {
  return new THREE.MeshStandardMaterial({
    color: b.color,
    roughness: 0.55,
    metalness: 0.05,
    transparent: ghost,
    opacity: ghost ? 0.35 : 1,
    depthWrite: !ghost,
  });
}
