/**
 * Renders a template of `templates/` with a view computed in TypeScript (style.md §7). Templates
 * are compiled once, `{ strict: true, noEscape: true }`: a field the view lacks throws, and code
 * such as `<T>` or `'a'` is written as it is. Reading the template text is the only I/O, of a
 * file that ships with specgate, never of user input.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

const templatesFolder = new URL('../../../templates/', import.meta.url);
const handlebars = Handlebars.create();
const compiled = new Map<string, (view: object) => string>();

/** `name` is the template's path under `templates/` (`types/types.ts.hbs`). */
export function renderTemplate(name: string, view: object): string {
  let template = compiled.get(name);
  if (template === undefined) {
    const text = readFileSync(new URL(name, templatesFolder), 'utf8');
    template = handlebars.compile(text, { strict: true, noEscape: true });
    compiled.set(name, template);
  }
  return template(view);
}
