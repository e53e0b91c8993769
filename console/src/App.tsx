import AppLayout from '@cloudscape-design/components/app-layout';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { useMemo, useState } from 'react';
import { apiClient } from './api';
import { type SignedIn, signOut } from './auth';
import type { ConsoleConfig } from './config';
import type { Ctx } from './ctx';
import { navigate, useRoute } from './hooks';
import { ComparePage } from './pages/compare-page';
import { ExportsPage } from './pages/exports-page';
import { MentorsPage } from './pages/mentors-page';
import { QueuePage } from './pages/queue-page';
import { SessionPage } from './pages/session-page';
import { SessionsPage } from './pages/sessions-page';
import { SignInPage } from './pages/sign-in-page';
import { PAGES_BY_ROLE, type PageId } from './permissions';

const TITLES: Readonly<Record<PageId, string>> = {
  sessions: 'Sessions',
  queue: 'Queue',
  mentors: 'Mentors',
  compare: 'Compare',
  exports: 'Exports',
};

export function App({ config, initial }: { config: ConsoleConfig; initial: SignedIn | undefined }) {
  const [user, setUser] = useState(initial);
  const route = useRoute();
  const client = useMemo(() => (user === undefined ? undefined : apiClient(config.apiUrl, () => user.token)), [config.apiUrl, user]);
  if (user === undefined || client === undefined) return <SignInPage config={config} onSignedIn={setUser} />;

  const ctx: Ctx = { client, role: user.role, sub: user.sub };
  const pages = PAGES_BY_ROLE[user.role];
  const [first = 'sessions', id] = route.path;
  const page: PageId = (pages as readonly string[]).includes(first) ? (first as PageId) : 'sessions';
  const mentorsTitle = user.role === 'mentor' ? 'My workload' : TITLES.mentors;
  let content: React.ReactNode;
  if (page === 'sessions' && id !== undefined) content = <SessionPage ctx={ctx} sessionId={id} />;
  else if (page === 'sessions') content = <SessionsPage ctx={ctx} />;
  else if (page === 'queue') content = <QueuePage ctx={ctx} />;
  else if (page === 'mentors') content = <MentorsPage ctx={ctx} />;
  else if (page === 'compare') content = <ComparePage ctx={ctx} a={route.query.get('a') ?? ''} b={route.query.get('b') ?? ''} />;
  else content = <ExportsPage ctx={ctx} />;

  return (
    <>
      <div id="top-nav">
        <TopNavigation
          identity={{ href: '#/sessions', title: 'Mentorship sessions' }}
          utilities={[
            { type: 'button', text: `${user.sub} (${user.role})`, ariaLabel: `Signed in as ${user.sub}, role ${user.role}` },
            { type: 'button', text: 'Sign out', onClick: () => signOut(config) },
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        ariaLabels={{ navigation: 'Console pages', navigationClose: 'Close the page list', navigationToggle: 'Open the page list' }}
        navigation={
          <SideNavigation
            header={{ href: '#/sessions', text: 'Console' }}
            activeHref={`#/${page}`}
            items={pages.map((p) => ({ type: 'link' as const, text: p === 'mentors' ? mentorsTitle : TITLES[p], href: `#/${p}` }))}
            onFollow={(event) => {
              event.preventDefault();
              navigate(event.detail.href);
            }}
          />
        }
        content={<main>{content}</main>}
      />
    </>
  );
}
