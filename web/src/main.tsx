import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './app';
import { SessionProvider } from './auth/session';
import { applyStoredTheme } from './shell/theme';
import './ui/theme.css';
import './ui/components.css';
import './ui/table.css';
import './shell/shell.css';
import './pages/pages.css';
import './pages/checks/checks.css';

applyStoredTheme();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
