// A tiny typed client for spode's API (/api/v1). The session is the HttpOnly cookie
// `spode_session`, sent with every request (credentials: 'same-origin'); nothing secret is
// kept in the page. Every failure becomes an ApiError carrying the server's RFC 9457 problem
// document (or a synthetic one for a network failure), so pages can say what happened and
// what to do.

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  request_id?: string;
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
  }
}

async function request<T>(method: string, path: string, body?: unknown,
                          raw = false, contentType = 'application/json'): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': contentType },
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK', title: 'Network', detail: '' });
  }
  if (!response.ok) {
    let problem: Problem = {
      status: response.status, code: 'UNKNOWN', title: response.statusText, detail: '',
    };
    try {
      const p = (await response.json()) as Partial<Problem>;
      problem = { ...problem, ...p, status: response.status };
    } catch {
      /* not JSON: keep the synthetic problem */
    }
    throw new ApiError(problem);
  }
  if (raw) return (await response.text()) as unknown as T;
  if (response.status === 204) return undefined as unknown as T;
  return (await response.json()) as T;
}

// --- shapes (only the fields the pages use) ---
export interface Provenance {
  source?: string;
  channel?: string;
  verification?: string;
  as_of?: string;
}
export interface Member {
  member_id: string;
  name: string;
  name_local?: string | null;
  dob: string;
  sex: 'F' | 'M' | 'T';
  relationship: string;
  national_id?: string | null;
  phone?: string | null;
  status: string;
  bank_account?: { account: string; ifsc: string } | null;
  attributes: Record<string, unknown>;
  attribute_provenance: Record<string, Provenance>;
  provenance?: Provenance;
}
export interface Household {
  family_id: string;
  address: Record<string, string>;
  attributes: Record<string, unknown>;
  members: Member[];
}
export interface Clause {
  id: string;
  explanation: string;
  met: boolean;
  values: Record<string, unknown>;
}
export interface SchemeResult {
  scheme: string;
  name: string;
  eligible: boolean;
  enrolled?: boolean;
  benefit: string;
  frequency: string;
  unit: string;
  amount?: string;
  amount_paise?: number;
  clauses: Clause[];
  evaluation_date: string;
}
export interface SchemeInfo {
  id: string;
  status?: string;
  version?: number;
  name: { en: string; hi: string };
}
export interface Payment {
  instruction_id: string;
  scheme_id: string;
  period: string;
  amount_paise: number;
  status: string;
  destination?: string | null;
  reason?: string | null;
  reason_code?: string | null;
  next_step?: string | null;
  who_acts?: string | null;
  updated_at: string;
}
export interface Grievance {
  ticket: string;
  category: string;
  description: string;
  status: string;
  filed_at: string;
  deadline: string;
  overdue: boolean;
  escalations: number;
  outcome?: string | null;
}
export interface GrievanceDetail extends Grievance {
  history: { at: string; by: string; kind: string; text: string }[];
  holder: { level: string; area_code: string; bank: string | null };
  resolution: { at: string; outcome: string; reason: string } | null;
  rating: number | null;
  appeals: number;
}
export interface Filed {
  ticket: string;
  deadline: string;
  status: string;
}
export interface ApplicationDecision {
  application_id: number;
  scheme: string;
  member_id: string;
  status: 'enrolled' | 'pending' | 'rejected';
  eligible: boolean;
  explanation: { clauses?: Clause[] } | null;
  submitted_at: string;
}
export interface Outbox {
  messages: { template: string; body: string; member_id: string }[];
}

export const api = {
  requestCode: (member_id: string) =>
    request<{ sent: boolean; message: string }>('POST', '/api/v1/auth/otp', { member_id }),
  verifyCode: (member_id: string, code: string) =>
    request<{ member_id: string; role: string }>('POST', '/api/v1/auth/otp/verify', { member_id, code }),
  login: (username: string, password: string) =>
    request<{ role?: string }>('POST', '/api/v1/auth/login', { username, password }),
  logout: () => request<unknown>('POST', '/api/v1/auth/logout'),
  me: () => request<Household>('GET', '/api/v1/me'),
  mySchemes: (lang: string) =>
    request<{ member_id: string; schemes: SchemeResult[] }>('GET', `/api/v1/me/schemes?lang=${lang}`),
  schemes: () => request<{ schemes: SchemeInfo[] }>('GET', '/api/v1/schemes'),
  myPayments: (lang: string) =>
    request<{ member_id: string; payments: Payment[] }>('GET', `/api/v1/me/payments?lang=${lang}`),
  myGrievances: (lang: string) =>
    request<{ grievances: Grievance[] }>('GET', `/api/v1/me/grievances?lang=${lang}`),
  fileGrievance: (body: { category: string; description: string; language: string;
                          instruction_id?: string; scheme_id?: string }) =>
    request<Filed>('POST', '/api/v1/grievances', body),
  grievance: (ticket: string, lang: string) =>
    request<GrievanceDetail>('GET', `/api/v1/grievances/${encodeURIComponent(ticket)}?lang=${lang}`),
  grievanceAct: (ticket: string, act: 'rate' | 'appeal' | 'reopen' | 'close', body: unknown) =>
    request<unknown>('POST', `/api/v1/grievances/${encodeURIComponent(ticket)}/${act}`, body),
  apply: (scheme_id: string, member_id: string, lang: string) =>
    request<ApplicationDecision>('POST', '/api/v1/applications', { scheme_id, member_id, lang }),
  changeRequest: (body: { member_id: string; changes: Record<string, unknown>; reason: string }) =>
    request<{ id?: number; change_request_id?: number; status?: string }>(
      'POST', '/api/v1/change-requests', body),
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  text: (path: string) => request<string>('GET', path, undefined, true),
  // Sends a file's text as the body (a bank's status file: text/csv or application/xml).
  upload: <T>(path: string, text: string, contentType: string) =>
    request<T>('POST', path, text, false, contentType),
};
