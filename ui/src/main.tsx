import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { register } from '@public-ui/components';
import { defineCustomElements } from '@public-ui/components/loader';
import { DEFAULT } from '@public-ui/theme-default';
import { App } from './App';
import { vorabLaden } from './ipc';
import { ERSTE_ABFRAGE, seitenAnfrage } from './views/Posteingang';
// Icon fonts of KoliBri and its default theme (not in the packages' exports, hence the paths).
import '../node_modules/@public-ui/components/assets/kolicons/style.css';
import '../node_modules/@public-ui/theme-default/assets/fontawesome-free/css/all.min.css';
import './app.css';
import { marke } from './lib/marken';

marke('modul');
// The first screen's answers are on their way while KoliBri registers and React renders.
vorabLaden([['app_info'], ['sitzung'], ['sync_status'], ['ansicht_zahlen'], ['posteingang', seitenAnfrage(ERSTE_ABFRAGE, 0)]]);
const root = document.getElementById('root');
register(DEFAULT, defineCustomElements)
  .then(() => marke('kolibri'))
  .catch((e: unknown) => console.error('KoliBri konnte nicht geladen werden', e))
  .finally(() => {
    if (root) {
      createRoot(root).render(
        <StrictMode>
          <App />
        </StrictMode>,
      );
    }
  });
