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
varying vec4 vColor;
varying vec3 vNormal;
void main(void) {
  #include<instancesVertex>
#ifdef INSTANCESCOLOR
  float strength = instanceColor.a;
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
  vColor = vec4(instanceColor.rgb, 1.0);
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

export function createCubeMaterial(scene: Scene, name: string, alpha = 1): ShaderMaterial {
  const material = new ShaderMaterial(name, scene, NAME, {
    attributes: ['position', 'normal'],
    uniforms: ['viewProjection', 'world', 'alpha'],
    needAlphaBlending: alpha < 1,
  });
  material.setFloat('alpha', alpha);
  material.backFaceCulling = true;
  return material;
}
