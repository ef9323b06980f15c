// The staff consoles, loaded on demand (a chunk of its own, so citizens never download it):
// sign-in with user name and password, then the console for the role — the bank portal (payment
// files, status uploads with a line-by-line report), the officer's payment cycles (create,
// approve by tier, export, progress) and change requests, plus the operator console
// (operator.tsx) and the officer's grievances, duplicates and what-if (officer.tsx). English
// and Hindi, as the citizen pages.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { formatDate, formatMoney, formatNumber, formatPeriod, getLang, useLang } from '../i18n';
import { linkTo, navigate } from '../router';
import { ErrorPanel, Show, useLoad } from '../ui';
import { OperatorConsole } from './operator';
import { AccessSummary, Accounts, RoleInfo } from './oversight';
import { Applications, Duplicates, GrievanceDetailPage, Grievances, Notices, WhatIf } from './officer';

const en = {
  staffTitle: 'Staff sign-in', username: 'User name', password: 'Password', signIn: 'Sign in',
  signOut: 'Sign out', signedInAs: 'Signed in as',
  bankTitle: 'Payment files', bankIntro: 'The payment files for your bank. Download a file, pay it, then upload the status file.',
  file: 'File', scheme: 'Scheme', cycle: 'Cycle', transactions: 'Payments', controlSum: 'Total',
  created: 'Created', download: 'Download', noFiles: 'No payment files yet.',
  uploadTitle: 'Upload a status file', statusFile: 'Status file (pain.002 XML or CSV)',
  upload: 'Upload', report: 'What the status file did', alreadyImported: 'This file was already imported: nothing changed.',
  lineByLine: 'Lines not applied', allApplied: 'Every line was applied.',
  applied: 'Applied', paid: 'Paid', returned: 'Returned', rejected: 'Rejected', accepted: 'Accepted',
  unknown: 'Unknown payment', unreadable: 'Unreadable', repeated: 'Repeated', conflicting: 'Conflicting',
  contradicting: 'Contradicting', unchanged: 'Unchanged', statuses: 'Lines read',
  cyclesTitle: 'Payment cycles', newCycle: 'Prepare a cycle', period: 'Period (YYYY-MM)', prepare: 'Prepare',
  status: 'Status', beneficiaries: 'Beneficiaries', total: 'Total', approvals: 'Approvals', open: 'Open',
  noCycles: 'No cycles yet.', approve: 'Approve', export: 'Make bank files', format: 'File format',
  budget: 'Budget', remaining: 'Left after this cycle', withinBudget: 'Within budget', overBudget: 'Over budget',
  progress: 'Progress', state: 'State', count: 'Count', amount: 'Amount', files: 'Bank files', bank: 'Bank',
  back: 'All cycles', done: 'Done.', tiers: 'Tiers',
  changesTitle: 'Change requests', noChanges: 'No change requests wait for a decision.', member: 'Member',
  family: 'Family', changes: 'Asked to change', reasonGiven: 'Reason given', submitted: 'Submitted',
  verify: 'Verify and apply', reject: 'Reject', rejectNote: 'Reason for rejecting (the citizen reads it)',
  officerNav: 'Officer console', grievancesTitle: 'Grievances', duplicatesTitle: 'Possible duplicates', whatIfTitle: 'Scheme what-if',
  returnsTitle: 'Returns', bankReturnsIntro: 'Payments of your files that you rejected or returned, newest first, with the reason recorded.',
  noReturns: 'No payment was rejected or returned.', instruction: 'Payment', outcome: 'Outcome', reasonCode: 'Code',
  reason: 'Reason', destination: 'Account', now: 'Now', when: 'When', attempt: 'Attempt',
  filesAndReturns: 'Bank files and what became of them', cycleReturnsIntro: 'Rejected and returned payments of beneficiaries in your area, with the reason and the next step.',
  sent: 'Sent', village: 'Village', nextStep: 'What to do', whoActs: 'Who acts',
  noticesTitle: 'Enrolment notices', applicationsTitle: 'Applications',
};
type Key = keyof typeof en;
const hi: Record<Key, string> = {
  staffTitle: 'कर्मचारी साइन इन', username: 'उपयोगकर्ता नाम', password: 'पासवर्ड', signIn: 'साइन इन करें',
  signOut: 'साइन आउट करें', signedInAs: 'साइन इन',
  bankTitle: 'भुगतान फ़ाइलें', bankIntro: 'आपके बैंक की भुगतान फ़ाइलें। फ़ाइल डाउनलोड करें, भुगतान करें, फिर स्थिति फ़ाइल अपलोड करें।',
  file: 'फ़ाइल', scheme: 'योजना', cycle: 'चक्र', transactions: 'भुगतान', controlSum: 'कुल',
  created: 'बनाई गई', download: 'डाउनलोड करें', noFiles: 'अभी कोई भुगतान फ़ाइल नहीं।',
  uploadTitle: 'स्थिति फ़ाइल अपलोड करें', statusFile: 'स्थिति फ़ाइल (pain.002 XML या CSV)',
  upload: 'अपलोड करें', report: 'स्थिति फ़ाइल का परिणाम', alreadyImported: 'यह फ़ाइल पहले ही आयात हो चुकी है: कुछ नहीं बदला।',
  lineByLine: 'जो पंक्तियाँ लागू नहीं हुईं', allApplied: 'हर पंक्ति लागू हुई।',
  applied: 'लागू', paid: 'भुगतान हुआ', returned: 'लौटा', rejected: 'अस्वीकृत', accepted: 'स्वीकृत',
  unknown: 'अज्ञात भुगतान', unreadable: 'पढ़ी नहीं जा सकी', repeated: 'दोहराई गई', conflicting: 'परस्पर विरोधी',
  contradicting: 'अंतिम स्थिति के विरुद्ध', unchanged: 'अपरिवर्तित', statuses: 'पढ़ी गई पंक्तियाँ',
  cyclesTitle: 'भुगतान चक्र', newCycle: 'चक्र तैयार करें', period: 'अवधि (YYYY-MM)', prepare: 'तैयार करें',
  status: 'स्थिति', beneficiaries: 'लाभार्थी', total: 'कुल', approvals: 'स्वीकृतियाँ', open: 'खोलें',
  noCycles: 'अभी कोई चक्र नहीं।', approve: 'स्वीकृत करें', export: 'बैंक फ़ाइलें बनाएँ', format: 'फ़ाइल प्रारूप',
  budget: 'बजट', remaining: 'इस चक्र के बाद शेष', withinBudget: 'बजट के भीतर', overBudget: 'बजट से अधिक',
  progress: 'प्रगति', state: 'स्थिति', count: 'संख्या', amount: 'राशि', files: 'बैंक फ़ाइलें', bank: 'बैंक',
  back: 'सभी चक्र', done: 'हो गया।', tiers: 'स्तर',
  changesTitle: 'सुधार अनुरोध', noChanges: 'कोई सुधार अनुरोध निर्णय की प्रतीक्षा में नहीं है।', member: 'सदस्य',
  family: 'परिवार', changes: 'बदलाव का अनुरोध', reasonGiven: 'बताया गया कारण', submitted: 'भेजा गया',
  verify: 'जाँचें और लागू करें', reject: 'अस्वीकार करें', rejectNote: 'अस्वीकार करने का कारण (नागरिक इसे पढ़ेगा)',
  officerNav: 'अधिकारी कंसोल', grievancesTitle: 'शिकायतें', duplicatesTitle: 'संभावित दोहराव', whatIfTitle: 'योजना का अनुमान',
  returnsTitle: 'लौटे भुगतान', bankReturnsIntro: 'आपकी फ़ाइलों के वे भुगतान जिन्हें आपने अस्वीकार किया या लौटाया, नवीनतम पहले, दर्ज कारण के साथ।',
  noReturns: 'कोई भुगतान अस्वीकृत या वापस नहीं हुआ।', instruction: 'भुगतान', outcome: 'परिणाम', reasonCode: 'कोड',
  reason: 'कारण', destination: 'खाता', now: 'अब', when: 'कब', attempt: 'प्रयास',
  filesAndReturns: 'बैंक फ़ाइलें और उनका परिणाम', cycleReturnsIntro: 'आपके क्षेत्र के लाभार्थियों के अस्वीकृत और लौटे भुगतान, कारण और अगले कदम के साथ।',
  sent: 'भेजा गया', village: 'गाँव', nextStep: 'क्या करें', whoActs: 'कौन करेगा',
  noticesTitle: 'नामांकन सूचनाएँ', applicationsTitle: 'आवेदन',
};
const s = (k: Key): string => (getLang() === 'hi' ? hi : en)[k];

interface Staff { username: string; role: string; scope?: string }
const key = 'spode.staff';
function current(): Staff | null {
  try {
    const v = sessionStorage.getItem(key);
    return v ? (JSON.parse(v) as Staff) : null;
  } catch {
    return null;
  }
}

export function StaffApp({ path }: { path: string }) {
  useLang();
  const who = current();
  if (!who) return <SignIn />;
  const signOut = async () => {
    try {
      await api.logout();
    } catch {
      /* signed out locally either way */
    }
    for (const k of [key, 'spode.consent', 'spode.receipt']) sessionStorage.removeItem(k);
    navigate('/staff');
  };
  let page;
  if (who.role === 'bank') page = <BankPortal />;
  else if (who.role === 'operator') page = <OperatorConsole path={path} who={who} />;
  else if (who.role === 'officer') {
    const m = /^\/staff\/cycles\/(\d+)$/.exec(path);
    const g = /^\/staff\/grievances\/([A-Z]{2}-\d{4}-\d+-\d)$/.exec(path);
    const links: [string, Key][] = [['/staff/cycles', 'cyclesTitle'], ['/staff/changes', 'changesTitle'],
      ['/staff/grievances', 'grievancesTitle'], ['/staff/duplicates', 'duplicatesTitle'], ['/staff/notices', 'noticesTitle'],
      ['/staff/applications', 'applicationsTitle'], ['/staff/whatif', 'whatIfTitle']];
    page = (
      <>
        <nav aria-label={s('officerNav')}>
          <ul class="tabs-inline">
            {links.map(([href, k]) => (
              <li key={href}><a href={href} onClick={linkTo}
                aria-current={path.startsWith(href) ? 'page' : undefined}>{s(k)}</a></li>
            ))}
          </ul>
        </nav>
        {m ? <CycleDetail id={m[1]!} /> : path === '/staff/changes' ? <ChangeRequests />
          : g ? <GrievanceDetailPage ticket={g[1]!} /> : path === '/staff/grievances' ? <Grievances />
          : path === '/staff/duplicates' ? <Duplicates /> : path === '/staff/whatif' ? <WhatIf />
          : path === '/staff/notices' ? <Notices /> : path === '/staff/applications' ? <Applications /> : <Cycles />}
      </>
    );
  } else if (who.role === 'admin') page = <Accounts me={who.username} />;
  else if (who.role === 'auditor') page = <AccessSummary />;
  else page = <RoleInfo role={who.role} />;
  return (
    <>
      <nav class="tabs" aria-label={s('staffTitle')}>
        <p class="muted">{s('signedInAs')}: <strong>{who.username}</strong> ({who.role}{who.scope ? `, ${who.scope}` : ''})</p>
        <button type="button" class="link" onClick={signOut}>{s('signOut')}</button>
      </nav>
      {page}
    </>
  );
}

function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.login(username, password) as { role: string; scope?: string; username?: string };
      sessionStorage.setItem(key, JSON.stringify({ username: r.username ?? username, role: r.role, scope: r.scope }));
      navigate(r.role === 'bank' ? '/staff/bank' : r.role === 'officer' ? '/staff/cycles'
        : r.role === 'operator' ? '/staff/operator' : '/staff/home');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="narrow">
      <h1>{s('staffTitle')}</h1>
      {error !== null && <ErrorPanel error={error} />}
      <form onSubmit={submit}>
        <label for="username">{s('username')}</label>
        <input id="username" autoComplete="username" required value={username}
               onInput={(e) => setUsername(e.currentTarget.value)} />
        <label for="password">{s('password')}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password}
               onInput={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit">{s('signIn')}</button>
      </form>
    </section>
  );
}

// --- bank portal ---
interface BankFile { batch_id: number; message_id: string; scheme_id: string; cycle_id: number;
  transactions: number; control_sum_paise: number; created_at: string; format: string }
type Report = Record<string, unknown> & { messages?: string[]; already_imported?: boolean };
const reportKeys: Key[] = ['statuses', 'applied', 'paid', 'returned', 'rejected', 'accepted', 'unchanged',
  'unknown', 'unreadable', 'repeated', 'conflicting', 'contradicting'];

function BankPortal() {
  const [loaded, retry] = useLoad(() => api.get<{ bank: string; files: BankFile[] }>('/api/v1/bank/files'));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [uploads, setUploads] = useState(0);
  useLang();
  const upload = async (e: Event) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem('status-file') as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const csv = /\.csv$/i.test(file.name) || file.type === 'text/csv';
      setReport(await api.upload<Report>('/api/v1/bank/status', await file.text(),
                                         csv ? 'text/csv' : 'application/xml'));
      setUploads((n) => n + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <h1>{s('bankTitle')}</h1>
      <p>{s('bankIntro')}</p>
      <Show loaded={loaded} retry={retry}>{(d) => d.files.length === 0 ? <p>{s('noFiles')}</p> : (
        <div class="scroll">
          <table>
            <caption class="visually-hidden">{s('bankTitle')}</caption>
            <thead><tr><th scope="col">{s('file')}</th><th scope="col">{s('scheme')}</th><th scope="col">{s('transactions')}</th>
              <th scope="col">{s('controlSum')}</th><th scope="col">{s('created')}</th><th scope="col">{s('download')}</th></tr></thead>
            <tbody>
              {d.files.map((f) => (
                <tr key={f.batch_id} data-batch={f.batch_id}>
                  <td>{f.message_id}</td><td>{f.scheme_id}</td><td>{formatNumber(f.transactions)}</td>
                  <td>{formatMoney(f.control_sum_paise)}</td><td>{formatDate(f.created_at)}</td>
                  <td><a href={`/api/v1/bank/files/${f.batch_id}`} download={`${f.message_id}.${f.format === 'csv' ? 'csv' : 'xml'}`}>
                    {s('download')}<span class="visually-hidden"> {f.message_id}</span></a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}</Show>
      <h2>{s('uploadTitle')}</h2>
      <form onSubmit={upload}>
        <label for="status-file">{s('statusFile')}</label>
        <input id="status-file" name="status-file" type="file" accept=".xml,.csv,text/csv,application/xml" required />
        <button type="submit" disabled={busy}>{s('upload')}</button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
      {report && (
        <section class="card" aria-labelledby="report-title" id="report">
          <h3 id="report-title">{s('report')}</h3>
          {report.already_imported && <p role="status">{s('alreadyImported')}</p>}
          <dl class="facts">
            {reportKeys.filter((k) => typeof report[k] === 'number').map((k) => (
              <><dt key={`k${k}`}>{s(k)}</dt><dd key={`v${k}`} data-count={k}>{formatNumber(report[k] as number)}</dd></>
            ))}
          </dl>
          <h4>{s('lineByLine')}</h4>
          {report.messages && report.messages.length > 0
            ? <ul class="report-lines">{report.messages.map((m, i) => <li key={i}>{m}</li>)}</ul>
            : <p>{s('allApplied')}</p>}
        </section>
      )}
      <BankReturns key={uploads} />
    </section>
  );
}

// The bank's own rejected and returned payments (GET /api/v1/bank/returns): no member IDs, the
// account masked.
interface BankReturn { instruction_id: string; batch_id: number; message_id: string; scheme_id: string; period: string;
  amount_paise: number; attempt: number; outcome: string; reason_code: string; reason: string; at: string;
  destination: string | null; status_now: string }

function BankReturns() {
  const [loaded, retry] = useLoad(() => api.get<{ returns: BankReturn[] }>('/api/v1/bank/returns'));
  useLang();
  return (
    <section aria-labelledby="bank-returns" id="returns">
      <h2 id="bank-returns">{s('returnsTitle')}</h2>
      <p>{s('bankReturnsIntro')}</p>
      <Show loaded={loaded} retry={retry}>{(d) => d.returns.length === 0 ? <p>{s('noReturns')}</p> : (
        <div class="scroll" tabIndex={0} role="region" aria-label={s('returnsTitle')}>
          <table>
            <caption class="visually-hidden">{s('returnsTitle')}</caption>
            <thead><tr><th scope="col">{s('instruction')}</th><th scope="col">{s('file')}</th><th scope="col">{s('scheme')}</th>
              <th scope="col">{s('amount')}</th><th scope="col">{s('outcome')}</th><th scope="col">{s('reason')}</th>
              <th scope="col">{s('destination')}</th><th scope="col">{s('when')}</th><th scope="col">{s('now')}</th></tr></thead>
            <tbody>
              {d.returns.map((r) => (
                <tr key={`${r.instruction_id}/${r.attempt}`} data-instruction={r.instruction_id}>
                  <td>{r.instruction_id}{r.attempt > 1 ? ` (${s('attempt')} ${r.attempt})` : ''}</td><td>{r.message_id}</td>
                  <td>{r.scheme_id} · {formatPeriod(r.period)}</td><td>{formatMoney(r.amount_paise)}</td>
                  <td>{s(r.outcome === 'returned' ? 'returned' : 'rejected')}</td>
                  <td class="reason"><code>{r.reason_code}</code> {r.reason}</td>
                  <td>{r.destination ?? ''}</td><td>{formatDate(r.at)}</td><td>{r.status_now}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}</Show>
    </section>
  );
}

// --- officer: payment cycles ---
interface Cycle { cycle_id: number; scheme_id: string; period: string; status: string; beneficiaries: number;
  total_paise: number; approvals_done: number; tiers: string[]; next_tier?: string }

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function Cycles() {
  const [loaded, retry] = useLoad(async () => {
    const [cycles, schemes] = await Promise.all([api.get<{ cycles: Cycle[] }>('/api/v1/cycles'), api.schemes()]);
    return { cycles: cycles.cycles, schemes: schemes.schemes };
  });
  const lang = useLang();
  const [scheme, setScheme] = useState('');
  const [period, setPeriod] = useState(thisMonth());
  const [error, setError] = useState<unknown>(null);
  const create = async (e: Event, fallback: string) => {
    e.preventDefault();
    setError(null);
    try {
      const c = await api.post<Cycle>('/api/v1/cycles', { scheme_id: scheme || fallback, period });
      navigate(`/staff/cycles/${c.cycle_id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{s('cyclesTitle')}</h1>
      <Show loaded={loaded} retry={retry}>{(d) => (
        <>
          {d.cycles.length === 0 ? <p>{s('noCycles')}</p> : (
            <div class="scroll">
              <table>
                <caption class="visually-hidden">{s('cyclesTitle')}</caption>
                <thead><tr><th scope="col">{s('scheme')}</th><th scope="col">{s('period')}</th><th scope="col">{s('status')}</th>
                  <th scope="col">{s('beneficiaries')}</th><th scope="col">{s('total')}</th><th scope="col">{s('approvals')}</th><th scope="col">{s('open')}</th></tr></thead>
                <tbody>
                  {d.cycles.map((c) => (
                    <tr key={c.cycle_id} data-cycle={c.cycle_id}>
                      <td>{d.schemes.find((x) => x.id === c.scheme_id)?.name[lang] ?? c.scheme_id}</td>
                      <td>{formatPeriod(c.period)}</td><td>{c.status}</td><td>{formatNumber(c.beneficiaries)}</td>
                      <td>{formatMoney(c.total_paise)}</td><td>{c.approvals_done} / {c.tiers.length}</td>
                      <td><a href={`/staff/cycles/${c.cycle_id}`} onClick={linkTo}>{s('open')}<span class="visually-hidden"> {c.scheme_id} {c.period}</span></a></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2>{s('newCycle')}</h2>
          {error !== null && <ErrorPanel error={error} />}
          <form onSubmit={(e) => create(e, d.schemes[0]?.id ?? '')}>
            <label for="cycle-scheme">{s('scheme')}</label>
            <select id="cycle-scheme" value={scheme || d.schemes[0]?.id} onChange={(e) => setScheme(e.currentTarget.value)}>
              {d.schemes.map((x) => <option key={x.id} value={x.id}>{x.name[lang]}</option>)}
            </select>
            <label for="cycle-period">{s('period')}</label>
            <input id="cycle-period" required pattern="\d{4}-\d{2}" value={period} onInput={(e) => setPeriod(e.currentTarget.value)} />
            <button type="submit">{s('prepare')}</button>
          </form>
        </>
      )}</Show>
    </section>
  );
}

interface CycleView { cycle: Cycle; budget_paise: number; remaining_after_paise: number; within_budget: boolean;
  financial_year: string;
  progress: { instructions: Record<string, { count: number; amount_paise: number }>;
    files: { bank: string; message_id: string; transactions: number; control_sum_paise: number; status: string }[] } }

function CycleDetail({ id }: { id: string }) {
  const [loaded, retry] = useLoad(() => api.get<CycleView>(`/api/v1/cycles/${id}`));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [format, setFormat] = useState('pain.001');
  useLang();
  const act = async (what: 'approve' | 'export') => {
    setError(null);
    setDone(false);
    try {
      await api.post(`/api/v1/cycles/${id}/${what}`, what === 'export' ? { format } : undefined);
      setDone(true);
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <p><a href="/staff/cycles" onClick={linkTo}>{s('back')}</a></p>
      <Show loaded={loaded} retry={retry}>{(v) => (
        <>
          <h1>{v.cycle.scheme_id} · {formatPeriod(v.cycle.period)}</h1>
          <dl class="facts">
            <dt>{s('status')}</dt><dd data-field="status">{v.cycle.status}</dd>
            <dt>{s('approvals')}</dt><dd>{v.cycle.approvals_done} / {v.cycle.tiers.length} ({s('tiers')}: {v.cycle.tiers.join(', ')})</dd>
            <dt>{s('beneficiaries')}</dt><dd>{formatNumber(v.cycle.beneficiaries)}</dd>
            <dt>{s('total')}</dt><dd>{formatMoney(v.cycle.total_paise)}</dd>
            <dt>{s('budget')} {v.financial_year}</dt><dd>{formatMoney(v.budget_paise)}</dd>
            <dt>{s('remaining')}</dt><dd>{formatMoney(v.remaining_after_paise)} ({v.within_budget ? s('withinBudget') : s('overBudget')})</dd>
          </dl>
          {done && <p role="status" class="ok">{s('done')}</p>}
          {error !== null && <ErrorPanel error={error} />}
          <div class="actions">
            {v.cycle.status !== 'approved' && <button type="button" onClick={() => act('approve')}>{s('approve')}</button>}
            {v.cycle.status === 'approved' && (
              <>
                <label for="export-format" class="inline">{s('format')}</label>
                <select id="export-format" value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
                  <option value="pain.001">ISO 20022 pain.001</option><option value="csv">CSV</option>
                </select>
                <button type="button" onClick={() => act('export')}>{s('export')}</button>
              </>
            )}
          </div>
          <h2>{s('progress')}</h2>
          <table>
            <caption class="visually-hidden">{s('progress')}</caption>
            <thead><tr><th scope="col">{s('state')}</th><th scope="col">{s('count')}</th><th scope="col">{s('amount')}</th></tr></thead>
            <tbody>
              {Object.entries(v.progress.instructions).map(([state, x]) => (
                <tr key={state} data-state={state}><td>{state}</td><td>{formatNumber(x.count)}</td><td>{formatMoney(x.amount_paise)}</td></tr>
              ))}
            </tbody>
          </table>
          {v.progress.files.length > 0 && <CycleReturns id={id} />}
          {v.progress.files.length > 0 && (
            <>
              <h2>{s('files')}</h2>
              <table>
                <caption class="visually-hidden">{s('files')}</caption>
                <thead><tr><th scope="col">{s('bank')}</th><th scope="col">{s('file')}</th><th scope="col">{s('transactions')}</th><th scope="col">{s('controlSum')}</th><th scope="col">{s('status')}</th></tr></thead>
                <tbody>
                  {v.progress.files.map((f) => (
                    <tr key={f.message_id}><td>{f.bank}</td><td>{f.message_id}</td><td>{formatNumber(f.transactions)}</td><td>{formatMoney(f.control_sum_paise)}</td><td>{f.status}</td></tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}</Show>
    </section>
  );
}

// A cycle's bank files with what became of their payments, and the rejected and returned
// payments of the officer's area (GET /api/v1/cycles/{id}/returns).
interface CycleReturnRow { instruction_id: string; member_id: string; name: string; village: string; amount_paise: number;
  attempt: number; bank: string | null; outcome: string; reason_code: string; reason: string; next_step: string;
  who_acts: string; at: string; destination: string | null; status_now: string }
interface CycleReturnsView {
  files: { batch_id: number; message_id: string; bank: string; transactions: number; control_sum_paise: number;
    outcomes: Record<'sent' | 'accepted' | 'paid' | 'rejected' | 'returned', number> }[];
  returns: CycleReturnRow[] }

function CycleReturns({ id }: { id: string }) {
  const [loaded, retry] = useLoad((lang) => api.get<CycleReturnsView>(`/api/v1/cycles/${id}/returns?lang=${lang}`));
  useLang();
  const outcomes: Key[] = ['sent', 'accepted', 'paid', 'rejected', 'returned'];
  return (
    <Show loaded={loaded} retry={retry}>{(d) => (
      <>
        <h2>{s('filesAndReturns')}</h2>
        <div class="scroll" tabIndex={0} role="region" aria-label={s('filesAndReturns')}>
          <table id="cycle-files">
            <caption class="visually-hidden">{s('filesAndReturns')}</caption>
            <thead><tr><th scope="col">{s('bank')}</th><th scope="col">{s('file')}</th><th scope="col">{s('transactions')}</th>
              <th scope="col">{s('controlSum')}</th>{outcomes.map((k) => <th key={k} scope="col">{s(k)}</th>)}</tr></thead>
            <tbody>
              {d.files.map((f) => (
                <tr key={f.batch_id} data-bank={f.bank}>
                  <td>{f.bank}</td><td>{f.message_id}</td><td>{formatNumber(f.transactions)}</td><td>{formatMoney(f.control_sum_paise)}</td>
                  {outcomes.map((k) => <td key={k} data-outcome={k}>{formatNumber(f.outcomes[k as 'sent'] ?? 0)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2 id="cycle-returns">{s('returnsTitle')}</h2>
        <p>{s('cycleReturnsIntro')}</p>
        {d.returns.length === 0 ? <p>{s('noReturns')}</p> : (
          <div class="scroll" tabIndex={0} role="region" aria-labelledby="cycle-returns">
            <table aria-labelledby="cycle-returns">
              <thead><tr><th scope="col">{s('member')}</th><th scope="col">{s('village')}</th><th scope="col">{s('amount')}</th>
                <th scope="col">{s('bank')}</th><th scope="col">{s('outcome')}</th><th scope="col">{s('reason')}</th>
                <th scope="col">{s('nextStep')}</th><th scope="col">{s('destination')}</th><th scope="col">{s('when')}</th><th scope="col">{s('now')}</th></tr></thead>
              <tbody>
                {d.returns.map((r) => (
                  <tr key={`${r.instruction_id}/${r.attempt}`} data-instruction={r.instruction_id}>
                    <td>{r.name} ({r.member_id})</td><td>{r.village}</td><td>{formatMoney(r.amount_paise)}</td><td>{r.bank ?? ''}</td>
                    <td>{s(r.outcome === 'returned' ? 'returned' : 'rejected')}</td>
                    <td class="reason"><code>{r.reason_code}</code> {r.reason}</td>
                    <td>{r.next_step} ({r.who_acts})</td><td>{r.destination ?? ''}</td><td>{formatDate(r.at)}</td><td>{r.status_now}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    )}</Show>
  );
}

// --- officer: change requests ---
interface ChangeRequest { id: number; member_id: string | null; family_id: string; changes: Record<string, unknown>;
  reason: string; submitted_at: string; submitted_by: string; channel: string; kind: string }

function ChangeRequests() {
  const [loaded, retry] = useLoad(() =>
    api.get<{ change_requests: ChangeRequest[] }>('/api/v1/change-requests?status=pending'));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [notes, setNotes] = useState<Record<number, string>>({});
  useLang();
  const decide = async (e: Event | null, id: number, what: 'verify' | 'reject') => {
    e?.preventDefault();
    setError(null);
    setDone(false);
    try {
      await api.post(`/api/v1/change-requests/${id}/${what}`, what === 'reject' ? { note: notes[id] ?? '' } : undefined);
      setDone(true);
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{s('changesTitle')}</h1>
      {done && <p role="status" class="ok">{s('done')}</p>}
      {error !== null && <ErrorPanel error={error} />}
      <Show loaded={loaded} retry={retry}>{(d) => d.change_requests.length === 0 ? <p>{s('noChanges')}</p> : (
        <ul class="plain">
          {d.change_requests.map((c) => (
            <li key={c.id}>
              <article class="card" data-change={c.id} aria-labelledby={`cr-${c.id}`}>
                <h2 id={`cr-${c.id}`}>#{c.id} · {c.member_id ?? c.family_id}</h2>
                <dl class="facts">
                  <dt>{s('family')}</dt><dd>{c.family_id}</dd>
                  <dt>{s('changes')}</dt>
                  <dd>{Object.entries(c.changes).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${String(v)}`).join('; ')}</dd>
                  <dt>{s('reasonGiven')}</dt><dd>{c.reason}</dd>
                  <dt>{s('submitted')}</dt><dd>{formatDate(c.submitted_at)} · {c.submitted_by} ({c.channel})</dd>
                </dl>
                <button type="button" onClick={() => decide(null, c.id, 'verify')}>{s('verify')}<span class="visually-hidden"> #{c.id}</span></button>
                <form onSubmit={(e) => decide(e, c.id, 'reject')}>
                  <label for={`note-${c.id}`}>{s('rejectNote')}</label>
                  <input id={`note-${c.id}`} required value={notes[c.id] ?? ''}
                         onInput={(e) => setNotes({ ...notes, [c.id]: e.currentTarget.value })} />
                  <button type="submit" class="secondary">{s('reject')}<span class="visually-hidden"> #{c.id}</span></button>
                </form>
              </article>
            </li>
          ))}
        </ul>
      )}</Show>
    </section>
  );
}
