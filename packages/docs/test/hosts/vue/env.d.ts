// Single-file components, as Vite's Vue template declares them for TypeScript.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
