// The consoles of the roles that oversee rather than serve: the administrator's accounts (list,
// disable, enable: GET /api/v1/users, POST /api/v1/users/{username}/status), the auditor's view
// of the access log in aggregate (GET /api/v1/audit/access-summary: counts by day, role, action
// and decision, and the commonest reasons for refusals; never a person), and a page for the
// machine-client and provider roles saying what their account can do and where. English and
// Hindi.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDate, formatNumber, getLang, useLang } from '../i18n';
import { ErrorPanel, Show, useLoad } from '../ui';

const en = {
  accountsTitle: 'Accounts', accountsIntro: 'Staff accounts and partner apps. Disabling an account ends its sessions at once; it can be enabled again.',
  user: 'User name', name: 'Name', role: 'Role', scope: 'Scope', duties: 'Duties', status: 'Status',
  action: 'Action', disable: 'Disable', enable: 'Enable', active: 'Active', disabled: 'Disabled', you: 'you',
  done: 'Done.',
  auditTitle: 'Access log in aggregate', auditIntro: 'Every decision of the access gate, counted. No person, household or record is shown here.',
  days: 'Days', show: 'Show', allowed: 'Allowed', denied: 'Refused', date: 'Date', decision: 'Decision', count: 'Count',
  reasons: 'Commonest reasons for refusals', reason: 'Reason', nothing: 'Nothing was recorded in this period.',
  roleTitle: 'Your account',
  developerIntro: 'A partner app reads a household only while one of its members has allowed it, for the purpose they agreed to. Your app signs in with OAuth2 client credentials and calls the API; citizens see every read in their access log and can withdraw their consent at any time.',
  providerIntro: 'Service delivery for hospitals and LPG agencies arrives with the services work. Until then this account signs in but sees no citizen data.',
  otherIntro: 'This role has no console of its own. Use the API or the spode command line.',
  apiDoc: 'The API description (OpenAPI)',
};
type Key = keyof typeof en;
const hi: Record<Key, string> = {
  accountsTitle: 'खाते', accountsIntro: 'कर्मचारी खाते और सहयोगी ऐप। खाता बंद करने पर उसके सत्र तुरंत समाप्त हो जाते हैं; उसे फिर से चालू किया जा सकता है।',
  user: 'उपयोगकर्ता नाम', name: 'नाम', role: 'भूमिका', scope: 'क्षेत्र', duties: 'दायित्व', status: 'स्थिति',
  action: 'कार्य', disable: 'बंद करें', enable: 'चालू करें', active: 'सक्रिय', disabled: 'बंद', you: 'आप',
  done: 'हो गया।',
  auditTitle: 'एक्सेस लॉग का सारांश', auditIntro: 'एक्सेस गेट का हर निर्णय, गिनती में। यहाँ कोई व्यक्ति, परिवार या रिकॉर्ड नहीं दिखाया जाता।',
  days: 'दिन', show: 'दिखाएँ', allowed: 'अनुमति', denied: 'अस्वीकृत', date: 'तारीख', decision: 'निर्णय', count: 'संख्या',
  reasons: 'अस्वीकृति के सबसे आम कारण', reason: 'कारण', nothing: 'इस अवधि में कुछ दर्ज नहीं हुआ।',
  roleTitle: 'आपका खाता',
  developerIntro: 'सहयोगी ऐप किसी परिवार का डेटा तभी पढ़ सकता है जब उसके किसी सदस्य ने अनुमति दी हो, उसी उद्देश्य के लिए। आपका ऐप OAuth2 क्लाइंट क्रेडेंशियल से साइन इन करके एपीआई का उपयोग करता है; नागरिक हर पढ़ाई अपने एक्सेस लॉग में देखते हैं और कभी भी अनुमति वापस ले सकते हैं।',
  providerIntro: 'अस्पतालों और एलपीजी एजेंसियों के लिए सेवा वितरण आगे के काम में आएगा। तब तक यह खाता साइन इन करता है पर किसी नागरिक का डेटा नहीं देखता।',
  otherIntro: 'इस भूमिका का अपना कंसोल नहीं है। एपीआई या spode कमांड लाइन का उपयोग करें।',
  apiDoc: 'एपीआई विवरण (OpenAPI)',
};
const s = (k: Key): string => (getLang() === 'hi' ? hi : en)[k];

interface Account {
  username: string; display_name: string; role: string; scope: string; duties: string[];
  status: string; client_scopes: string;
}

export function Accounts({ me }: { me: string }) {
  useLang();
  const [loaded, retry] = useLoad(() => api.get<{ users: Account[] }>('/api/v1/users'));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const set = async (username: string, status: string) => {
    setError(null);
    setDone(false);
    try {
      await api.post(`/api/v1/users/${encodeURIComponent(username)}/status`, { status });
      setDone(true);
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{s('accountsTitle')}</h1>
      <p>{s('accountsIntro')}</p>
      {done && <p role="status" class="ok">{s('done')}</p>}
      {error !== null && <ErrorPanel error={error} />}
      <Show loaded={loaded} retry={retry}>{(d) => (
        <div class="scroll" tabIndex={0} role="region" aria-label={s('accountsTitle')}>
          <table>
            <caption class="visually-hidden">{s('accountsTitle')}</caption>
            <thead><tr><th scope="col">{s('user')}</th><th scope="col">{s('name')}</th><th scope="col">{s('role')}</th>
              <th scope="col">{s('scope')}</th><th scope="col">{s('duties')}</th><th scope="col">{s('status')}</th>
              <th scope="col">{s('action')}</th></tr></thead>
            <tbody>
              {d.users.map((u) => (
                <tr key={u.username} data-user={u.username}>
                  <th scope="row">{u.username}</th>
                  <td>{u.display_name}</td>
                  <td>{u.role}</td>
                  <td>{[u.scope, u.client_scopes].filter(Boolean).join(' · ')}</td>
                  <td>{u.duties.join(', ')}</td>
                  <td>{u.status === 'active' ? s('active') : s('disabled')}</td>
                  <td>{u.username === me ? s('you') : (
                    <button type="button" class={u.status === 'active' ? 'secondary' : ''}
                            onClick={() => set(u.username, u.status === 'active' ? 'disabled' : 'active')}>
                      {u.status === 'active' ? s('disable') : s('enable')}
                      <span class="visually-hidden"> {u.username}</span>
                    </button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}</Show>
    </section>
  );
}

interface Summary {
  days: number; since: string; allowed: number; denied: number;
  counts: { date: string; role: string; action: string; decision: string; count: number }[];
  denial_reasons: { reason: string; count: number }[];
}

export function AccessSummary() {
  useLang();
  const [days, setDays] = useState('7');
  const [asked, setAsked] = useState('7');
  // The load reads `asked` from the render in which it runs: a new figure, then retry().
  const [loaded, retry] = useLoad(
    () => api.get<Summary>(`/api/v1/audit/access-summary?days=${encodeURIComponent(asked)}`));
  return (
    <section>
      <h1>{s('auditTitle')}</h1>
      <p>{s('auditIntro')}</p>
      <form onSubmit={(e) => { e.preventDefault(); setAsked(days); retry(); }}>
        <label for="audit-days">{s('days')}</label>
        <input id="audit-days" type="number" min={1} max={90} required value={days}
               onInput={(e) => setDays(e.currentTarget.value)} />
        <button type="submit">{s('show')}</button>
      </form>
      <Show loaded={loaded} retry={retry}>{(d) => (
        <>
          <dl class="facts">
            <dt>{s('allowed')}</dt><dd data-allowed>{formatNumber(d.allowed)}</dd>
            <dt>{s('denied')}</dt><dd data-denied>{formatNumber(d.denied)}</dd>
          </dl>
          {d.counts.length === 0 ? <p>{s('nothing')}</p> : (
            <div class="scroll" tabIndex={0} role="region" aria-label={s('auditTitle')}>
              <table>
                <caption class="visually-hidden">{s('auditTitle')}</caption>
                <thead><tr><th scope="col">{s('date')}</th><th scope="col">{s('role')}</th><th scope="col">{s('action')}</th>
                  <th scope="col">{s('decision')}</th><th scope="col">{s('count')}</th></tr></thead>
                <tbody>
                  {d.counts.map((c) => (
                    <tr key={`${c.date}-${c.role}-${c.action}-${c.decision}`}>
                      <td>{formatDate(c.date)}</td><td>{c.role}</td><td>{c.action}</td>
                      <td>{c.decision === 'allow' ? s('allowed') : s('denied')}</td><td>{formatNumber(c.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {d.denial_reasons.length > 0 && (
            <>
              <h2>{s('reasons')}</h2>
              <ul class="plain">
                {d.denial_reasons.map((r) => <li key={r.reason}>{r.reason}: {formatNumber(r.count)}</li>)}
              </ul>
            </>
          )}
        </>
      )}</Show>
    </section>
  );
}

export function RoleInfo({ role }: { role: string }) {
  useLang();
  return (
    <section>
      <h1>{s('roleTitle')}</h1>
      <p>{role === 'developer' ? s('developerIntro') : role === 'provider' ? s('providerIntro') : s('otherIntro')}</p>
      <p><a href="/api/v1/openapi.json">{s('apiDoc')}</a></p>
    </section>
  );
}
