/** The database kinds this project runs on (kept apart so tables.ts and index.ts both import it). */
export type Provider = 'sqlite' | 'postgresql';
