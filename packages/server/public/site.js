// Shows a hint when the element's bundle is missing (the page is served before `npm run build`).
const el = document.querySelector('cnn-visualizer');
setTimeout(() => {
  if (!customElements.get('cnn-visualizer')) document.querySelector('.missing').hidden = false;
}, 3000);
el?.addEventListener('cnn-error', (e) => console.warn('cnn-visualizer:', e.detail.message));
