// How every browser test and benchmark starts Chromium: Debian's build, never a downloaded one, with
// the flags this machine's closed network needs. WebGL runs on SwiftShader (software).
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  // heap figures in tests: exact sizes and a gc() to call before measuring
  '--enable-precise-memory-info',
  '--js-flags=--expose-gc',
];
