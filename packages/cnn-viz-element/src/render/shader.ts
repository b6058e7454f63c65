/**
 * One small unlit-with-a-fixed-light shader shared by every layer: per-instance colour, a little
 * directional shading so cubes read as 3D, no scene lights (StandardMaterial would add ~80 KB gz).
 * Shader code lives in Babylon's ShaderStore, so nothing is fetched over HTTP.
 */
import { ShaderMaterial } from '@babylonjs/core/Materials/shaderMaterial.js';
import { ShaderStore } from '@babylonjs/core/Engines/shaderStore.js';
import type { Scene } from '@babylonjs/core/scene.js';
// without these includes the shader silently fails to compile (it fetches .fx files and gets 404)
import '@babylonjs/core/Shaders/ShadersInclude/instancesDeclaration.js';
import '@babylonjs/core/Shaders/ShadersInclude/instancesVertex.js';
import { MAX_LAYERS } from './limits.js';

const NAME = 'cnnCube';
/**
 * Height of a cube at strength 0 (a tile that still stands out) and how much it grows at strength 1
 * (before its layer's z scale): the strongest cube is about 3× as tall as it is wide.
 */
export const MIN_DEPTH = 0.18;
export const DEPTH_RANGE = 2.6;

ShaderStore.ShadersStore[`${NAME}VertexShader`] = /* glsl */ `
precision highp float;
attribute vec3 position;
attribute vec3 normal;
#include<instancesDeclaration>
uniform mat4 viewProjection;
// per layer: x = how far the tour has revealed it, y = 1 when that counts positions within each map
// (a sweep in every channel at once) rather than cubes; a layer with nothing computed has x = 0
uniform vec4 reveal[LAYERS];
uniform vec3 ghost;
varying vec4 vColor;
varying vec3 vNormal;
void main(void) {
  #include<instancesVertex>
  // which cube this is, carried in the matrix's otherwise unused last row: w of columns 0–2 =
  // layer + 1 (0: not a layer's cube, always lit), index in the layer, position within its map
  bool lit = true;
#ifdef INSTANCES
  float layer = world0.w;
  if (layer > 0.5) {
    vec4 r = reveal[int(layer - 0.5)];
    lit = (r.y > 0.5 ? world2.w : world1.w) < r.x;
  }
  finalWorld[0][3] = 0.0;
  finalWorld[1][3] = 0.0;
  finalWorld[2][3] = 0.0;
#endif
#ifdef INSTANCESCOLOR
  float strength = lit ? instanceColor.a : 0.0;
#else
  float strength = 0.0;
#endif
  // a cube stands on the plane and rises with its activation's strength (carried in the colour's
  // alpha), so new activations change only the colour buffer, never the matrices. It rises towards
  // −z, the side the camera looks from (the side where the maps read left to right), so the relief
  // faces the reader instead of hiding behind the plane
  vec3 p = vec3(position.xy, (position.z - 0.5) * (${MIN_DEPTH.toFixed(3)} + ${DEPTH_RANGE.toFixed(3)} * strength));
  vec4 worldPos = finalWorld * vec4(p, 1.0);
  gl_Position = viewProjection * worldPos;
  vNormal = normalize(mat3(finalWorld) * normal);
#ifdef INSTANCESCOLOR
  // not computed yet (the tour has not reached it): a flat ghost
  vColor = vec4(lit ? instanceColor.rgb : ghost, 1.0);
#else
  vColor = vec4(1.0);
#endif
}`;

ShaderStore.ShadersStore[`${NAME}FragmentShader`] = /* glsl */ `
precision highp float;
varying vec4 vColor;
varying vec3 vNormal;
uniform float alpha;
void main(void) {
  // from the upper left, on the camera's side (−z), so the tops facing the reader are lit
  vec3 light = normalize(vec3(-0.35, 0.55, -0.75));
  float shade = 0.62 + 0.38 * max(dot(normalize(vNormal), light), 0.0);
  gl_FragColor = vec4(vColor.rgb * shade, vColor.a * alpha);
}`;

/** The cube material for a network of `layers` layers (the size of its reveal uniform). */
export function createCubeMaterial(scene: Scene, name: string, layers: number, alpha = 1): ShaderMaterial {
  if (layers > MAX_LAYERS) throw new RangeError(`${layers} layers: the view draws at most ${MAX_LAYERS}`);
  const material = new ShaderMaterial(name, scene, NAME, {
    attributes: ['position', 'normal'],
    uniforms: ['viewProjection', 'world', 'alpha', 'reveal', 'ghost'],
    defines: [`#define LAYERS ${Math.max(1, layers)}`],
    needAlphaBlending: alpha < 1,
  });
  material.setFloat('alpha', alpha);
  material.backFaceCulling = true;
  return material;
}
