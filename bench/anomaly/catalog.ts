// What the simulated agents use: tools grouped by the system they reach (its host is the span's
// destination, its data scopes the tool's), and models with their provider and API host.

export interface Tool {
  name: string;
  /** The system the tool reaches: `server.address` of its spans. */
  host: string;
  scopes: string[];
  /** Risk weight (escalation.sensitive_tools); 0 = not sensitive. */
  risk: number;
}

export interface Model {
  name: string;
  provider: string;
  host: string;
}

const t = (name: string, host: string, scopes: string[], risk = 0): Tool => ({ name, host, scopes, risk });

export const TOOLS: Tool[] = [
  t('search_docs', 'docs.internal', ['kb']),
  t('summarize_doc', 'docs.internal', ['kb']),
  t('vector_search', 'vectordb.internal', ['kb']),
  t('crm_lookup', 'crm.internal', ['customers']),
  t('crm_update', 'crm.internal', ['customers']),
  t('create_ticket', 'jira.internal', ['tickets']),
  t('update_ticket', 'jira.internal', ['tickets']),
  t('query_orders', 'orders-db.internal', ['orders']),
  t('track_shipment', 'orders-db.internal', ['orders']),
  t('refund_order', 'payments.internal', ['payments', 'finance'], 2),
  t('read_invoice', 'billing.internal', ['finance']),
  t('run_sql', 'warehouse.internal', ['analytics']),
  t('export_table', 'warehouse.internal', ['analytics'], 3),
  t('github_search', 'api.github.com', ['code']),
  t('github_create_pr', 'api.github.com', ['code']),
  t('deploy_service', 'deploy.internal', ['production'], 4),
  t('read_logs', 'logs.internal', ['ops']),
  t('page_oncall', 'events.pagerduty.com', ['ops']),
  t('calendar_read', 'calendar.internal', ['calendar']),
  t('send_email', 'smtp.internal', ['email']),
  t('slack_post', 'slack.com', ['chat']),
  t('hr_lookup', 'hr.internal', ['employees', 'pii']),
  t('delete_user', 'identity.internal', ['identity', 'pii'], 5),
  t('grant_role', 'identity.internal', ['identity'], 5),
  t('translate_text', 'translate.internal', ['kb']),
];

export const MODELS: Model[] = [
  { name: 'gpt-4o', provider: 'openai', host: 'api.openai.com' },
  { name: 'gpt-4o-mini', provider: 'openai', host: 'api.openai.com' },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', host: 'api.anthropic.com' },
  { name: 'claude-haiku-4-5', provider: 'anthropic', host: 'api.anthropic.com' },
  { name: 'gemini-2.0-flash', provider: 'gcp.gemini', host: 'generativelanguage.googleapis.com' },
  { name: 'llama-3.1-70b', provider: 'self-hosted', host: 'llm.internal' },
];

/** The processor's escalation weights: the catalog's sensitive tools, and two sensitive scopes. */
export const SENSITIVE_TOOLS: Record<string, number> = Object.fromEntries(TOOLS.filter((x) => x.risk > 0).map((x) => [x.name, x.risk]));
export const SENSITIVE_SCOPES: Record<string, number> = { pii: 2, finance: 1 };
