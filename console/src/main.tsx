import '@cloudscape-design/global-styles/index.css';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { cognitoSession, type SignedIn, storedSession } from './auth';
import { type ConsoleConfig, loadConfig } from './config';

const root = createRoot(document.getElementById('root')!);

async function boot() {
  let config: ConsoleConfig;
  let signedIn: SignedIn | undefined;
  try {
    config = await loadConfig();
    signedIn = config.auth === 'cognito' ? await cognitoSession(config) : storedSession();
  } catch (error) {
    root.render(
      <main>
        <h1>The console could not start</h1>
        <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
    return;
  }
  root.render(<App config={config} initial={signedIn} />);
}

void boot();
