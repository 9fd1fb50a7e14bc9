/**
 * Entry of the page bundle: finds the panel's elements, starts the app, and exposes a small debug
 * hook, `window.__gymnast`, that the browser test (and a curious user in the console) reads:
 * `stats()` (connection, channels, frames received and drawn, body meshes drawn), `select(id)`.
 */
import './style.css';
import { App, type PageStats } from './app.ts';
import { findPageElements } from './elements.ts';

const app = new App(findPageElements());

declare global {
  interface Window {
    __gymnast: { stats(): PageStats; select(id: string): void };
  }
}
window.__gymnast = { stats: () => app.stats(), select: (id) => app.select(id) };
