// custom-elements.json documents the element's public API only: private and protected members, and the
// internal reactive state Lit declares in `static properties` (which the analyzer lists as attributes),
// are dropped, so Storybook's autodocs and editors show what a page can actually use.
export default {
  globs: ['src/cnn-visualizer.ts'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      name: 'public-api-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules)
          for (const d of mod.declarations ?? []) {
            const hidden = new Set(
              (d.members ?? [])
                .filter((m) => m.privacy === 'private' || m.privacy === 'protected')
                .map((m) => m.name),
            );
            d.members = (d.members ?? []).filter((m) => !hidden.has(m.name));
            d.attributes = (d.attributes ?? []).filter((a) => !hidden.has(a.fieldName ?? a.name));
          }
      },
    },
  ],
};
