// The app page (placement DEFAULT): three tabs, the set-up of the conveyor, the analytics
// dashboard and the settings; each is built the first time it is shown. The set-up tab opens
// first while something is missing (issue 16: "the app page keeps it until done"), the
// dashboard otherwise; `#setup` / `#settings` in the address open those. A head of a
// department who sees no reports gets the set-up tab alone, to mark their people away.
import { boot, el, fitWindow, requireBoot, t, translate } from './common.js';
import { initDashboard } from './dashboard.js';
import { initSettings } from './settings.js';
import { initSetUp } from './setup.js';

const TABS = ['setup', 'dashboard', 'settings'];
const started = new Set();
let setUpView = null; // resolves to the set-up tab's first view, or null

function show(name) {
  const tab = TABS.includes(name) ? name : 'dashboard';
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  }
  for (const other of TABS) document.getElementById(`tab-${other}`).hidden = other !== tab;
  if (!started.has(tab)) {
    started.add(tab);
    const section = document.getElementById(`tab-${tab}`);
    if (tab === 'dashboard') initDashboard(section);
    else if (tab === 'settings') {
      initSettings(section, { directory: async () => (await setUpView)?.directory || null });
    }
  }
  fitWindow();
}

// The tabs answer clicks from here on: the page says so (tests wait for it, not for the
// static markup, which is there before this script runs).
function ready() {
  document.body.dataset.ready = 'true';
}

function main() {
  translate();
  document.title = t('app.title');
  if (!requireBoot(document.querySelector('main'))) return;
  if (boot.version) document.getElementById('cv-version').append(el('span', {}, `v${boot.version}`));
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => {
      if (window.location.hash !== `#${button.dataset.tab}`) {
        window.history.replaceState(null, '', `#${button.dataset.tab}`);
      }
      show(button.dataset.tab);
    });
  }
  const asked = window.location.hash.slice(1);
  // The set-up tab is read at once: whether something is missing decides the first tab.
  started.add('setup');
  setUpView = new Promise((resolve) => {
    initSetUp(document.getElementById('tab-setup'), {
      onView: (view) => resolve(view),
      onFailure: () => resolve(null),
    });
  });
  if (!boot.user.wide) {
    // Reports and settings are refused to this user: a head of a department still marks people
    // away; anyone else is told they have no access.
    for (const button of document.querySelectorAll('[data-tab]')) button.hidden = button.dataset.tab !== 'setup';
    setUpView.then((view) => {
      ready();
      if (view) return show('setup');
      document.querySelector('.cv-tabs').hidden = true;
      document.querySelector('main').replaceChildren(
        el('div', { class: 'cv-banner cv-banner-info', id: 'cv-no-access' }, t('app.no_access')));
      return fitWindow();
    });
    return;
  }
  ready();
  if (TABS.includes(asked)) return show(asked);
  show('dashboard');
  setUpView.then((view) => {
    if (view && view.missing.length && !window.location.hash) show('setup');
  });
}

main();
