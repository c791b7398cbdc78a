// The app page (placement DEFAULT): two tabs, the analytics dashboard (default) and the
// settings; each is built the first time it is shown. `#settings` in the address opens the
// settings tab.
import { boot, el, fitWindow, requireBoot, t, translate } from './common.js';
import { initDashboard } from './dashboard.js';
import { initSettings } from './settings.js';

const started = new Set();

function show(name) {
  const tab = name === 'settings' ? 'settings' : 'dashboard';
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  }
  document.getElementById('tab-dashboard').hidden = tab !== 'dashboard';
  document.getElementById('tab-settings').hidden = tab !== 'settings';
  if (!started.has(tab)) {
    started.add(tab);
    if (tab === 'dashboard') initDashboard(document.getElementById('tab-dashboard'));
    else initSettings(document.getElementById('tab-settings'));
  }
  fitWindow();
}

function main() {
  translate();
  document.title = t('app.title');
  if (!requireBoot(document.querySelector('main'))) return;
  if (boot.version) document.getElementById('cv-version').append(el('span', {}, `v${boot.version}`));
  if (!boot.user.wide) {
    // The server refuses this user the report and the settings: say so instead of two errors.
    document.querySelector('.cv-tabs').hidden = true;
    document.querySelector('main').replaceChildren(
      el('div', { class: 'cv-banner cv-banner-info', id: 'cv-no-access' }, t('app.no_access')));
    fitWindow();
    return;
  }
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => {
      if (window.location.hash !== `#${button.dataset.tab}`) {
        window.history.replaceState(null, '', `#${button.dataset.tab}`);
      }
      show(button.dataset.tab);
    });
  }
  show(window.location.hash === '#settings' ? 'settings' : 'dashboard');
}

main();
