import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { register } from '@public-ui/components';
import { defineCustomElements } from '@public-ui/components/loader';
import { DEFAULT } from '@public-ui/theme-default';
import { App } from './App';
// Icon fonts of KoliBri and its default theme (not in the packages' exports, hence the paths).
import '../node_modules/@public-ui/components/assets/kolicons/style.css';
import '../node_modules/@public-ui/theme-default/assets/fontawesome-free/css/all.min.css';
import './app.css';

const root = document.getElementById('root');
register(DEFAULT, defineCustomElements)
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
