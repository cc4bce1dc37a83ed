import { describe, expect, it } from 'vitest';
import { hrefOf, hrefVorgang, routeFromHash, ROUTES, vorgangAusHash } from './routes';

describe('routes', () => {
  it('lead to the Posteingang when the hash is empty or unknown', () => {
    expect(routeFromHash('')).toBe('posteingang');
    expect(routeFromHash('#/gibt-es-nicht')).toBe('posteingang');
  });

  it('round-trip every navigation entry through its href', () => {
    for (const r of ROUTES) expect(routeFromHash(hrefOf(r.id))).toBe(r.id);
  });

  it('ignore sub-paths and query parts', () => {
    expect(routeFromHash('#/einstellungen/verbindung?x=1')).toBe('einstellungen');
  });

  it('lead a former placeholder such as #/team to the Posteingang', () => {
    expect(routeFromHash('#/team')).toBe('posteingang');
  });

  it('name the navigation in German', () => {
    expect(ROUTES.map((r) => r.label)).toEqual(['Posteingang', 'Meine Vorgänge', 'Einstellungen']);
  });
});

describe('case routes', () => {
  it('round-trip a case id through its href, also with characters that need escaping', () => {
    for (const id of ['v-1', '3f9e0c2a-1b', 'a/b c']) expect(vorgangAusHash(hrefVorgang(id))).toBe(id);
  });

  it('name no case for the other routes', () => {
    expect(vorgangAusHash('#/posteingang')).toBeNull();
    expect(vorgangAusHash('')).toBeNull();
  });
});
