// The single-page app: a header with the language switch, then the page for the path.
// Citizen pages are in the main bundle (kept small for slow phones); the staff consoles are
// loaded on demand (import('./staff/staff')) so citizens never download them.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import './styles.css';
import { setLang, t, useLang } from './i18n';
import { linkTo, usePath } from './router';
import { CitizenApp } from './citizen/citizen';
import { ErrorPanel, Loading } from './ui';

function LangSwitch() {
  const lang = useLang();
  const other = lang === 'en' ? 'hi' : 'en';
  return (
    <button type="button" class="lang" lang={other} aria-label={t('switchLabel')}
            onClick={() => setLang(other)}>
      {t('switchTo')}
    </button>
  );
}

function Home() {
  useLang();
  return (
    <>
      <h1>{t('tagline')}</h1>
      <div class="cards">
        <section class="card">
          <h2>{t('citizenPortal')}</h2>
          <p>{t('citizenIntro')}</p>
          <a class="button" href="/citizen" onClick={linkTo}>{t('signIn')}</a>
        </section>
        <section class="card">
          <h2>{t('staffPortal')}</h2>
          <p>{t('staffIntro')}</p>
          <a class="button secondary" href="/staff" onClick={linkTo}>{t('signIn')}</a>
        </section>
      </div>
    </>
  );
}

function NotFound() {
  useLang();
  return (
    <div class="error" role="alert">
      <h1>{t('errTitle')}</h1>
      <p><strong>{t('notFoundPage')}</strong></p>
      <p><a href="/" onClick={linkTo}>{t('goHome')}</a></p>
    </div>
  );
}

function Staff({ path }: { path: string }) {
  const [mod, setMod] = useState<{ StaffApp: FunctionComponent<{ path: string }> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    import('./staff/staff').then(setMod, setError);
  }, []);
  if (error) return <ErrorPanel error={error} />;
  if (!mod) return <Loading />;
  return <mod.StaffApp path={path} />;
}

function App() {
  useLang();
  const path = usePath();
  // After a client-side navigation, move focus to the new page's content (as a page load would
  // for screen-reader and keyboard users); not on the first render.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [path]);
  let page;
  if (path === '/') page = <Home />;
  else if (path === '/citizen' || path.startsWith('/citizen/')) page = <CitizenApp path={path} />;
  else if (path === '/staff' || path.startsWith('/staff/')) page = <Staff path={path} />;
  else page = <NotFound />;
  return (
    <>
      <a class="skip" href="#main">{t('skip')}</a>
      <header class="top">
        <a class="brand" href="/" onClick={linkTo}>{t('appName')}</a>
        <LangSwitch />
      </header>
      <main id="main" tabIndex={-1}>{page}</main>
    </>
  );
}

// Last resort: an error outside any page still shows a message, never a blank screen.
window.addEventListener('error', () => {
  const root = document.getElementById('app');
  if (root && root.childElementCount === 0) {
    root.innerHTML = '<main><h1>Something went wrong / कुछ गलत हो गया</h1>'
      + '<p>Reload the page. / पेज फिर से लोड करें।</p></main>';
  }
});

render(<App />, document.getElementById('app')!);
