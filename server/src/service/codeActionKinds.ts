/**
 * The code action kinds the server offers. A module of its own, importing nothing, so
 * that the server's start-up bundle can announce them before the analysis core loads
 * (`capabilities.ts`).
 */
export const QUICK_FIX_KIND = 'quickfix';
export const FIX_ALL_KIND = 'source.fixAll.pullguard';
