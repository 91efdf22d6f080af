// The JSON each function of dflint-web (web/src/lib.rs) answers with. `tsc` checks real
// answers against these types in web/tests/types.test.mjs: a field added, removed or renamed
// on either side fails it.

/** What every function answers when it cannot read its arguments. */
export interface FacadeError { error: string }

export type Severity = "error" | "warning" | "info";

/** A place in UTF-16 code units from the start of its file (what the editor counts). */
export interface Utf16Span { start: number; end: number }

export interface Related {
  label: string; file: string;
  line: number; column: number; end_line: number; end_column: number;
  utf16?: Utf16Span;
}

export interface ResourceRef { kind: string; namespace: string | null; name: string | null }

export interface Diagnostic {
  code: string; rule: string; severity: Severity; message: string; help: string | null;
  file: string; line: number; column: number; end_line: number; end_column: number;
  json_path: string | null;
  utf16?: Utf16Span;
  doc_url: string;
  related?: Related[];
  resource?: ResourceRef;
}

export interface Summary {
  files: number; documents: number; resources: Record<string, number>;
  suppressed: number; baselined: number; errors: number; warnings: number; infos: number;
}

/** `lint(files, settings)`: the JSON report of `dflint check --format json`. */
export interface LintReport { version: number; diagnostics: Diagnostic[]; summary: Summary }

export interface AllowedCommand { command: string; dangerous: boolean; granted_by: string | null; always_allowed: string | null }
export interface DeniedCommand { command: string; decided_by: string | null }
export interface FirstArgGrant { command: string; arg: string; granted_by: string | null }
export interface KeyPatternGrant { pattern: string; read: boolean; write: boolean; granted_by: string | null }

export interface Permissions {
  all_commands: boolean; categories: string[];
  commands: AllowedCommand[]; denied_commands: DeniedCommand[]; dangerous_commands: string[];
  first_args: FirstArgGrant[];
  all_keys: boolean; all_keys_granted_by: string | null; keys: KeyPatternGrant[];
  all_channels: boolean; channels: string[];
}

export interface UserReport extends Permissions {
  user: string; acl?: string; enabled: boolean; implicit: boolean; nopass: boolean;
  passwords: number; hashed_passwords: number;
  db: number | null; db_granted_by: string | null; namespace: string | null; lines: number;
  selectors: Permissions[];
}

/** `acl_explain(text, dialect)` and `acl_explain_user(text, dialect, user)`. */
export interface Explained { users: UserReport[]; rejected: string | null }

export interface MatrixCell {
  state: "allowed" | "partly" | "denied"; allowed: number; total: number;
  granted_by: string[]; denied_by: string[];
}
/** `acl_matrix(text, dialect)`. */
export interface Matrix {
  categories: { name: string; risky: boolean; commands: string[] }[];
  users: { user: string; enabled: boolean; cells: MatrixCell[] }[];
  /** Users past the first 500: counted, not shown. */
  more_users: number;
}

export interface Verdict {
  allowed: boolean; always_allowed: string | null;
  denied_on: "command" | "key" | "channel" | "database" | null;
  item: string; token: string | null; user_enabled: boolean;
}
/** `acl_can(text, dialect, user, argv)`. */
export interface CanAnswer { answer: Verdict | FacadeError; token: Utf16Span | null }

/** `acl_overlaps(text, dialect)`. */
export interface Isolation {
  all_keys: string[]; all_channels: string[]; truncated: boolean;
  overlaps: { on: "keys" | "channels"; first_user: string; first_pattern: string;
    second_user: string; second_pattern: string; example: string }[];
}

export interface PathReach {
  peer: string; class: string; because: string;
  /** The peer gets more than nothing without a password, and is not the operator, the
   * instance's own pods or a metrics scraper. */
  unauthenticated_privilege: boolean;
  file: string; line: number; column: number;
}
/** What a peer that reaches a port gets before it sends a password. */
export interface Unauthenticated { gets: "superuser" | "default-user" | "http-console" | "nothing" | "unknown"; detail: string }
export interface PortReach {
  kind: "data" | "admin" | "memcached"; port: number; container_port_name: string | null;
  enforced: boolean; enforced_by: string[]; without_password: Unauthenticated;
  allowed: PathReach[]; denied: PathReach[];
}
/** `netpol_reach(files)`: the JSON of `dflint netpol reach --format json`. */
export interface ReachReport extends LintReport {
  instances: {
    name: string; namespace: string; origin: string; file: string; line: number; replicas: number;
    roles: { role: string; selected_by: string[]; ports: PortReach[]; egress_enforced_by: string[] }[];
  }[];
}

/** `share_redact`: the files with every secret replaced; `replaced` counts distinct secrets. */
export interface Shared { files: { name: string; text: string }[]; replaced: number }
