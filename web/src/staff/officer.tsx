// Officer console additions (staff chunk): grievances and re-entry cases by deadline with overdue
// and escalated ones marked (GET /api/v1/grievances), one ticket's page with interim reply,
// reassignment and resolution (POST .../interim-reply|reassign|resolve), the duplicate queue
// side by side with the decision (GET /api/v1/duplicates, POST .../decide), the scheme what-if
// with live checking and saving a new version (POST /api/v1/schemes/{id}/versions), enrolment
// notices, and applications waiting for review (GET /api/v1/applications, POST .../decide).
// English and Hindi.
import { useEffect, useState } from 'preact/hooks';
import { api, type Clause, type GrievanceDetail, type Member, type SchemeInfo } from '../api';
import { formatDate, formatMoney, formatNumber, getLang, useLang } from '../i18n';
import { linkTo } from '../router';
import { ErrorPanel, Show, useLoad } from '../ui';

const en = {
  grievancesTitle: 'Grievances and re-entry cases', intro: 'By reply date, the earliest first. Overdue and escalated ones are marked.',
  overdueOnly: 'Only overdue ones', ticket: 'Ticket', kind: 'Kind', category: 'Category', status: 'Status',
  deadline: 'Reply due by', holder: 'Held by', flags: 'Marks', open: 'Open', none: 'Nothing here.',
  overdue: 'Overdue', escalated: 'Escalated', grievance: 'Grievance', reentry: 'Re-entry case',
  back: 'All grievances', member: 'Member', description: 'Complaint', filed: 'Filed', channel: 'Channel',
  history: 'What has happened', interimDue: 'Interim reply due by', answer: 'The answer',
  interimTitle: 'Send an interim reply', reply: 'Reply (the citizen reads it)', send: 'Send',
  reassignTitle: 'Move it to another level', level: 'Level', reason: 'Reason', move: 'Move',
  resolveTitle: 'Resolve', outcome: 'Outcome', upheld: 'Upheld (the citizen is right)', rejected: 'Not accepted',
  resolveReason: 'Reason (the citizen reads it)', resolve: 'Resolve', done: 'Done.', fee: 'Fee charged at the centre',
  block: 'Block', district: 'District', state: 'State',
  duplicatesTitle: 'Possible duplicates', dupIntro: 'A new record held because it looks like a person already enrolled. Compare and decide.',
  held: 'Held record (new)', existing: 'Enrolled record', name: 'Name', dob: 'Date of birth', sex: 'Sex',
  relationship: 'Relationship', nationalId: 'National ID', phone: 'Phone', bank: 'Bank account', source: 'Source',
  why: 'Why it was held', village: 'Village', same: 'Same person (do not enrol again)', different: 'Different people (enrol)',
  noDuplicates: 'No possible duplicates wait for a decision.',
  whatIfTitle: 'Scheme what-if', whatIfIntro: 'Paste a scheme\'s YAML to see, over the whole registry, who would be eligible and what it would cost. Nothing is saved.',
  yaml: 'Scheme (YAML)', against: 'Compare with the version in force', asOf: 'Evaluate on (optional)', run: 'Run the what-if',
  result: 'Result', eligibleCount: 'Eligible', perPeriod: 'Cost per period', perYear: 'Cost per year', budgetYear: 'Budget per year',
  withinBudget: 'Within budget', overBudget: 'Over budget', versionInForce: 'Version in force', change: 'Change in cost per year',
  gain: 'Would become eligible', lose: 'Would lose eligibility', byDistrict: 'By district', bySex: 'By sex',
  otherYaml: 'Or compare with another version (YAML, optional)', otherHelp: 'When given, the result compares with this version instead of the one in force.', compared: 'Compared with',
  byCategory: 'By social category', byAge: 'By age band', evaluated: 'Evaluated on', amountFailures: 'Amounts that could not be worked out',
  checking: 'Checking…', checkOk: 'No errors: the rules read well.', checkErrors: 'Errors in the text',
  startFrom: 'Start from the rules of', load: 'Load the version in force', loaded: 'Loaded version {v}: edit it below.',
  lineCol: 'Line {l}, column {c}', lineOnly: 'Line {l}', checkHelp: 'Checked as you type; errors show with their line and column.',
  noticesTitle: 'Enrolment proposals and notices', noticesIntro: 'Who the eligibility job proposed for a scheme in your area, the notice sent, any objection, and when they were enrolled.',
  scheme: 'Scheme', show: 'Show', all: 'All', proposed: 'Proposed', noticed: 'Noticed (objection period)', enrolledS: 'Enrolled',
  withdrawn: 'Withdrawn', beneficiary: 'Beneficiary', amount: 'Amount', notice: 'Notice sent', objectUntil: 'Objections until',
  withdrawal: 'Objection or withdrawal', enrolledOn: 'Enrolled on', noProposals: 'No proposals.', by: 'by',
  ch_sms: 'SMS', ch_none: 'no phone (shown in the portal)',
  saveTitle: 'Save as a new version', saveVersion: 'Save as new version',
  saveDraft: 'Scheme {id} is not active: saving adds its next version, and nothing that is paid changes until the scheme is made active. A scheme that does not exist yet is refused: new schemes are added on the command line (spode scheme add).',
  saveActive: 'Scheme {id} is active (version {v} in force): the saved version {n} is in force at once. The next eligibility run, new applications and the next payment cycle use it; what was already paid does not change.',
  saveConfirm: 'I understand: the new version of this active scheme is in force as soon as it is saved',
  saveNeedsCheck: 'The text must check without errors before it can be saved.',
  savedAs: 'Saved as version {n} of {id}.', savedInForce: 'It is in force now.', savedNotInForce: 'It is not in force: the scheme is a {st}.',
  appsTitle: 'Applications to review', appsIntro: 'Applications in your area that the rules accepted and that wait for an officer\'s decision. You cannot decide an application you submitted.',
  noApps: 'No application waits for a decision.', submittedBy: 'Submitted by', on: 'on', rulesSay: 'What the rules found',
  note: 'Note (required to reject; the citizen reads it)', enrol: 'Enrol', rejectApp: 'Reject', noteRequired: 'Write a note saying why before rejecting.',
  decidedEnrol: 'Application {id}: enrolled.', decidedReject: 'Application {id}: rejected.', met: 'Met', notMet: 'Not met',
};
type Key = keyof typeof en;
const hi: Record<Key, string> = {
  grievancesTitle: 'शिकायतें और पुनः जोड़ने के मामले', intro: 'उत्तर की तिथि के क्रम में, सबसे पहले वाली ऊपर। समय से पीछे और आगे भेजी गई शिकायतें चिह्नित हैं।',
  overdueOnly: 'केवल समय से पीछे वाली', ticket: 'टिकट', kind: 'प्रकार', category: 'श्रेणी', status: 'स्थिति',
  deadline: 'उत्तर की अंतिम तिथि', holder: 'किसके पास', flags: 'चिह्न', open: 'खोलें', none: 'यहाँ कुछ नहीं है।',
  overdue: 'समय से पीछे', escalated: 'आगे भेजी गई', grievance: 'शिकायत', reentry: 'पुनः जोड़ने का मामला',
  back: 'सभी शिकायतें', member: 'सदस्य', description: 'शिकायत', filed: 'दर्ज', channel: 'माध्यम',
  history: 'अब तक क्या हुआ', interimDue: 'अंतरिम उत्तर की अंतिम तिथि', answer: 'उत्तर',
  interimTitle: 'अंतरिम उत्तर भेजें', reply: 'उत्तर (नागरिक इसे पढ़ेगा)', send: 'भेजें',
  reassignTitle: 'दूसरे स्तर पर भेजें', level: 'स्तर', reason: 'कारण', move: 'भेजें',
  resolveTitle: 'निपटारा करें', outcome: 'परिणाम', upheld: 'स्वीकृत (नागरिक सही है)', rejected: 'स्वीकार नहीं',
  resolveReason: 'कारण (नागरिक इसे पढ़ेगा)', resolve: 'निपटारा करें', done: 'हो गया।', fee: 'केंद्र पर लिया गया शुल्क',
  block: 'ब्लॉक', district: 'ज़िला', state: 'राज्य',
  duplicatesTitle: 'संभावित दोहराव', dupIntro: 'नया रिकॉर्ड रोका गया है क्योंकि यह पहले से नामांकित व्यक्ति जैसा दिखता है। तुलना करके निर्णय लें।',
  held: 'रोका गया रिकॉर्ड (नया)', existing: 'नामांकित रिकॉर्ड', name: 'नाम', dob: 'जन्म तिथि', sex: 'लिंग',
  relationship: 'संबंध', nationalId: 'राष्ट्रीय आईडी', phone: 'फ़ोन', bank: 'बैंक खाता', source: 'स्रोत',
  why: 'रोकने का कारण', village: 'गाँव', same: 'एक ही व्यक्ति (दोबारा नामांकन नहीं)', different: 'अलग-अलग व्यक्ति (नामांकन करें)',
  noDuplicates: 'कोई संभावित दोहराव निर्णय की प्रतीक्षा में नहीं है।',
  whatIfTitle: 'योजना का अनुमान (क्या होगा यदि)', whatIfIntro: 'योजना का YAML चिपकाएँ और देखें कि पूरे रजिस्टर में कौन पात्र होगा और कितना खर्च होगा। कुछ भी सहेजा नहीं जाता।',
  yaml: 'योजना (YAML)', against: 'लागू संस्करण से तुलना करें', asOf: 'इस तिथि पर आकलन (वैकल्पिक)', run: 'अनुमान चलाएँ',
  result: 'परिणाम', eligibleCount: 'पात्र', perPeriod: 'प्रति अवधि खर्च', perYear: 'प्रति वर्ष खर्च', budgetYear: 'प्रति वर्ष बजट',
  withinBudget: 'बजट के भीतर', overBudget: 'बजट से अधिक', versionInForce: 'लागू संस्करण', change: 'प्रति वर्ष खर्च में बदलाव',
  gain: 'जो पात्र हो जाएँगे', lose: 'जिनकी पात्रता समाप्त होगी', byDistrict: 'ज़िले के अनुसार', bySex: 'लिंग के अनुसार',
  otherYaml: 'या किसी दूसरे संस्करण से तुलना करें (YAML, वैकल्पिक)', otherHelp: 'यदि दिया गया, तो परिणाम लागू संस्करण के बजाय इस संस्करण से तुलना करेगा।', compared: 'तुलना',
  byCategory: 'सामाजिक श्रेणी के अनुसार', byAge: 'आयु वर्ग के अनुसार', evaluated: 'आकलन की तिथि', amountFailures: 'जिन राशियों की गणना नहीं हो सकी',
  checking: 'जाँच हो रही है…', checkOk: 'कोई त्रुटि नहीं: नियम ठीक हैं।', checkErrors: 'पाठ में त्रुटियाँ',
  startFrom: 'इस योजना के नियमों से शुरू करें', load: 'लागू संस्करण लोड करें', loaded: 'संस्करण {v} लोड हुआ: नीचे बदलें।',
  lineCol: 'पंक्ति {l}, स्तंभ {c}', lineOnly: 'पंक्ति {l}', checkHelp: 'लिखते समय जाँच होती है; त्रुटियाँ पंक्ति और स्तंभ के साथ दिखती हैं।',
  noticesTitle: 'नामांकन प्रस्ताव और सूचनाएँ', noticesIntro: 'आपके क्षेत्र में किसी योजना के लिए पात्रता जाँच ने किसे प्रस्तावित किया, भेजी गई सूचना, कोई आपत्ति, और नामांकन कब हुआ।',
  scheme: 'योजना', show: 'दिखाएँ', all: 'सभी', proposed: 'प्रस्तावित', noticed: 'सूचित (आपत्ति अवधि)', enrolledS: 'नामांकित',
  withdrawn: 'वापस लिया गया', beneficiary: 'लाभार्थी', amount: 'राशि', notice: 'सूचना भेजी गई', objectUntil: 'आपत्ति की अंतिम तिथि',
  withdrawal: 'आपत्ति या वापसी', enrolledOn: 'नामांकन की तिथि', noProposals: 'कोई प्रस्ताव नहीं।', by: 'द्वारा',
  ch_sms: 'एसएमएस', ch_none: 'फ़ोन नहीं (पोर्टल में दिखाई गई)',
  saveTitle: 'नए संस्करण के रूप में सहेजें', saveVersion: 'नया संस्करण सहेजें',
  saveDraft: 'योजना {id} सक्रिय नहीं है: सहेजने पर इसका अगला संस्करण जुड़ेगा, और योजना सक्रिय होने तक किसी भुगतान में बदलाव नहीं होगा। जो योजना अभी नहीं है वह अस्वीकार होगी: नई योजनाएँ कमांड लाइन से जोड़ी जाती हैं (spode scheme add)।',
  saveActive: 'योजना {id} सक्रिय है (संस्करण {v} लागू): सहेजा गया संस्करण {n} तुरंत लागू होगा। अगली पात्रता जाँच, नए आवेदन और अगला भुगतान चक्र इसी से चलेंगे; जो भुगतान हो चुका है वह नहीं बदलेगा।',
  saveConfirm: 'मैं समझता/समझती हूँ: इस सक्रिय योजना का नया संस्करण सहेजते ही लागू हो जाएगा',
  saveNeedsCheck: 'सहेजने से पहले पाठ बिना त्रुटि के जाँचा जाना चाहिए।',
  savedAs: '{id} का संस्करण {n} सहेजा गया।', savedInForce: 'यह अब लागू है।', savedNotInForce: 'यह लागू नहीं है: योजना की स्थिति {st} है।',
  appsTitle: 'समीक्षा के लिए आवेदन', appsIntro: 'आपके क्षेत्र के वे आवेदन जिन्हें नियमों ने स्वीकार किया और जो अधिकारी के निर्णय की प्रतीक्षा में हैं। आप अपना जमा किया हुआ आवेदन तय नहीं कर सकते।',
  noApps: 'कोई आवेदन निर्णय की प्रतीक्षा में नहीं है।', submittedBy: 'जमा करने वाले', on: 'को', rulesSay: 'नियमों ने क्या पाया',
  note: 'टिप्पणी (अस्वीकार करने के लिए आवश्यक; नागरिक इसे पढ़ेगा)', enrol: 'नामांकन करें', rejectApp: 'अस्वीकार करें', noteRequired: 'अस्वीकार करने से पहले कारण लिखें।',
  decidedEnrol: 'आवेदन {id}: नामांकित।', decidedReject: 'आवेदन {id}: अस्वीकृत।', met: 'पूरी', notMet: 'पूरी नहीं',
};
const s = (k: Key): string => (getLang() === 'hi' ? hi : en)[k];

interface Row { ticket: string; kind: string; category: string; status: string; deadline: string; overdue: boolean;
  escalations: number; holder: { level: string; area_code: string; bank: string | null }; member_id?: string }

function Flags({ overdue, escalations }: { overdue: boolean; escalations: number }) {
  return (
    <>
      {overdue && <span class="flag overdue-flag">{s('overdue')}</span>}
      {escalations > 0 && <span class="flag escalated-flag">{s('escalated')} ×{escalations}</span>}
    </>
  );
}

export function Grievances() {
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [loaded, retry] = useLoad(async () => {
    const r = await api.get<{ grievances: Row[] }>(`/api/v1/grievances?page_size=100${overdueOnly ? '&overdue=true' : ''}`);
    return [...r.grievances].sort((a, b) => a.deadline.localeCompare(b.deadline));
  });
  useLang();
  return (
    <section>
      <h1>{s('grievancesTitle')}</h1>
      <p>{s('intro')}</p>
      <p>
        <label class="inline" for="overdue-only">
          <input id="overdue-only" type="checkbox" checked={overdueOnly}
                 onChange={(e) => { setOverdueOnly(e.currentTarget.checked); setTimeout(retry, 0); }} /> {s('overdueOnly')}
        </label>
      </p>
      <Show loaded={loaded} retry={retry}>{(rows) => rows.length === 0 ? <p>{s('none')}</p> : (
        <div class="scroll" tabIndex={0} role="region" aria-label={s('grievancesTitle')}>
          <table>
            <caption class="visually-hidden">{s('grievancesTitle')}</caption>
            <thead><tr><th scope="col">{s('ticket')}</th><th scope="col">{s('kind')}</th><th scope="col">{s('category')}</th>
              <th scope="col">{s('status')}</th><th scope="col">{s('deadline')}</th><th scope="col">{s('holder')}</th><th scope="col">{s('flags')}</th></tr></thead>
            <tbody>
              {rows.map((g) => (
                <tr key={g.ticket} data-ticket={g.ticket} class={g.overdue ? 'overdue' : g.escalations > 0 ? 'escalated' : undefined}>
                  <td><a href={`/staff/grievances/${g.ticket}`} onClick={linkTo}>{g.ticket}</a></td>
                  <td>{g.kind === 'reentry' ? s('reentry') : s('grievance')}</td>
                  <td>{g.category.replace(/_/g, ' ')}</td><td>{g.status}</td><td>{formatDate(g.deadline)}</td>
                  <td>{g.holder.level} {g.holder.area_code}{g.holder.bank ? ` · ${g.holder.bank}` : ''}</td>
                  <td><Flags overdue={g.overdue} escalations={g.escalations} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}</Show>
    </section>
  );
}

type Detail = GrievanceDetail & { kind: string; channel: string; interim_due?: string; member_id?: string;
  assisted?: { centre: string; fee_paise: number } };

export function GrievanceDetailPage({ ticket }: { ticket: string }) {
  const [loaded, retry] = useLoad((lang) => api.get<Detail>(`/api/v1/grievances/${ticket}?lang=${lang}`));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [reply, setReply] = useState('');
  const [level, setLevel] = useState('district');
  const [moveReason, setMoveReason] = useState('');
  const [outcome, setOutcome] = useState('upheld');
  const [reason, setReason] = useState('');
  useLang();
  const act = async (e: Event, what: string, body: unknown) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await api.post(`/api/v1/grievances/${ticket}/${what}`, body);
      setDone(true);
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <p><a href="/staff/grievances" onClick={linkTo}>{s('back')}</a></p>
      <Show loaded={loaded} retry={retry}>{(g) => (
        <>
          <h1>{g.ticket}</h1>
          <p><Flags overdue={g.overdue} escalations={g.escalations} /></p>
          <dl class="facts">
            <dt>{s('kind')}</dt><dd>{g.kind === 'reentry' ? s('reentry') : s('grievance')}</dd>
            <dt>{s('category')}</dt><dd>{g.category.replace(/_/g, ' ')}</dd>
            <dt>{s('status')}</dt><dd data-field="status">{g.status}</dd>
            {g.member_id && <><dt>{s('member')}</dt><dd>{g.member_id}</dd></>}
            <dt>{s('description')}</dt><dd>{g.description}</dd>
            <dt>{s('filed')}</dt><dd>{formatDate(g.filed_at)} · {g.channel}</dd>
            <dt>{s('holder')}</dt><dd>{g.holder.level} {g.holder.area_code}{g.holder.bank ? ` · ${g.holder.bank}` : ''}</dd>
            <dt>{s('deadline')}</dt><dd>{formatDate(g.deadline)}</dd>
            {g.interim_due && <><dt>{s('interimDue')}</dt><dd>{formatDate(g.interim_due)}</dd></>}
            {g.assisted && <><dt>{s('fee')}</dt><dd>{g.assisted.centre}: ₹{(g.assisted.fee_paise / 100).toFixed(2)}</dd></>}
            {g.resolution && <><dt>{s('answer')}</dt><dd data-field="answer">{g.resolution.outcome}: {g.resolution.reason}</dd></>}
          </dl>
          <h2>{s('history')}</h2>
          <ol class="history">
            {g.history.map((h, i) => <li key={i}><span class="muted">{formatDate(h.at)}</span> {h.text}</li>)}
          </ol>
          {done && <p role="status" class="ok">{s('done')}</p>}
          {error !== null && <ErrorPanel error={error} />}
          {!g.resolution && (
            <>
              <h2>{s('interimTitle')}</h2>
              <form onSubmit={(e) => act(e, 'interim-reply', { reply })}>
                <label for="g-reply">{s('reply')}</label>
                <textarea id="g-reply" required rows={3} value={reply} onInput={(e) => setReply(e.currentTarget.value)} />
                <button type="submit">{s('send')}</button>
              </form>
              <h2>{s('reassignTitle')}</h2>
              <form onSubmit={(e) => act(e, 'reassign', { level, reason: moveReason })}>
                <label for="g-level">{s('level')}</label>
                <select id="g-level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
                  <option value="block">{s('block')}</option><option value="district">{s('district')}</option><option value="state">{s('state')}</option>
                </select>
                <label for="g-move-reason">{s('reason')}</label>
                <input id="g-move-reason" required value={moveReason} onInput={(e) => setMoveReason(e.currentTarget.value)} />
                <button type="submit">{s('move')}</button>
              </form>
              <h2>{s('resolveTitle')}</h2>
              <form onSubmit={(e) => act(e, 'resolve', { outcome, reason })}>
                <label for="g-outcome">{s('outcome')}</label>
                <select id="g-outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
                  <option value="upheld">{s('upheld')}</option><option value="rejected">{s('rejected')}</option>
                </select>
                <label for="g-reason">{s('resolveReason')}</label>
                <textarea id="g-reason" required rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                <button type="submit">{s('resolve')}</button>
              </form>
            </>
          )}
        </>
      )}</Show>
    </section>
  );
}

interface Dup { id: number; family_id: string; village: string; reason: string; held_at: string; status: string;
  held_member: Member; existing_member: Member }

function Side({ title, m }: { title: string; m: Member }) {
  return (
    <section class="card" aria-label={`${title}: ${m.name}`}>
      <h3>{title}</h3>
      <dl class="facts">
        <dt>{s('member')}</dt><dd>{m.member_id}</dd>
        <dt>{s('name')}</dt><dd data-field="name">{m.name}{m.name_local ? ` (${m.name_local})` : ''}</dd>
        <dt>{s('dob')}</dt><dd>{formatDate(m.dob)}</dd>
        <dt>{s('sex')}</dt><dd>{m.sex}</dd>
        <dt>{s('relationship')}</dt><dd>{m.relationship}</dd>
        <dt>{s('nationalId')}</dt><dd>{m.national_id ?? '—'}</dd>
        <dt>{s('phone')}</dt><dd>{m.phone ?? '—'}</dd>
        <dt>{s('bank')}</dt><dd>{m.bank_account ? `${m.bank_account.account} · ${m.bank_account.ifsc}` : '—'}</dd>
        <dt>{s('source')}</dt><dd>{m.provenance ? `${m.provenance.source ?? ''} · ${m.provenance.verification ?? ''}` : '—'}</dd>
      </dl>
    </section>
  );
}

export function Duplicates() {
  const [loaded, retry] = useLoad(() => api.get<{ duplicates: Dup[] }>('/api/v1/duplicates'));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  useLang();
  const decide = async (id: number, decision: 'same_person' | 'different_people') => {
    setError(null);
    setDone(false);
    try {
      await api.post(`/api/v1/duplicates/${id}/decide`, { decision });
      setDone(true);
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{s('duplicatesTitle')}</h1>
      <p>{s('dupIntro')}</p>
      {done && <p role="status" class="ok">{s('done')}</p>}
      {error !== null && <ErrorPanel error={error} />}
      <Show loaded={loaded} retry={retry}>{(d) => {
        const pending = d.duplicates.filter((x) => x.status === 'pending');
        return pending.length === 0 ? <p>{s('noDuplicates')}</p> : (
          <ul class="plain">
            {pending.map((x) => (
              <li key={x.id}>
                <article class="card" data-duplicate={x.id} aria-labelledby={`dup-${x.id}`}>
                  <h2 id={`dup-${x.id}`}>#{x.id} · {x.held_member.name} / {x.existing_member.name}</h2>
                  <p><strong>{s('why')}:</strong> {x.reason} · {s('village')} {x.village} · {formatDate(x.held_at)}</p>
                  <div class="side-by-side">
                    <Side title={s('held')} m={x.held_member} />
                    <Side title={s('existing')} m={x.existing_member} />
                  </div>
                  <div class="actions">
                    <button type="button" onClick={() => decide(x.id, 'same_person')}>{s('same')}<span class="visually-hidden"> #{x.id}</span></button>
                    <button type="button" class="secondary" onClick={() => decide(x.id, 'different_people')}>{s('different')}<span class="visually-hidden"> #{x.id}</span></button>
                  </div>
                </article>
              </li>
            ))}
          </ul>
        );
      }}</Show>
    </section>
  );
}

interface Breakdown { by_age_band: Record<string, number>; by_district: Record<string, number>;
  by_sex: Record<string, number>; by_social_category: Record<string, number>; count: number; sample_member_ids?: string[] }
interface Cost { per_period_paise: number; per_year_paise: number }
interface Simulation { scheme: string; version: number; unit: string; evaluation_date: string; amount_failures: number;
  eligible: Breakdown; cost: Cost; budget: { per_year_paise: number; within_budget: boolean };
  against?: { scheme: string; version: number; eligible: number; cost: Cost };
  gain?: Breakdown; lose?: Breakdown; cost_change?: Cost }

// A bar chart as a table (readable without the bars): each row's bar is its share of the largest.
function Bars({ title, data }: { title: string; data: Record<string, number> }) {
  const entries = Object.entries(data);
  if (entries.length === 0) return null;
  const max = Math.max(...entries.map(([, v]) => v), 1);
  return (
    <table class="bars">
      <caption>{title}</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}><th scope="row">{k}</th><td>{formatNumber(v)}</td>
            <td class="bar-cell" aria-hidden="true"><span class="bar" style={{ width: `${(100 * v) / max}%` }} /></td></tr>
        ))}
      </tbody>
    </table>
  );
}

function Breakdowns({ b }: { b: Breakdown }) {
  return (
    <div class="side-by-side">
      <Bars title={s('byDistrict')} data={b.by_district} />
      <Bars title={s('bySex')} data={b.by_sex} />
      <Bars title={s('byCategory')} data={b.by_social_category} />
      <Bars title={s('byAge')} data={b.by_age_band} />
    </div>
  );
}

export function WhatIf() {
  const [yaml, setYaml] = useState('');
  const [against, setAgainst] = useState(true);
  const [other, setOther] = useState('');
  const [date, setDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<Simulation | null>(null);
  const check = useCheck(yaml);
  const lang = useLang();
  const [schemes] = useLoad(() => api.schemes());
  const [base, setBase] = useState('');
  const [loadedVersion, setLoadedVersion] = useState<number | null>(null);
  const list = schemes.state === 'ok' ? schemes.data.schemes : [];
  const chosen = base || list[0]?.id || '';
  const loadSource = async () => {
    setError(null);
    try {
      const r = await api.get<{ source: string; version: number }>(`/api/v1/schemes/${encodeURIComponent(chosen)}/source`);
      setYaml(r.source);
      setLoadedVersion(r.version);
    } catch (err) {
      setError(err);
    }
  };
  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      setResult(await api.post<Simulation>('/api/v1/schemes/simulate',
        { scheme: yaml, ...(other.trim() ? { against: other } : { against_active: against }), ...(date ? { date } : {}) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <h1>{s('whatIfTitle')}</h1>
      <p>{s('whatIfIntro')}</p>
      {list.length > 0 && (
        <div class="filters">
          <label for="wi-base">{s('startFrom')}</label>
          <select id="wi-base" value={chosen} onChange={(e) => setBase(e.currentTarget.value)}>
            {list.map((x) => <option key={x.id} value={x.id}>{x.name[lang]}</option>)}
          </select>
          <button type="button" class="secondary" onClick={loadSource}>{s('load')}</button>
        </div>
      )}
      {loadedVersion !== null && <p role="status" class="muted">{s('loaded').replace('{v}', String(loadedVersion))}</p>}
      <form onSubmit={run}>
        <label for="wi-yaml">{s('yaml')}</label>
        <textarea id="wi-yaml" class="code" required rows={16} spellcheck={false} value={yaml}
                  aria-describedby="wi-yaml-help wi-check" aria-invalid={check?.ok === false ? 'true' : undefined}
                  onInput={(e) => setYaml(e.currentTarget.value)} />
        <p id="wi-yaml-help" class="help">{s('checkHelp')}</p>
        <CheckResult check={check} />
        <label class="inline" for="wi-against">
          <input id="wi-against" type="checkbox" checked={against} disabled={other.trim() !== ''}
                 onChange={(e) => setAgainst(e.currentTarget.checked)} /> {s('against')}
        </label>
        <label for="wi-other">{s('otherYaml')}</label>
        <textarea id="wi-other" class="code" rows={6} spellcheck={false} value={other} aria-describedby="wi-other-help"
                  onInput={(e) => setOther(e.currentTarget.value)} />
        <p id="wi-other-help" class="help">{s('otherHelp')}</p>
        <label for="wi-date">{s('asOf')}</label>
        <input id="wi-date" type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{s('run')}</button>
      </form>
      {error !== null && <ErrorPanel error={error} />}
      <SaveVersion yaml={yaml} check={check} schemes={list} />
      {result && (
        <section aria-labelledby="wi-result" id="whatif-result">
          <h2 id="wi-result">{s('result')}: {result.scheme} v{result.version}</h2>
          <dl class="facts">
            <dt>{s('eligibleCount')}</dt><dd data-field="eligible">{formatNumber(result.eligible.count)}</dd>
            <dt>{s('perPeriod')}</dt><dd>{formatMoney(result.cost.per_period_paise)}</dd>
            <dt>{s('perYear')}</dt><dd data-field="per-year">{formatMoney(result.cost.per_year_paise)}</dd>
            <dt>{s('budgetYear')}</dt><dd>{formatMoney(result.budget.per_year_paise)} ({result.budget.within_budget ? s('withinBudget') : s('overBudget')})</dd>
            <dt>{s('evaluated')}</dt><dd>{formatDate(result.evaluation_date)}</dd>
            {result.amount_failures > 0 && <><dt>{s('amountFailures')}</dt><dd>{formatNumber(result.amount_failures)}</dd></>}
            {result.against && <>
              <dt>{other.trim() ? s('compared') : s('versionInForce')}</dt>
              <dd>v{result.against.version}: {formatNumber(result.against.eligible)} · {formatMoney(result.against.cost.per_year_paise)}</dd>
            </>}
            {result.cost_change && <><dt>{s('change')}</dt><dd data-field="cost-change">{formatMoney(result.cost_change.per_year_paise)}</dd></>}
            {result.gain && <><dt>{s('gain')}</dt><dd data-field="gain">{formatNumber(result.gain.count)}</dd></>}
            {result.lose && <><dt>{s('lose')}</dt><dd data-field="lose">{formatNumber(result.lose.count)}</dd></>}
          </dl>
          <h3>{s('eligibleCount')}</h3>
          <Breakdowns b={result.eligible} />
          {result.gain && result.gain.count > 0 && <><h3>{s('gain')}</h3><Breakdowns b={result.gain} /></>}
          {result.lose && result.lose.count > 0 && <><h3>{s('lose')}</h3><Breakdowns b={result.lose} /></>}
        </section>
      )}
    </section>
  );
}

// --- live checking of a scheme's text (POST /api/v1/schemes/check), debounced ---
interface Diagnostic { line: number | null; column: number | null; message: string }
interface Check { ok: boolean; diagnostics: Diagnostic[]; pending?: boolean; error?: unknown;
  scheme?: { id: string; version: number } | null }

function useCheck(text: string): Check | null {
  const [check, setCheck] = useState<Check | null>(null);
  useEffect(() => {
    if (!text.trim()) {
      setCheck(null);
      return;
    }
    let live = true;
    setCheck((c) => (c ? { ...c, pending: true } : { ok: true, diagnostics: [], pending: true }));
    const timer = setTimeout(() => {
      api.post<Check>('/api/v1/schemes/check', { scheme: text }).then(
        (r) => live && setCheck(r),
        (error: unknown) => live && setCheck({ ok: false, diagnostics: [], error }),
      );
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);
  return check;
}

function CheckResult({ check }: { check: Check | null }) {
  useLang();
  const where = (d: Diagnostic) => d.line === null ? ''
    : (d.column === null ? s('lineOnly') : s('lineCol').replace('{c}', formatNumber(d.column))).replace('{l}', formatNumber(d.line));
  return (
    <div id="wi-check" class="check" role="status" aria-live="polite" data-state={
      !check ? 'empty' : check.pending ? 'pending' : check.ok ? 'ok' : 'errors'}>
      {check?.pending && <p class="muted">{s('checking')}</p>}
      {check && !check.pending && check.error !== undefined && <ErrorPanel error={check.error} />}
      {check && !check.pending && check.error === undefined && (check.ok
        ? <p class="ok">{s('checkOk')}</p>
        : (
          <>
            <p class="diag-title"><strong>{s('checkErrors')}</strong></p>
            <ul class="diagnostics">
              {check.diagnostics.map((d, i) => (
                <li key={i} data-line={d.line ?? ''} data-column={d.column ?? ''}>
                  {where(d) && <strong>{where(d)}: </strong>}{d.message}
                </li>
              ))}
            </ul>
          </>
        ))}
    </div>
  );
}

// --- enrolment proposals and notices (GET /api/v1/schemes/{id}/notices) ---
interface Proposal { proposal_id: number; unit: string; member_id: string | null; name: string | null; family_id: string;
  village: string; amount_paise: number; status: string; proposed_at: string;
  notice: { channel: string; language: string; sent_at: string; objection_until: string } | null;
  withdrawal: { reason_code: string; reason: string; by: string; at: string } | null;
  enrolment: { enrolment_id: number; enrolled_at: string | null; status: string } | null }
interface NoticesView { scheme_id: string; counts: Record<string, number>; proposals: Proposal[] }

const statusKeys: Record<string, Key> = { proposed: 'proposed', noticed: 'noticed', enrolled: 'enrolledS', withdrawn: 'withdrawn' };

export function Notices() {
  const lang = useLang();
  const [scheme, setScheme] = useState('');
  const [status, setStatus] = useState('');
  const [schemes] = useLoad(() => api.schemes());
  const chosen = scheme || (schemes.state === 'ok' ? schemes.data.schemes[0]?.id ?? '' : '');
  return (
    <section>
      <h1>{s('noticesTitle')}</h1>
      <p>{s('noticesIntro')}</p>
      <Show loaded={schemes} retry={() => undefined}>{(d) => (
        <div class="filters">
          <label for="n-scheme">{s('scheme')}</label>
          <select id="n-scheme" value={chosen} onChange={(e) => setScheme(e.currentTarget.value)}>
            {d.schemes.map((x) => <option key={x.id} value={x.id}>{x.name[lang]}</option>)}
          </select>
          <label for="n-status">{s('show')}</label>
          <select id="n-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">{s('all')}</option>
            {Object.entries(statusKeys).map(([v, k]) => <option key={v} value={v}>{s(k)}</option>)}
          </select>
        </div>
      )}</Show>
      {chosen && <NoticeList key={`${chosen}/${status}`} scheme={chosen} status={status} />}
    </section>
  );
}

function NoticeList({ scheme, status }: { scheme: string; status: string }) {
  const [loaded, retry] = useLoad(() => api.get<NoticesView>(
    `/api/v1/schemes/${encodeURIComponent(scheme)}/notices${status ? `?status=${status}` : ''}`));
  useLang();
  return (
    <Show loaded={loaded} retry={retry}>{(v) => (
      <>
        <dl class="facts" id="notice-counts">
          {Object.entries(statusKeys).map(([st, k]) => (
            <><dt key={`k${st}`}>{s(k)}</dt><dd key={`v${st}`} data-count={st}>{formatNumber(v.counts[st] ?? 0)}</dd></>
          ))}
        </dl>
        {v.proposals.length === 0 ? <p>{s('noProposals')}</p> : (
          <div class="scroll" tabIndex={0} role="region" aria-label={s('noticesTitle')}>
            <table id="notices">
              <caption class="visually-hidden">{s('noticesTitle')}</caption>
              <thead><tr><th scope="col">{s('beneficiary')}</th><th scope="col">{s('village')}</th><th scope="col">{s('amount')}</th>
                <th scope="col">{s('status')}</th><th scope="col">{s('notice')}</th><th scope="col">{s('objectUntil')}</th>
                <th scope="col">{s('withdrawal')}</th><th scope="col">{s('enrolledOn')}</th></tr></thead>
              <tbody>
                {v.proposals.map((p) => (
                  <tr key={p.proposal_id} data-proposal={p.proposal_id} data-status={p.status}>
                    <td>{p.name ? `${p.name} (${p.member_id})` : p.family_id}</td><td>{p.village}</td>
                    <td>{formatMoney(p.amount_paise)}</td><td>{s(statusKeys[p.status] ?? 'proposed')}</td>
                    <td>{p.notice ? `${formatDate(p.notice.sent_at)} · ${s(p.notice.channel === 'sms' ? 'ch_sms' : 'ch_none')} · ${p.notice.language}` : ''}</td>
                    <td>{p.notice ? formatDate(p.notice.objection_until) : ''}</td>
                    <td class="withdrawal">{p.withdrawal ? `${p.withdrawal.reason} (${s('by')} ${p.withdrawal.by}, ${formatDate(p.withdrawal.at)})` : ''}</td>
                    <td>{p.enrolment?.enrolled_at ? formatDate(p.enrolment.enrolled_at) : ''}</td>
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

// --- saving the edited text as the scheme's next version (POST /api/v1/schemes/{id}/versions) ---
interface Saved { scheme_id: string; version: number; status: string; in_force: boolean }

function SaveVersion({ yaml, check, schemes }: { yaml: string; check: Check | null;
  schemes: SchemeInfo[] }) {
  useLang();
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<Saved | null>(null);
  const ready = !!check && !check.pending && check.ok && !!check.scheme;
  const id = ready ? check!.scheme!.id : '';
  // The public list holds the active schemes: any other is a draft, suspended or unknown.
  const known = schemes.find((x) => x.id === id);
  const mine = saved && saved.scheme_id === id ? saved : null;
  const status = mine ? mine.status : known ? 'active' : '';
  const inForce = mine ? mine.version : known?.version ?? 0;
  const fill = (k: Key) => s(k).replace('{id}', id).replace('{v}', String(inForce)).replace('{n}', String(inForce + 1));
  const save = async () => {
    setError(null);
    setSaved(null);
    setBusy(true);
    try {
      setSaved(await api.post<Saved>(`/api/v1/schemes/${encodeURIComponent(id)}/versions`,
        { scheme: yaml, ...(status === 'active' ? { confirm_active: confirm } : {}) }));
      setConfirm(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="sv-title" id="save-version">
      <h2 id="sv-title">{s('saveTitle')}</h2>
      {!ready ? <p class="muted">{s('saveNeedsCheck')}</p> : (
        <>
          <p id="sv-what">{status === 'active' ? fill('saveActive') : fill('saveDraft')}</p>
          {status === 'active' && (
            <label class="inline" for="sv-confirm">
              <input id="sv-confirm" type="checkbox" checked={confirm} aria-describedby="sv-what"
                     onChange={(e) => setConfirm(e.currentTarget.checked)} /> {s('saveConfirm')}
            </label>
          )}
          <button type="button" id="sv-save" disabled={busy || (status === 'active' && !confirm)}
                  aria-describedby="sv-what" onClick={save}>{s('saveVersion')}</button>
        </>
      )}
      {error !== null && <ErrorPanel error={error} />}
      {saved && (
        <p role="status" class="ok" id="sv-saved" data-version={saved.version}>
          {s('savedAs').replace('{n}', String(saved.version)).replace('{id}', saved.scheme_id)}{' '}
          {saved.in_force ? s('savedInForce') : s('savedNotInForce').replace('{st}', saved.status)}
        </p>
      )}
    </section>
  );
}

// --- applications waiting for an officer's review (GET /api/v1/applications, POST .../decide) ---
interface PendingApplication { application_id: number; scheme_id: string; scheme_version: number; unit: string;
  member_id: string | null; name: string | null; family_id: string; village: string; channel: string;
  submitted_by: string; submitted_at: string; eligible: boolean; explanation: { clauses?: Clause[] } | null }

export function Applications() {
  const lang = useLang();
  const [scheme, setScheme] = useState('');
  const [schemes] = useLoad(() => api.schemes());
  const names: Record<string, string> = {};
  if (schemes.state === 'ok') for (const x of schemes.data.schemes) names[x.id] = x.name[lang];
  return (
    <section>
      <h1>{s('appsTitle')}</h1>
      <p>{s('appsIntro')}</p>
      <div class="filters">
        <label for="app-scheme">{s('scheme')}</label>
        <select id="app-scheme" value={scheme} onChange={(e) => setScheme(e.currentTarget.value)}>
          <option value="">{s('all')}</option>
          {Object.entries(names).map(([id, name]) => <option key={id} value={id}>{name}</option>)}
        </select>
      </div>
      <ApplicationList key={scheme} scheme={scheme} names={names} />
    </section>
  );
}

function ApplicationList({ scheme, names }: { scheme: string; names: Record<string, string> }) {
  useLang();
  const [loaded, retry] = useLoad(() => api.get<{ applications: PendingApplication[] }>(
    `/api/v1/applications?status=pending${scheme ? `&scheme=${encodeURIComponent(scheme)}` : ''}`));
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<number | null>(null);
  const [done, setDone] = useState('');
  const decide = async (id: number, decision: 'enrol' | 'reject') => {
    setError(null);
    setDone('');
    setMissing(null);
    const note = (notes[id] ?? '').trim();
    if (decision === 'reject' && !note) {
      setMissing(id);
      document.getElementById(`app-note-${id}`)?.focus();
      return;
    }
    try {
      await api.post(`/api/v1/applications/${id}/decide`, { decision, ...(note ? { note } : {}) });
      setDone(s(decision === 'enrol' ? 'decidedEnrol' : 'decidedReject').replace('{id}', String(id)));
      retry();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      {done && <p role="status" class="ok">{done}</p>}
      {error !== null && <ErrorPanel error={error} />}
      <Show loaded={loaded} retry={retry}>{(d) => d.applications.length === 0 ? <p>{s('noApps')}</p> : (
        <ul class="plain">
          {d.applications.map((a) => (
            <li key={a.application_id}>
              <article class="card" data-application={a.application_id} aria-labelledby={`app-${a.application_id}`}>
                <h2 id={`app-${a.application_id}`}>#{a.application_id} · {names[a.scheme_id] ?? a.scheme_id} · {a.name ? `${a.name} (${a.member_id})` : a.family_id}</h2>
                <p>{s('village')} {a.village} · {s('submittedBy')} {a.submitted_by} ({a.channel}) {s('on')} {formatDate(a.submitted_at)}</p>
                {a.explanation?.clauses && (
                  <>
                    <h3>{s('rulesSay')}</h3>
                    <ul class="clauses">
                      {a.explanation.clauses.map((c) => (
                        <li key={c.id} class={c.met ? 'met' : 'unmet'}>
                          <span class="mark" aria-hidden="true">{c.met ? '✓' : '✗'}</span>
                          <span class="visually-hidden">{c.met ? s('met') : s('notMet')}: </span>
                          {c.explanation}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
                <label for={`app-note-${a.application_id}`}>{s('note')}</label>
                <textarea id={`app-note-${a.application_id}`} rows={2} value={notes[a.application_id] ?? ''}
                          aria-invalid={missing === a.application_id ? 'true' : undefined}
                          aria-describedby={missing === a.application_id ? `app-note-err-${a.application_id}` : undefined}
                          onInput={(e) => setNotes({ ...notes, [a.application_id]: e.currentTarget.value })} />
                {missing === a.application_id && <p id={`app-note-err-${a.application_id}`} role="alert" class="error">{s('noteRequired')}</p>}
                <div class="actions">
                  <button type="button" onClick={() => decide(a.application_id, 'enrol')}>{s('enrol')}<span class="visually-hidden"> #{a.application_id}</span></button>
                  <button type="button" class="secondary" onClick={() => decide(a.application_id, 'reject')}>{s('rejectApp')}<span class="visually-hidden"> #{a.application_id}</span></button>
                </div>
              </article>
            </li>
          ))}
        </ul>
      )}</Show>
    </>
  );
}
