import { expect } from '@esm-bundle/chai';

describe('browser', () => {
  it('has WebGL2', () => {
    const gl = document.createElement('canvas').getContext('webgl2');
    expect(gl).to.not.equal(null);
  });
});
