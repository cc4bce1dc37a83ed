// Generic, read-only rendering of an application's form data. JSON is walked along its JSON
// Schema (titles as labels, a section per nested object, a table per array of objects, dates
// and money formatted); without a schema the keys become the labels; XML becomes a tree.
// Applicant text only ever becomes React text nodes — nothing here is interpreted as HTML.

import { createElement, useId, useMemo, type ReactNode } from 'react';
import { anzeige, aufloesen, bezeichnung, istObjekt, schluessel, type Json, type Schema } from './schema';
import { datum, istIsoDatum } from '../lib/format';

export interface FormularDaten {
  format: string;
  inhalt: string;
  schema: string | null;
}

function Titel({ ebene, id, children }: { ebene: number; id?: string; children: ReactNode }) {
  const n = Math.min(Math.max(ebene, 2), 6);
  return createElement(`h${n}`, { id, className: 'formular-titel' }, children);
}

function parseJson(text: string): { ok: true; wert: Json } | { ok: false; fehler: string } {
  try {
    return { ok: true, wert: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, fehler: e instanceof Error ? e.message : String(e) };
  }
}

/** The form data of one application, for reading. */
export function Formular({ daten, ebene = 2 }: { daten: FormularDaten; ebene?: number }) {
  const inhalt = useMemo(() => (daten.format === 'xml' ? null : parseJson(daten.inhalt)), [daten.format, daten.inhalt]);
  const schema = useMemo<Schema | null>(() => {
    if (!daten.schema) return null;
    const s = parseJson(daten.schema);
    return s.ok && istObjekt(s.wert) ? (s.wert as Schema) : null;
  }, [daten.schema]);

  if (daten.format === 'xml') {
    return (
      <div className="formular" data-testid="formular">
        <XmlBaum text={daten.inhalt} ebene={ebene} />
      </div>
    );
  }
  if (!inhalt || !inhalt.ok) {
    return (
      <div className="formular" data-testid="formular">
        <p className="hinweis" role="note">
          Die Formulardaten sind kein gültiges JSON ({inhalt?.ok === false ? inhalt.fehler : 'unbekannt'}). Sie werden
          unverändert als Text gezeigt.
        </p>
        <pre className="rohtext">{daten.inhalt}</pre>
      </div>
    );
  }
  const root = schema ?? {};
  return (
    <div className="formular" data-testid="formular">
      {!schema && (
        <p className="hinweis" role="note" data-testid="ohne-schema">
          Für dieses Formular ist kein Schema hinterlegt. Die Angaben werden mit ihren Feldnamen gezeigt.
        </p>
      )}
      {schema?.title && <Titel ebene={ebene}>{schema.title}</Titel>}
      <Wert root={root} schema={root} name="" wert={inhalt.wert} ebene={ebene + 1} />
    </div>
  );
}

interface WertProps {
  root: Schema;
  schema: Schema;
  name: string;
  wert: Json;
  ebene: number;
}

/** Root value of any shape. */
function Wert({ root, schema, name, wert, ebene }: WertProps) {
  const s = aufloesen(root, schema, wert);
  if (istObjekt(wert)) return <Objekt root={root} schema={s} wert={wert} ebene={ebene} />;
  if (Array.isArray(wert)) return <Liste root={root} schema={s} name={name} wert={wert} ebene={ebene} titel={bezeichnung(s, name || 'Einträge')} />;
  return (
    <dl className="felder">
      <div className="feld">
        <dt>{bezeichnung(s, name || 'Wert')}</dt>
        <dd>{anzeige(s, name, wert)}</dd>
      </div>
    </dl>
  );
}

type Teil = { art: 'felder'; keys: string[] } | { art: 'objekt' | 'liste'; key: string };

function istSkalarListe(wert: Json[]): boolean {
  return wert.every((v) => !istObjekt(v) && !Array.isArray(v));
}

/** An object: its scalar fields as a description list, nested objects and tables in order. */
function Objekt({ root, schema, wert, ebene }: { root: Schema; schema: Schema; wert: Record<string, Json>; ebene: number }) {
  const teile: Teil[] = [];
  for (const key of schluessel(schema, wert)) {
    const v = wert[key] as Json;
    const art = istObjekt(v) ? 'objekt' : Array.isArray(v) && !istSkalarListe(v) ? 'liste' : 'feld';
    if (art === 'feld') {
      const last = teile[teile.length - 1];
      if (last?.art === 'felder') last.keys.push(key);
      else teile.push({ art: 'felder', keys: [key] });
    } else {
      teile.push({ art, key });
    }
  }
  const props = schema.properties ?? {};
  return (
    <>
      {teile.map((t) => {
        if (t.art === 'felder') {
          return (
            <dl className="felder" key={`f-${t.keys[0]}`}>
              {t.keys.map((k) => {
                const v = wert[k] as Json;
                const s = aufloesen(root, props[k], v);
                return (
                  <div className="feld" key={k}>
                    <dt>{bezeichnung(s, k)}</dt>
                    <dd>
                      {Array.isArray(v) ? (v.length ? v.map((e) => anzeige(aufloesen(root, einzelItems(s), e), k, e)).join(', ') : '—') : anzeige(s, k, v)}
                    </dd>
                    {s.description && <dd className="beschreibung">{s.description}</dd>}
                  </div>
                );
              })}
            </dl>
          );
        }
        const v = wert[t.key] as Json;
        const s = aufloesen(root, props[t.key], v);
        if (t.art === 'objekt' && istObjekt(v)) {
          return <Abschnitt key={t.key} root={root} schema={s} name={t.key} wert={v} ebene={ebene} />;
        }
        return <Liste key={t.key} root={root} schema={s} name={t.key} wert={v as Json[]} ebene={ebene} titel={bezeichnung(s, t.key)} />;
      })}
    </>
  );
}

function Abschnitt({ root, schema, name, wert, ebene }: { root: Schema; schema: Schema; name: string; wert: Record<string, Json>; ebene: number }) {
  const id = useId();
  return (
    <section className="abschnitt" aria-labelledby={id}>
      <Titel ebene={ebene} id={id}>
        {bezeichnung(schema, name)}
      </Titel>
      {schema.description && <p className="beschreibung">{schema.description}</p>}
      <Objekt root={root} schema={schema} wert={wert} ebene={ebene + 1} />
    </section>
  );
}

function einzelItems(s: Schema): Schema | undefined {
  return Array.isArray(s.items) ? s.items[0] : s.items;
}

/** An array of objects as a table: one column per property (schema order, then any others). */
function Liste({ root, schema, name, wert, ebene, titel }: { root: Schema; schema: Schema; name: string; wert: Json[]; ebene: number; titel: string }) {
  const id = useId();
  const itemSchema = einzelItems(schema);
  const spalten: { key: string; s: Schema }[] = [];
  const gesehen = new Set<string>();
  const basis = aufloesen(root, itemSchema, wert.find(istObjekt));
  for (const k of Object.keys(basis.properties ?? {})) {
    if (wert.some((z) => istObjekt(z) && k in z)) {
      spalten.push({ key: k, s: basis.properties?.[k] ?? {} });
      gesehen.add(k);
    }
  }
  for (const z of wert) {
    if (istObjekt(z)) {
      for (const k of Object.keys(z)) {
        if (!gesehen.has(k)) {
          gesehen.add(k);
          spalten.push({ key: k, s: {} });
        }
      }
    }
  }
  return (
    <section className="abschnitt" aria-labelledby={id}>
      <Titel ebene={ebene} id={id}>
        {titel}
      </Titel>
      {wert.length === 0 ? (
        <p>Keine Einträge.</p>
      ) : (
        <table className="formular-tabelle" aria-labelledby={id} data-feld={name}>
          <thead>
            <tr>
              {spalten.length === 0 && <th scope="col">Wert</th>}
              {spalten.map((c) => (
                <th scope="col" key={c.key}>
                  {bezeichnung(aufloesen(root, c.s), c.key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {wert.map((zeile, i) => (
              <tr key={i}>
                {spalten.length === 0 && <td>{zelle(root, basis, name, zeile)}</td>}
                {spalten.map((c) => (
                  <td key={c.key}>{istObjekt(zeile) ? zelle(root, c.s, c.key, zeile[c.key]) : ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A table cell: scalars formatted, nested objects as „Label: Wert“ pairs. */
function zelle(root: Schema, schema: Schema, key: string, wert: Json | undefined): string {
  const s = aufloesen(root, schema, wert);
  if (wert === undefined) return '—';
  if (istObjekt(wert)) {
    return schluessel(s, wert)
      .map((k) => `${bezeichnung(aufloesen(root, s.properties?.[k]), k)}: ${zelle(root, s.properties?.[k] ?? {}, k, wert[k])}`)
      .join('; ');
  }
  if (Array.isArray(wert)) return wert.map((e) => zelle(root, einzelItems(s) ?? {}, key, e)).join(', ');
  return anzeige(s, key, wert);
}

// --- XML -------------------------------------------------------------------------------------

/** XML form data (e.g. XÖV) as a readable tree: elements with children as sections, leaves as label/value. */
export function XmlBaum({ text, ebene }: { text: string; ebene: number }) {
  const doc = useMemo(() => new DOMParser().parseFromString(text, 'application/xml'), [text]);
  const fehler = doc.getElementsByTagName('parsererror')[0];
  if (fehler || !doc.documentElement) {
    return (
      <>
        <p className="hinweis" role="note">
          Die XML-Formulardaten sind nicht wohlgeformt. Sie werden unverändert als Text gezeigt.
        </p>
        <pre className="rohtext">{text}</pre>
      </>
    );
  }
  return (
    <div className="xml-baum" data-testid="xml-baum">
      <XmlKnoten el={doc.documentElement} ebene={ebene} />
    </div>
  );
}

function attribute(el: Element): Attr[] {
  return Array.from(el.attributes).filter((a) => a.name !== 'xmlns' && !a.name.startsWith('xmlns:'));
}

function xmlText(t: string): string {
  const s = t.trim();
  return s && istIsoDatum(s) ? datum(s) : s;
}

function XmlKnoten({ el, ebene }: { el: Element; ebene: number }) {
  const id = useId();
  const kinder = Array.from(el.children);
  const attrs = attribute(el);
  // Leaves first grouped as label/value lists, complex children as nested sections, in order.
  const gruppen: (Element[] | Element)[] = [];
  for (const k of kinder) {
    const blatt = k.children.length === 0;
    const last = gruppen[gruppen.length - 1];
    if (blatt) {
      if (Array.isArray(last)) last.push(k);
      else gruppen.push([k]);
    } else gruppen.push(k);
  }
  const eigenerText = Array.from(el.childNodes)
    .filter((n) => n.nodeType === Node.TEXT_NODE || n.nodeType === Node.CDATA_SECTION_NODE)
    .map((n) => n.textContent ?? '')
    .join('')
    .trim();
  return (
    <section className="abschnitt xml-knoten" aria-labelledby={id}>
      <Titel ebene={ebene} id={id}>
        {el.localName}
      </Titel>
      {(attrs.length > 0 || eigenerText) && (
        <dl className="felder">
          {attrs.map((a) => (
            <div className="feld" key={`@${a.name}`}>
              <dt>@{a.localName}</dt>
              <dd>{xmlText(a.value)}</dd>
            </div>
          ))}
          {eigenerText && (
            <div className="feld">
              <dt>Text</dt>
              <dd>{xmlText(eigenerText)}</dd>
            </div>
          )}
        </dl>
      )}
      {gruppen.map((g, i) =>
        Array.isArray(g) ? (
          <dl className="felder" key={i}>
            {g.map((b, j) => (
              <div className="feld" key={j}>
                <dt>
                  {b.localName}
                  {attribute(b).length > 0 && ` (${attribute(b).map((a) => `${a.localName}=${a.value}`).join(', ')})`}
                </dt>
                <dd>{xmlText(b.textContent ?? '') || '—'}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <XmlKnoten key={i} el={g} ebene={ebene + 1} />
        ),
      )}
    </section>
  );
}
