/**
 * Entry of the page bundle: finds the panel's elements, starts the app, and exposes a small debug
 * hook, `window.__gymnast`, that the browser test (and a curious user in the console) reads:
 * `stats()` (connection, channels, frames received and drawn, body meshes drawn), `select(id)`.
 */
import './style.css';
import { App, type PageElements, type PageStats } from './app.ts';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`gymnast viewer: the page has no #${id}`);
  return el as T;
}

const elements: PageElements = {
  view: byId('view'),
  status: byId('status'),
  channelList: byId('channel-list'),
  noChannels: byId('no-channels'),
  pause: byId('pause'),
  step: byId('step'),
  speed: byId('speed'),
  follow: byId('follow'),
  followBody: byId('follow-body'),
  bones: byId('bones'),
  clock: byId('clock'),
  meta: byId('meta'),
  plotChannel: byId('plot-channel'),
  plots: byId('plots'),
  noMetrics: byId('no-metrics'),
  toast: byId('toast'),
};

const app = new App(elements);

declare global {
  interface Window {
    __gymnast: { stats(): PageStats; select(id: string): void };
  }
}
window.__gymnast = { stats: () => app.stats(), select: (id) => app.select(id) };
