/** The panel's elements in the page (index.html), found by id: shared by the viewer's page and the static site's. */
import type { PageElements } from './app.ts';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`gymnast viewer: the page has no #${id}`);
  return el as T;
}

export function findPageElements(): PageElements {
  return {
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
}
