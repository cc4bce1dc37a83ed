import { describe, expect, it } from 'vitest';
import { ERROR_CODES, toIpcError } from './index';

describe('toIpcError', () => {
  it('keeps a well-formed error from Rust as it is', () => {
    expect(toIpcError({ code: 'not_found', message: 'Vorgang nicht gefunden.' })).toEqual({
      code: 'not_found',
      message: 'Vorgang nicht gefunden.',
    });
  });

  it('keeps every code of the contract (generated from ipc::ErrorCode)', () => {
    expect(ERROR_CODES).toContain('offline');
    for (const code of ERROR_CODES) expect(toIpcError({ code, message: 'm' })).toEqual({ code, message: 'm' });
  });

  it('turns an unknown code into internal, so the UI never switches on a code it does not know', () => {
    expect(toIpcError({ code: 'exploded', message: 'x' }).code).toBe('internal');
  });

  it('wraps a plain string rejection in a German message that says what to do', () => {
    const e = toIpcError('command app_info not allowed');
    expect(e.code).toBe('internal');
    expect(e.message).toContain('command app_info not allowed');
    expect(e.message).toContain('starten Sie Amtsstube neu');
  });
});
