// The ledger: one entry per business posting a simulator booked. Two entries with the
// same kind and key are a double posting.
export interface LedgerEntry {
  kind: string;
  key: string | null;
  document: string;
  at: string;
  surface: string;
}

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  book(surface: string, kind: string, key: string | null | undefined, document: string): LedgerEntry {
    const e: LedgerEntry = { kind, key: key === undefined || key === '' ? null : key, document, at: new Date().toISOString(), surface };
    this.entries.push(e);
    return e;
  }
  clear(): void {
    this.entries.length = 0;
  }
}
