/**
 * /embed: the visualizer alone, for iframes (Notion, LMS pages), configured by the query string: every
 * embed option (`backend`, `theme`, `tour`, `step`, `hide`, `digit`, `model`) goes straight to the
 * element as an attribute.
 */
import { embedAttributes, readEmbedOptions } from 'cnn-visualizer/embed-options';

const options = readEmbedOptions(new URLSearchParams(location.search));
const el = document.querySelector('cnn-visualizer')!;
for (const [name, value] of Object.entries(embedAttributes(options))) el.setAttribute(name, value);
document.documentElement.dataset.theme = options.theme;
